"""Operating a node: readiness (``GET /ready``) and metrics (``GET /metrics``).

``/health`` (in ``belfort.app``) is liveness: the process answers. ``/ready`` says whether
this node can serve: it reads the catalogue database (``SELECT 1``) and the lake (its
``versions/`` directory) with a short deadline (``BELFORT_READY_TIMEOUT_SECONDS``) and
answers 200, or 503 with the reason, so a load balancer sends nobody to a node that lost
either. A check still running from an earlier call is waited for rather than started again,
so a hanging database never piles up threads.

``/metrics`` is read by a Prometheus scraper with ``Authorization: Bearer
<BELFORT_METRICS_TOKEN>``, or by an admin API key; anyone else is refused (401/403).
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from time import monotonic

from fastapi import APIRouter, Depends, Request
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort import metrics
from belfort.api.caller import identify
from belfort.api.deps import get_platform
from belfort.api.responses import JSONResponse
from belfort.audit.log import audit_log
from belfort.errors import BelfortError, Forbidden, Unauthorized
from belfort.platform import Platform
from belfort.policy.principals import Kind
from belfort.streams.mqtt import MqttBridgeSlot

router = APIRouter(tags=["operations"])
log = logging.getLogger("belfort.operations")

NO_STORE = {"Cache-Control": "no-store"}


class Readiness:
    """The node's readiness checks (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readiness")
        self._running: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._last_reasons: dict[str, str | None] = {}

    def _database(self) -> None:
        with self.platform.db.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()

    def _lake(self) -> None:
        self.platform.lake.probe()  # a directory listing, or the object store's bucket

    def check(self) -> dict[str, str | None]:
        """Each check's problem (None: fine), within the readiness deadline."""
        probes: dict[str, Callable[[], None]] = {"database": self._database, "lake": self._lake}
        deadline = monotonic() + self.platform.settings.ready_timeout_seconds
        futures: dict[str, Future[None]] = {}
        with self._lock:
            for name, probe in probes.items():
                running = self._running.get(name)
                if running is None or running.done():
                    running = self._running[name] = self._pool.submit(probe)
                futures[name] = running
        reasons: dict[str, str | None] = {}
        for name, future in futures.items():
            try:
                future.result(timeout=max(0.0, deadline - monotonic()))
                reasons[name] = None
            except FutureTimeout:
                reasons[name] = (f"{name} did not answer within "
                                 f"{self.platform.settings.ready_timeout_seconds:g} s")
            except BelfortError as exc:  # a typed failure knows its reason (no secrets)
                reasons[name] = f"{name} unreachable: {exc.message}"
                if self._last_reasons.get(name) is None:
                    log.warning("readiness: %s check failed: %s", name, exc.message)
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                reasons[name] = f"{name} unreachable ({type(exc).__name__})"
                if self._last_reasons.get(name) is None:  # log once per change, in full
                    log.warning("readiness: %s check failed: %s", name, exc)
        self._last_reasons = reasons
        return reasons

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@router.get("/ready", summary="Readiness: the database and the lake answer")
def ready(platform: Platform = Depends(get_platform)) -> JSONResponse:
    reasons = platform.component(Readiness, Readiness).check()
    checks = {name: reason or "ok" for name, reason in reasons.items()}
    problems = [reason for reason in reasons.values() if reason]
    if problems:
        return JSONResponse({"status": "unready", "reason": "; ".join(problems),
                             "checks": checks}, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "ready", "checks": checks}, headers=NO_STORE)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def may_read_metrics(request: Request) -> None:
    """The metrics token, or an admin key; else 401 (no or bad credentials) or 403."""
    token = request.app.state.platform.settings.metrics_token
    presented = _bearer(request)
    if token and presented and hmac.compare_digest(presented.encode(), token.encode()):
        return
    caller = await identify(request.scope, request.app.state.platform)
    if caller.refusal is not None:
        raise Unauthorized("metrics: present BELFORT_METRICS_TOKEN or an admin API key")
    if caller.principal.is_admin:
        return
    if caller.principal.kind is Kind.ANONYMOUS:
        raise Unauthorized("metrics: present BELFORT_METRICS_TOKEN or an admin API key")
    raise Forbidden("metrics are for the metrics token and admin keys")


@router.get("/metrics", summary="Metrics in Prometheus's text format",
            dependencies=[Depends(may_read_metrics)])
async def metrics_text(platform: Platform = Depends(get_platform)) -> Response:
    body = await run_in_threadpool(_scrape, platform)  # reads the workers' files
    return Response(body, media_type=metrics.CONTENT_TYPE, headers=NO_STORE)


def _scrape(platform: Platform) -> bytes:
    sample_queues(platform)
    return metrics.render()


def sample_queues(platform: Platform) -> None:
    """Set the queue-depth gauges of this process: the audit writer's entries waiting for
    their batch, the MQTT bridge's messages waiting to be written."""
    metrics.QUEUE_DEPTH.labels("audit_writer").set(audit_log(platform).pending)
    slot = platform.component(MqttBridgeSlot, lambda _: MqttBridgeSlot(None))
    metrics.QUEUE_DEPTH.labels("mqtt_inbox").set(slot.bridge.waiting if slot.bridge else 0)


class QueueSampler:
    """Samples the queue depths every ``every`` seconds in a serving process (each worker
    its own; ``/metrics`` adds them up)."""

    def __init__(self, platform: Platform, every: float = 5.0) -> None:
        self.platform = platform
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-sampler", daemon=True)

    def start(self) -> QueueSampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                sample_queues(self.platform)
            except Exception:  # noqa: BLE001 - a figure is never worth a dead thread
                log.exception("sampling the queue depths failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
