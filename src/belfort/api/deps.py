"""Request → platform and principal. The principal is resolved once per request."""

from __future__ import annotations

from fastapi import Request

from belfort.platform import Platform
from belfort.policy.keys import authenticate
from belfort.policy.principals import ANONYMOUS, Principal


def get_platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def presented_key(request: Request) -> str | None:
    """An API key from ``Authorization: Bearer|Apikey …``, ``X-API-Key`` or ``?apikey=``
    (the last is how Opendatasoft clients send it)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() in {"bearer", "apikey"}:
            return value.strip()
    return request.headers.get("x-api-key") or request.query_params.get("apikey")


def get_principal(request: Request) -> Principal:
    key = presented_key(request)
    if not key:
        return ANONYMOUS
    platform = get_platform(request)
    with platform.db.session() as session:
        return authenticate(session, key) or ANONYMOUS
