"""Browser-side defences, in one place: the headers every HTML page carries and when
cookies are marked ``Secure``.

Every ``text/html`` answer (portal pages, staff pages, error pages, the API console) gets
``X-Frame-Options: DENY`` and a Content-Security-Policy that allows only Belfort's own
scripts, styles, fonts and connections (no inline script or style, nothing from the
internet except the map tiles an operator configured), with ``frame-ancestors 'none'`` so no
other site can frame a page to trick a click. Every answer gets
``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from belfort.api.asgi_headers import Headers, rewriting_headers


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source of a tile URL template (``https://{s}.tile.example/{z}/{x}/{y}.png`` →
    ``https://*.tile.example``)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    host = parts.netloc.replace("tiles-subdomain", "*")
    if any(c in host for c in "{}; ,'\""):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str | None = None) -> str:
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tile_source(tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def secure_cookies(request: Request) -> bool:
    """Whether cookies set on this answer are ``Secure``: the request came over https (behind
    a trusted proxy, as its X-Forwarded-Proto says) or ``BELFORT_SECURE_COOKIES`` is on."""
    forced: bool = request.app.state.platform.settings.secure_cookies
    return forced or request.url.scheme == "https"


class SecurityHeaders:
    """Adds the headers of this module's text to every answer."""

    def __init__(self, app: ASGIApp, *, tile_url: str | None = None) -> None:
        self.app = app
        self.html_headers = [
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", content_security_policy(tile_url).encode("latin-1")),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        def add(headers: Headers) -> Headers:
            names = {k.lower() for k, _ in headers}
            added = (
                []
                if b"x-content-type-options" in names
                else [(b"x-content-type-options", b"nosniff")]
            )
            html = any(
                k.lower() == b"content-type" and v.lower().startswith(b"text/html")
                for k, v in headers
            )
            if html:
                added += [(k, v) for k, v in self.html_headers if k not in names]
            return headers + added

        await self.app(scope, receive, rewriting_headers(send, add))
