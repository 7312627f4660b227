"""Request → platform and principal. The principal is resolved once per request.

Both are ``async``: FastAPI runs plain ``def`` dependencies in its thread pool, and a
hop there and back for each of them cost more than the look-up itself. Only a
presented key needs the catalogue (blocking I/O), and that goes to the pool.
"""

from __future__ import annotations

from fastapi import Request

from belfort.api.caller import identify
from belfort.platform import Platform
from belfort.policy.keys import authenticate
from belfort.policy.principals import ANONYMOUS, Principal


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_principal(request: Request) -> Principal:
    """The caller as :func:`belfort.api.caller.identify` decided it (the quota middleware
    may already have); a junk or conflicting key is refused here."""
    caller = await identify(request.scope, request.app.state.platform)
    if caller.refusal is not None:
        raise caller.refusal
    return caller.principal


def principal_of_key(platform: Platform, key: str) -> Principal:
    with platform.db.session() as session:
        return authenticate(session, key) or ANONYMOUS


def base_url(request: Request) -> str:
    """The base of linked-data URIs and of every absolute link: ``BELFORT_PUBLIC_URL`` when
    set, else the address Belfort serves on (``Settings.canonical_base_url``). Never the
    request's ``Host``: a header must not change a URI, nor build or evict anything cached
    per base (issue 11)."""
    settings = request.app.state.platform.settings
    return str(settings.canonical_base_url)
