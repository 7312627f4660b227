"""ASGI middleware: the ``Cache-Status`` header of HTTP responses (``belfort.cache_status``),
and the same look-ups counted for ``/metrics``."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from belfort import metrics
from belfort.api.asgi_headers import Headers, rewriting_headers
from belfort.cache_status import ANSWERS, HEADER, PAGES, RESULTS, SPARQL, header_value, recording

_HEADER = HEADER.lower().encode("latin-1")
STORES = frozenset({ANSWERS, RESULTS, SPARQL, PAGES})  # the stores /metrics counts


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

            try:
                await self.app(scope, receive, rewriting_headers(send, add_status))
            finally:
                count_lookups(seen)


def count_lookups(seen: dict[str, bool]) -> None:
    """``/metrics``' cache look-ups: per store of kept answers the request consulted."""
    for store, hit in seen.items():
        if store in STORES:
            metrics.CACHE_LOOKUPS.labels(store, "hit" if hit else "miss").inc()
