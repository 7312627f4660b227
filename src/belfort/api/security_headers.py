"""Browser-side defences, in one place: the headers every HTML page carries and when
cookies are marked ``Secure``.

Every ``text/html`` answer (portal pages, staff pages, error pages, the API console) gets
``X-Frame-Options: DENY`` and a Content-Security-Policy that allows only Belfort's own
scripts, styles, fonts and connections (no inline script or style, nothing from the
internet except the map tiles an operator configured), with ``frame-ancestors 'none'`` so no
other site can frame a page to trick a click — except the City Dashboard's pages
(``/dashboards/…``), which the sites named in ``BELFORT_DASHBOARD_FRAME_ANCESTORS`` may
embed. Every answer gets ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re
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


FRAMEABLE_PREFIX = "/dashboards"  # the City Dashboard's pages may be embedded (iframe)
_FRAME_SOURCE = re.compile(r"^('self'|'none'|\*|(https?://)?(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5}|:\*)?"
                           r"|https?:)$")


def frame_sources(value: str | None) -> str:
    """The ``frame-ancestors`` sources of ``BELFORT_DASHBOARD_FRAME_ANCESTORS``: the
    well-formed ones (a host, a scheme, ``'self'``, ``*``); nothing well-formed: ``'none'``."""
    kept = [s for s in (value or "").split() if _FRAME_SOURCE.match(s)]
    return " ".join(kept) or "'none'"


def frameable(path: str) -> bool:
    return path == FRAMEABLE_PREFIX or path.startswith(FRAMEABLE_PREFIX + "/")


def content_security_policy(tile_url: str | None = None, frame_ancestors: str = "'none'") -> str:
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
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def secure_cookies(request: Request) -> bool:
    """Whether cookies set on this answer are ``Secure``: the request came over https (behind
    a trusted proxy, as its X-Forwarded-Proto says) or ``BELFORT_SECURE_COOKIES`` is on."""
    forced: bool = request.app.state.platform.settings.secure_cookies
    return forced or request.url.scheme == "https"


class SecurityHeaders:
    """Adds the headers of this module's text to every answer."""

    def __init__(self, app: ASGIApp, *, tile_url: str | None = None,
                 dashboard_frame_ancestors: str | None = "'self'") -> None:
        self.app = app
        self.html_headers = [
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", content_security_policy(tile_url).encode("latin-1")),
        ]
        # the City Dashboard's pages: framed by whom the setting names (CSP only: the
        # X-Frame-Options header cannot name sites, and CSP overrides it where known)
        framed = content_security_policy(tile_url, frame_sources(dashboard_frame_ancestors))
        self.frameable_headers = [(b"content-security-policy", framed.encode("latin-1"))]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        html_headers = (self.frameable_headers if frameable(scope.get("path", ""))
                        else self.html_headers)

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
                added += [(k, v) for k, v in html_headers if k not in names]
            return headers + added

        await self.app(scope, receive, rewriting_headers(send, add))
