"""ASGI middleware: the ``Cache-Status`` header of HTTP responses (``belfort.cache_status``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from belfort.api.asgi_headers import Headers, rewriting_headers
from belfort.cache_status import HEADER, header_value, recording

_HEADER = HEADER.lower().encode("latin-1")


class CacheStatusMiddleware:
    """Records which kept answers a request used and reports them in its response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with recording() as seen:

            def add_status(headers: Headers) -> Headers:
                value = header_value(seen)
                if value is None:
                    return headers
                kept = [(k, v) for k, v in headers if k.lower() != _HEADER]
                return [*kept, (_HEADER, value.encode("latin-1"))]

            await self.app(scope, receive, rewriting_headers(send, add_status))
