"""The answer of an export: streamed (CSV, JSON, JSON Lines, GeoJSON) or a file written
first (XLSX, Parquet of a selection), watching its client all along.

While the query runs and the body is written, a task listens for the client's disconnect
and cancels the ``ResultStream`` (the DuckDB query is interrupted, the writer stops at the
next slice), so no core keeps working for nobody. The stream's time budget
(``BELFORT_EXPORT_TIMEOUT_SECONDS``) ends it too:

- before the first byte (the query's first batch, or the whole file), its ``QueryTimeout``
  goes to the error handlers: 503 with a clear message;
- after the first byte the status has gone out, so the answer ends without the end of the
  chunked body: the server closes the connection and the client sees an incomplete
  transfer, never a file that looks whole (docs/security.md, "Exports").
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import anyio
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from belfort.api.threads import run_waiting
from belfort.errors import BelfortError
from belfort.query.streams import ResultStream

log = logging.getLogger("belfort.api.exports")

_END = object()


def _next(body: Iterator[bytes]) -> Any:
    return next(body, _END)


class _WatchedExport(Response):
    """Runs ``_respond`` while a task listens for the client's disconnect."""

    stream: ResultStream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        failure: Exception | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(self._listen, receive)
            try:
                await self._respond(scope, receive, send)
            except Exception as exc:  # re-raised below, outside the task group
                failure = exc
            finally:
                group.cancel_scope.cancel()
        await anyio.to_thread.run_sync(self._finish)
        if failure is not None and not self.stream.cancelled:
            raise failure

    async def _listen(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.stream.cancel()
                return

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        self.stream.close()


class StreamedExport(_WatchedExport):
    """``body`` (bytes written from ``stream``'s batches) streamed as it is made."""

    def __init__(self, body: Iterator[bytes], stream: ResultStream, *, media_type: str,
                 headers: Mapping[str, str] | None = None) -> None:
        self.body_iterator = body
        self.stream = stream
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body_iterator
        # Before the first byte: run until the query gave its first batch (or ended), so
        # that its errors and time-outs are still a proper error answer.
        pending: list[bytes] = []
        ended = False
        while not self.stream.started:
            chunk = await run_waiting(_next, body)
            if chunk is _END:
                ended = True
                break
            pending.append(chunk)
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        try:
            for chunk in pending:
                await self._send_body(send, chunk)
            while not ended:
                chunk = await run_waiting(_next, body)
                if chunk is _END:
                    break
                await self._send_body(send, chunk)
        except BelfortError as exc:
            if not self.stream.cancelled:
                log.warning("export cut off after its first byte (%s): %s",
                            scope.get("path"), exc.message)
            return  # without the body's end: the server closes the connection
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_body(self, send: Send, chunk: bytes) -> None:
        try:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except OSError:  # the client went away (servers of ASGI spec 2.4 say so here)
            self.stream.cancel()
            raise

    def _finish(self) -> None:
        close = getattr(self.body_iterator, "close", None)
        if callable(close):
            close()
        super()._finish()


class FileExport(_WatchedExport):
    """A file written by ``build`` (reading ``stream``) into a temporary path, then sent and
    removed."""

    def __init__(self, build: Callable[[], str], stream: ResultStream, *, media_type: str,
                 filename: str) -> None:
        self.build = build
        self.stream = stream
        self.filename = filename
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers(None)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = await anyio.to_thread.run_sync(self.build)
        try:
            answer = FileResponse(path, media_type=self.media_type, filename=self.filename)
            await answer(scope, receive, send)
        finally:
            await anyio.to_thread.run_sync(os.unlink, path)
