"""Request quotas per API key and per client address, answered the Opendatasoft way.

A fixed window per caller: ``BELFORT_QUOTA_PER_ADDRESS`` requests per
``BELFORT_QUOTA_WINDOW_SECONDS`` for anonymous callers (by client address) and
``BELFORT_QUOTA_PER_KEY`` for callers with a valid API key (by key). 0 means unlimited.
Who the caller is comes from :func:`belfort.api.caller.identify`, the function
authentication uses too; a public app key or a refused key counts by address.
Every answer carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset``; over quota the answer is 429 with Opendatasoft's body.

With the embedded SQLite catalogue the counters live in the process: with several server
workers, each enforces the quota on the requests it serves. With a PostgreSQL catalogue they
live in the database (``DatabaseWindowCounter``), so every worker of every node sharing it
counts against the same quota, and the windows follow the database's clock, not the nodes'
(see docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from belfort.api.asgi_headers import rewriting_headers
from belfort.api.caller import identify
from belfort.api.errors import database_unavailable
from belfort.api.responses import dumps

EXEMPT_PATHS = {"/health", "/ready", "/metrics"}  # probes and scrapers are never counted
MAX_TRACKED_CALLERS = 100_000


class FixedWindowCounter:
    """Counts calls per caller in windows of ``window`` seconds."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._window_start = self._current_window()

    def _current_window(self) -> float:
        return (time.time() // self.window) * self.window

    def hit(self, caller: str) -> tuple[int, float]:
        """Count one call; return (calls in this window, when the window resets)."""
        with self._lock:
            start = self._current_window()
            if start != self._window_start or len(self._counts) > MAX_TRACKED_CALLERS:
                self._counts.clear()
                self._window_start = start
            count = self._counts.get(caller, 0) + 1
            self._counts[caller] = count
            return count, start + self.window


_HIT = text(
    "INSERT INTO quota_counts (bucket, window_start, calls) "
    "VALUES (:bucket, CAST(floor(extract(epoch FROM clock_timestamp()) / :window) AS bigint) * :window, :add) "
    "ON CONFLICT (bucket, window_start) DO UPDATE SET calls = quota_counts.calls + :add "
    "RETURNING calls, window_start, extract(epoch FROM clock_timestamp())"
)
_FORGET = text("DELETE FROM quota_counts WHERE window_start < :before")
MAX_BATCH = 20  # calls a node may admit for one caller before it adds them to the database
SYNC_SECONDS = 1.0  # … and at least this often


@dataclass
class _Seen:
    """What this process knows of one caller's window: the database's count when it last
    added to it, and the calls it has admitted since without telling the database."""

    window_start: int
    known: int
    pending: int
    synced_at: float  # time.monotonic()
    window_ends: float  # time.monotonic() at which the database's window ends


class DatabaseWindowCounter:
    """Counts calls per caller in fixed windows in a PostgreSQL catalogue (``quota_counts``),
    so all nodes sharing the database count together: an atomic upsert adds to the caller's
    row. Windows are cut by the database's clock. Callers are stored as a hash (no address or
    key id in the table). Rows of windows before the previous one are deleted once per window.

    A small local batch keeps the database off most requests of a busy caller: while a
    caller has used less than half of its limit (as last read), a process admits up to
    ``limit // 10`` (at most ``MAX_BATCH``) calls before it adds them to the row, and adds
    them at least every ``SYNC_SECONDS``; from half the limit on, every call goes to the
    database. Calls another node admitted from its batch in the last second may be unseen, so
    with N nodes a caller may get up to N batches (N × limit/10) past its limit in the worst
    case; with one node, and with small limits (under 10), the limit is exact."""

    def __init__(self, engine: Engine, window: int) -> None:
        self.engine = engine
        self.window = max(int(window), 1)
        self._forgotten_before = 0
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    @staticmethod
    def bucket(caller: str) -> str:
        return hashlib.sha256(caller.encode()).hexdigest()

    def hit_locally(self, caller: str, limit: int) -> tuple[int, float] | None:
        """Count one call without the database when the batch allows it (None: it does not;
        call ``hit``). Cheap enough for the event loop."""
        batch = min(MAX_BATCH, limit // 10)
        if batch <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(self.bucket(caller))
            if (seen is None or seen.pending >= batch or now - seen.synced_at >= SYNC_SECONDS
                    or now >= seen.window_ends or seen.known + seen.pending + 1 > limit // 2):
                return None
            seen.pending += 1
            return seen.known + seen.pending, float(seen.window_start + self.window)

    def hit(self, caller: str, limit: int = 0) -> tuple[int, float]:
        """Count one call (and the calls admitted locally before it) in the database;
        return (calls in this window, when the window resets)."""
        bucket = self.bucket(caller)
        with self._lock:
            seen = self._seen.get(bucket)
            add = 1 + (seen.pending if seen is not None else 0)
            if seen is not None:
                seen.pending = 0
        with self.engine.begin() as connection:
            calls, start, db_now = connection.execute(
                _HIT, {"bucket": bucket, "window": self.window, "add": add}).one()
            if start > self._forgotten_before:
                self._forgotten_before = int(start)
                connection.execute(_FORGET, {"before": start - self.window})
        if limit // 10 > 0:
            now = time.monotonic()
            with self._lock:
                if len(self._seen) >= MAX_TRACKED_CALLERS:
                    self._seen = {k: v for k, v in self._seen.items() if v.pending}
                pending = self._seen[bucket].pending if bucket in self._seen else 0
                self._seen[bucket] = _Seen(int(start), int(calls), pending, now,
                                           now + float(start + self.window - float(db_now)))
        return int(calls), float(start + self.window)


def _address(scope: Scope, trust_forwarded_for: bool) -> str:
    """The client address: the peer, as ``BELFORT_TRUSTED_PROXIES`` already resolved it; with
    ``BELFORT_TRUST_FORWARDED_FOR``, the *last* ``X-Forwarded-For`` entry (the one the nearest
    proxy appended) — never the first, which the client writes itself."""
    address: str = (scope.get("client") or ("unknown", 0))[0]
    if trust_forwarded_for:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        forwarded = [v for k, v in headers if k.lower() == b"x-forwarded-for"]
        entries = [e.strip() for e in b",".join(forwarded).decode("latin-1").split(",") if e.strip()]
        if entries:
            return entries[-1]
    return address


class QuotaMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        per_address: int,
        per_key: int,
        window_seconds: float,
        trust_forwarded_for: bool = False,
    ) -> None:
        self.app = app
        self.per_address = per_address
        self.per_key = per_key
        self.window_seconds = window_seconds
        self.trust_forwarded_for = trust_forwarded_for
        self.counter = FixedWindowCounter(window_seconds)
        self._shared: DatabaseWindowCounter | None = None

    def _shared_counter(self, scope: Scope) -> DatabaseWindowCounter | None:
        """The database's counter when the platform's catalogue is shared (PostgreSQL)."""
        if self._shared is None:
            db = scope["app"].state.platform.db
            if not db.shared:
                return None
            self._shared = DatabaseWindowCounter(db.engine, int(self.window_seconds))
        return self._shared

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.per_key <= 0 and self.per_address <= 0:
            await self.app(scope, receive, send)
            return
        # the same decision as authentication's (belfort.api.caller): only a valid key
        # counts under a key's quota; a junk one counts by address (and is refused, 401)
        identity = await identify(scope, scope["app"].state.platform)
        key_id = identity.quota_key
        limit = self.per_key if key_id else self.per_address
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        bucket = f"key:{key_id}" if key_id else "addr:" + _address(scope, self.trust_forwarded_for)
        shared = self._shared_counter(scope)
        if shared is None:
            count, reset = self.counter.hit(bucket)
        else:
            try:
                found = shared.hit_locally(bucket, limit)
                if found is None:
                    found = await run_in_threadpool(shared.hit, bucket, limit)
                count, reset = found
            except SQLAlchemyError as exc:
                await _unavailable(scope, send, exc)
                return
        headers = [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", str(max(limit - count, 0)).encode()),
            (b"x-ratelimit-reset", str(int(reset)).encode()),
        ]
        if count > limit:
            await self._refuse(send, limit, reset, headers)
            return

        await self.app(scope, receive, rewriting_headers(send, lambda sent: sent + headers))

    async def _refuse(self, send: Send, limit: int, reset: float, headers: list[Any]) -> None:
        body = dumps({
            "errorcode": 10002,
            "reset_time": datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "limit_time_unit": _unit(self.window_seconds),
            "call_limit": limit,
            "error": "Too many requests. Please retry after the reset time or contact the "
                     "platform administrator for a higher quota.",
        })
        retry_after = max(int(reset - time.time()), 1)
        await send({
            "type": "http.response.start",
            "status": 429,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(retry_after).encode()), *headers],
        })
        await send({"type": "http.response.body", "body": body})


async def _unavailable(scope: Scope, send: Send, exc: SQLAlchemyError) -> None:
    """503: the quota is counted in the catalogue database, which did not answer — the same
    answer as every other request that needs it (``belfort.api.errors.database_unavailable``)."""
    response = database_unavailable(scope.get("path", ""), exc)
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _unit(seconds: float) -> str:
    return {60: "minute", 3600: "hour", 86400: "day"}.get(int(seconds), f"{int(seconds)} seconds")
