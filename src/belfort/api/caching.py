"""Who may keep an answer: the ``Cache-Control`` rule, in one place.

An answer is ``public`` only when it is the same for every caller, i.e. computed for an
anonymous caller from data anyone may see. Anything computed for a staff member or an
admin key — which may include a restricted dataset, or differ from what the public
gets — is ``private, no-store``: no shared cache keeps it, and neither does the browser.

Routes choose their public lifetime with :func:`cache_control`. :class:`PrivateAnswers`
then enforces the rule for every route, including those that set nothing: an answer to a
request that presents credentials (an API key that is not one of the public app keys, or
the staff sign-in cookie) is made ``private, no-store`` whatever the route said; and a
public answer gets ``Vary: Authorization, X-API-Key``, so a shared cache never hands the
public's answer (a 404 for an internal dataset, say) to a caller with a key.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from belfort.api.asgi_headers import Headers, rewriting_headers
from belfort.api.caller import presented_key
from belfort.errors import ConflictingKeys
from belfort.policy.principals import Principal

PRIVATE = "private, no-store"
CREDENTIAL_VARY = ("Authorization", "X-API-Key")
# belfort.portal.render.STAFF_COOKIE (the API layer does not import the portal; a test
# checks the two agree)
STAFF_COOKIE = "belfort_staff"


def cache_control(principal: Principal, public: str) -> str:
    """``public`` (e.g. ``"public, max-age=300"``) for the public, ``private, no-store``
    for anyone signed in (staff, an API key, a person): their answers may differ."""
    return public if principal.audience == "public" else PRIVATE


def presents_credentials(scope: Scope, public_keys: frozenset[str]) -> bool:
    """Whether the request carries an API key (other than a public app key) or the staff
    cookie — the two things that can make an answer differ from the public's."""
    try:
        key = presented_key(scope)  # the same reading as authentication's
    except ConflictingKeys:
        return True
    if key is not None and key not in public_keys:
        return True
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    cookies = headers.get("cookie", "")
    return any(part.strip().startswith(STAFF_COOKIE + "=") for part in cookies.split(";"))


def _merge_vary(headers: list[tuple[bytes, bytes]], names: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    present: list[str] = []
    kept = []
    for key, value in headers:
        if key.lower() == b"vary":
            present += [v.strip() for v in value.decode("latin-1").split(",") if v.strip()]
        else:
            kept.append((key, value))
    lowered = {v.lower() for v in present}
    merged = present + [n for n in names if n.lower() not in lowered]
    return [*kept, (b"vary", ", ".join(merged).encode("latin-1"))]


class PrivateAnswers:
    """Enforces the rule of this module on every answer (see the module's text)."""

    def __init__(self, app: ASGIApp, *, public_keys: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.public_keys = public_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = presents_credentials(scope, self.public_keys)

        def apply_rule(headers: Headers) -> Headers:
            if private:
                headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                headers.append((b"cache-control", PRIVATE.encode()))
            elif any(k.lower() == b"cache-control" and b"public" in v.lower() for k, v in headers):
                headers = _merge_vary(headers, CREDENTIAL_VARY)
            return headers

        await self.app(scope, receive, rewriting_headers(send, apply_rule))
