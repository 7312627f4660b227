"""ASGI middleware: a request id per request, and the request's figures (``belfort.metrics``).

The request id is the incoming ``X-Request-ID`` when it is sane (``belfort.logs.
accept_request_id``), else a new one; it is echoed in the response's ``X-Request-ID`` and
set in ``belfort.logs.REQUEST_ID`` for the request's task, so the access log line and every
log line written while answering carry it.

Counted per request: route family, method and status class; the time to the answer's last
byte; requests in flight. (Which stores of kept answers it consulted is counted where they
are recorded, ``belfort.api.cache_header``.)
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from belfort import metrics
from belfort.logs import REQUEST_ID, accept_request_id, new_request_id

REQUEST_ID_HEADER = b"x-request-id"


def incoming_request_id(scope: Scope) -> str | None:
    """The one sane ``X-Request-ID`` a request carries, or None (none, several, or not sane)."""
    found = [v for k, v in scope.get("headers", []) if k.lower() == REQUEST_ID_HEADER]
    if len(found) != 1:
        return None
    return accept_request_id(found[0].decode("latin-1"))


class Observability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or new_request_id()
        # Not reset afterwards: the request's task ends with it, and an unhandled error is
        # answered (and logged) by Starlette's outermost middleware, outside this one.
        REQUEST_ID.set(request_id)
        family = metrics.family_of(scope.get("path", ""))
        started = time.perf_counter()
        status = 500
        echoed = request_id.encode("latin-1")

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != REQUEST_ID_HEADER]
                message = {**message, "headers": [*headers, (REQUEST_ID_HEADER, echoed)]}
            await send(message)

        metrics.HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            metrics.HTTP_IN_FLIGHT.dec()
            metrics.HTTP_REQUESTS.labels(family, metrics.method_label(scope.get("method", "")),
                                         metrics.status_class(status)).inc()
            metrics.HTTP_DURATION.labels(family).observe(time.perf_counter() - started)
