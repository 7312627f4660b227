"""ASGI middleware: the ``Cache-Status`` header of HTTP responses (``belfort.cache_status``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

            async def send_with_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    value = header_value(seen)
                    if value is not None:
                        headers = [
                            (k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER
                        ]
                        message = {
                            **message,
                            "headers": [*headers, (_HEADER, value.encode("latin-1"))],
                        }
                await send(message)

            await self.app(scope, receive, send_with_status)
