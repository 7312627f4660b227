"""Request → platform and principal. The principal is resolved once per request.

Both are ``async``: FastAPI runs plain ``def`` dependencies in its thread pool, and a
hop there and back for each of them cost more than the look-up itself. Only a
presented key needs the catalogue (blocking I/O), and that goes to the pool.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from belfort.platform import Platform
from belfort.policy.keys import authenticate
from belfort.policy.principals import ANONYMOUS, Principal


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def presented_key(request: Request) -> str | None:
    """An API key from ``Authorization: Bearer|Apikey …``, ``X-API-Key`` or ``?apikey=``
    (the last is how Opendatasoft clients send it)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() in {"bearer", "apikey"}:
            return value.strip()
    return request.headers.get("x-api-key") or request.query_params.get("apikey")


async def get_principal(request: Request) -> Principal:
    key = presented_key(request)
    if not key or key in request.app.state.platform.settings.public_api_key_set:
        return ANONYMOUS
    return await run_in_threadpool(principal_of_key, request.app.state.platform, key)


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
