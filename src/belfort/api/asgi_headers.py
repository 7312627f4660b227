"""Rewriting a response's headers from ASGI middleware, in one place.

The quota, caching, CORS and ``Cache-Status`` middlewares each change the headers of the
answer that passes through them; they wrap ``send`` with :func:`rewriting_headers` and say
only *how* the headers change.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Message, Send

Headers = list[tuple[bytes, bytes]]


def rewriting_headers(send: Send, rewrite: Callable[[Headers], Headers]) -> Send:
    """``send``, with the headers of the response start passed through ``rewrite``."""

    async def send_rewritten(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": rewrite(list(message.get("headers", [])))}
        await send(message)

    return send_rewritten
