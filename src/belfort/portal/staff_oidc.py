"""Staff sign-in through the OpenID Connect provider: authorization code with PKCE (S256),
``state`` and ``nonce``.

``GET /staff/sign-in/oidc`` sends the browser to the provider's authorization endpoint; the
provider sends it back to ``GET /staff/sign-in/callback`` with a code, which is exchanged
(with the PKCE verifier, and the client secret when there is one) for an ID token. The ID
token is checked like every token (:mod:`belfort.policy.oidc`: signature, issuer, audience =
the client id, expiry) and must carry this sign-in's nonce; its claims become the person's
principal and a staff session (:mod:`belfort.policy.sessions`) — the same cookie as the
admin-key sign-in, which stays.

The sign-in's state, nonce and PKCE verifier travel in a short-lived cookie signed with the
server's secret (SameSite=Lax: it must come back on the provider's redirect, a top-level
cross-site navigation), so any server behind the address can finish a sign-in another began.
The callback answers with a small page that continues to ``/staff``: the staff cookie is
SameSite=Strict and a browser does not send it on a redirect that a cross-site page started.
A person without a staff role signs in as a reader. ``?next=`` names the portal page to
continue to instead of ``/staff`` (one of :data:`NEXT_PAGES`, e.g. the access-request form
the person came from); anything else continues to ``/staff``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from belfort.api.caching import PRIVATE
from belfort.api.caller import provider
from belfort.api.deps import get_platform
from belfort.api.security_headers import secure_cookies
from belfort.errors import IdentityProviderUnavailable, NotFound, SignInFailed
from belfort.platform import Platform
from belfort.policy.oidc import HTTP_TIMEOUT, person_of, verify
from belfort.policy.principals import Principal
from belfort.policy.sessions import start_session
from belfort.portal.render import STAFF_COOKIE, render

router = APIRouter(include_in_schema=False)

FLOW_COOKIE = "belfort_oidc"
FLOW_PATH = "/staff/sign-in"
CALLBACK = "/staff/sign-in/callback"
FLOW_SECONDS = 600  # a sign-in at the provider must finish within ten minutes
MAX_PARAMETER = 2048
NEXT_PAGES = re.compile(r"^/(?:staff|toegangsaanvragen)(?:/[A-Za-z0-9._~%-]+)*/?$")
"""Where a sign-in may continue: the staff pages and a person's access requests (paths only,
never another site)."""


def next_page(value: str | None) -> str:
    """``value`` when it is a page a sign-in may continue to, else ``/staff``."""
    fine = value and len(value) <= 300 and "/." not in value and NEXT_PAGES.fullmatch(value)
    return value if fine and value else "/staff"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, b"oidc-flow|" + payload.encode(), hashlib.sha256).digest())


def _flow_cookie(secret: bytes, flow: dict[str, Any]) -> str:
    payload = _b64(json.dumps(flow, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def _read_flow(secret: bytes, cookie: str) -> dict[str, Any]:
    payload, _, signature = cookie.partition(".")
    if not payload or len(cookie) > MAX_PARAMETER or not hmac.compare_digest(
            signature, _sign(secret, payload)):
        raise SignInFailed("this sign-in was not started in this browser (or has expired); "
                           "start again")
    flow: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if not isinstance(flow, dict) or float(flow.get("until", 0)) < time.time():
        raise SignInFailed("this sign-in has expired; start again")
    return flow


def _redirect_uri(platform: Platform) -> str:
    return platform.settings.canonical_base_url.rstrip("/") + CALLBACK


def _endpoint(platform: Platform, name: str) -> str:
    url = provider(platform).metadata().get(name)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise IdentityProviderUnavailable(f"the identity provider names no {name}")
    return url


def _enabled(platform: Platform) -> None:
    if not platform.settings.oidc_enabled:
        raise NotFound("page not found")  # no provider configured: no such sign-in


@router.get("/staff/sign-in/oidc")
async def begin(request: Request, platform: Platform = Depends(get_platform)) -> Response:
    """To the provider, with a fresh state, nonce and PKCE challenge."""
    _enabled(platform)
    authorize = await run_in_threadpool(_endpoint, platform, "authorization_endpoint")
    verifier = secrets.token_urlsafe(48)
    flow = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
            "verifier": verifier, "until": time.time() + FLOW_SECONDS,
            "next": next_page(request.query_params.get("next"))}
    settings = platform.settings
    query = urlencode({
        "response_type": "code", "client_id": settings.oidc_client_id,
        "redirect_uri": _redirect_uri(platform), "scope": settings.oidc_scopes,
        "state": flow["state"], "nonce": flow["nonce"],
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256"})
    response = RedirectResponse(f"{authorize}{'&' if '?' in authorize else '?'}{query}",
                                status_code=303)
    response.set_cookie(FLOW_COOKIE, _flow_cookie(request.app.state.secret, flow),
                        max_age=FLOW_SECONDS, path=FLOW_PATH, httponly=True, samesite="lax",
                        secure=secure_cookies(request))
    response.headers["Cache-Control"] = PRIVATE
    return response


def _exchange(platform: Platform, code: str, verifier: str) -> str:
    """The code → the provider's ID token (a JWT, checked by the caller)."""
    settings = platform.settings
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": _redirect_uri(platform), "client_id": settings.oidc_client_id or ""}
    auth = None
    if settings.oidc_client_secret:
        auth = (settings.oidc_client_id or "", settings.oidc_client_secret)
    try:
        answer = httpx.post(_endpoint(platform, "token_endpoint"), data=data, auth=auth,
                            timeout=HTTP_TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise IdentityProviderUnavailable(
            f"the identity provider could not be reached ({type(exc).__name__})") from None
    if 400 <= answer.status_code < 500:
        raise SignInFailed("the identity provider did not accept this sign-in; start again")
    try:
        answer.raise_for_status()
        token = answer.json().get("id_token")
    except (httpx.HTTPError, ValueError, AttributeError):
        raise IdentityProviderUnavailable(
            "the identity provider answered something unreadable") from None
    if not isinstance(token, str):
        raise SignInFailed(
            "the identity provider returned no ID token (is `openid` among the scopes?)")
    return token


def _sign_in(platform: Platform, code: str, flow: dict[str, Any]) -> tuple[str, Principal]:
    token = _exchange(platform, code, str(flow["verifier"]))
    claims = verify(provider(platform), token, audience=platform.settings.oidc_client_id,
                    nonce=str(flow["nonce"]))
    person = person_of(claims, platform.settings)
    with platform.db.session() as session:
        return start_session(session, person, platform.settings.staff_session_hours * 3600), person


@router.get("/staff/sign-in/callback")
async def callback(request: Request, platform: Platform = Depends(get_platform)) -> Response:
    """Back from the provider: check the state, exchange the code, start the session."""
    request.state.private_query = True  # no link on any page of this answer repeats the code
    _enabled(platform)
    params = request.query_params
    if any(len(v) > MAX_PARAMETER or "\x00" in v for v in params.values()):
        raise SignInFailed("the sign-in answer is malformed; start again")
    flow = _read_flow(request.app.state.secret, request.cookies.get(FLOW_COOKIE, ""))
    if not hmac.compare_digest(params.get("state", ""), str(flow["state"])):
        raise SignInFailed("the sign-in answer does not belong to this sign-in; start again")
    if params.get("error"):
        raise SignInFailed("the identity provider refused the sign-in")
    code = params.get("code", "")
    if not code:
        raise SignInFailed("the identity provider sent no code; start again")
    token, person = await run_in_threadpool(_sign_in, platform, code, flow)
    lifetime = int(platform.settings.staff_session_hours * 3600)
    response = render(request, "staff_signed_in.html", person, signed_in=person,
                      next=next_page(str(flow.get("next", ""))))
    response.headers["Cache-Control"] = PRIVATE
    response.set_cookie(STAFF_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure_cookies(request), max_age=lifetime)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="lax",
                           secure=secure_cookies(request))
    return response
