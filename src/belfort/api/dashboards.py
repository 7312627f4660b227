"""The City Dashboard's API: dashboards and their tiles as JSON, and the live push (SSE).

``GET /api/belfort/v1/dashboards/{id}/events`` is a ``text/event-stream``: a first
``tiles`` event with every tile, then one event with the tiles that changed, whenever the
database says something changed (``belfort.dashboards.live.mark``: new observations in the
hot store, a catalogue write, an edit of the dashboard) — at most one event per
``BELFORT_DASHBOARD_MIN_INTERVAL_SECONDS``, a ``: heartbeat`` comment on an idle stream, at
most ``BELFORT_DASHBOARD_MAX_STREAMS`` streams per process (503 beyond), and it stops when the
client goes away. The tiles of a change are computed at once and, when
``BELFORT_LIVE_REFRESH_SECONDS`` has passed since the change, once more (a live dataset such as
``drukte-per-zone`` may have answered with its file of just before): what differs then is sent
too. Tiles read through the gate with the caller's principal. After the first tiles, an
``alerts`` event carries the active crowding alerts (``belfort.twin.alerts``) whenever one is
raised, acknowledged or cleared (their advice to signed-in callers only): the dashboard's
banner. When the node shuts down (SIGTERM) the stream sends ``retry: 1000`` and an
``event: reconnect`` and ends (``belfort.api.shutdown``).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from belfort.api import shutdown
from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.dashboards import live
from belfort.dashboards.store import get_dashboard, list_dashboards
from belfort.errors import DashboardNotFound, TooManyStreams
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.twin.alerts.store import banner, banner_mark

router = APIRouter(prefix="/api/belfort/v1", tags=["dashboards"],
                   default_response_class=JSONResponse)

DashboardId = Path(..., max_length=60, description="The dashboard's id, e.g. `gent`.")


@router.get("/dashboards", summary="The City Dashboards")
def dashboards(platform: Platform = Depends(get_platform)) -> JSONResponse:
    with platform.db.session() as session:
        found = list_dashboards(session)
    return JSONResponse({"dashboards": [
        {"id": d.id, "title": d.spec.title.to_dict(), "revision": d.revision,
         "tiles": [t.id for t in d.spec.tiles],
         "links": {"page": f"/dashboards/{d.id}",
                   "events": f"/api/belfort/v1/dashboards/{d.id}/events"}}
        for d in found]})


@router.get("/dashboards/{dashboard_id}", summary="One dashboard: its spec and its tiles now")
def dashboard(dashboard_id: str = DashboardId, platform: Platform = Depends(get_platform),
              principal: Principal = Depends(get_principal)) -> JSONResponse:
    with platform.db.session() as session:
        stored = get_dashboard(session, dashboard_id)
    return JSONResponse({
        "id": stored.id, "revision": stored.revision, "title": stored.spec.title.to_dict(),
        "source": stored.source,
        "tiles": live.compute(platform, principal, stored, count_use=True),
    })


@router.get("/dashboards/{dashboard_id}/events", summary="Live tiles (Server-Sent Events)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`tiles` events: the changed tiles' data"}})
async def events(request: Request, dashboard_id: str = DashboardId,
                 platform: Platform = Depends(get_platform),
                 principal: Principal = Depends(get_principal)) -> StreamingResponse:
    return await event_stream(request, platform, principal, dashboard_id)


async def event_stream(request: Request, platform: Platform, principal: Principal,
                       dashboard_id: str) -> StreamingResponse:
    """The live stream of one dashboard for one principal (the portal serves it to signed-in
    staff at ``/dashboards/{id}/events`` with their session)."""
    first = await run_in_threadpool(live.mark, platform, dashboard_id)  # 404 before anything
    slots = live.stream_slots(platform)
    if not slots.take():
        raise TooManyStreams(
            f"this server already serves {slots.limit} live dashboard streams; try again later")
    return StreamingResponse(
        _events(request, platform, principal, dashboard_id, first, slots),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def alert_banner(platform: Platform, principal: Principal, before: tuple[int, int]
                 ) -> tuple[tuple[int, int], list[dict[str, Any]]] | None:
    """The active crowding alerts when they changed since ``before`` (None otherwise); their
    advice for signed-in callers only."""
    with platform.db.session() as session:
        now = banner_mark(session)
        if now == before:
            return None
        return now, banner(session, with_advice=principal.is_signed_in)


async def _events(request: Request, platform: Platform, principal: Principal, dashboard_id: str,
                  first: live.Mark, slots: live.StreamSlots) -> AsyncIterator[bytes]:
    settings = platform.settings
    shots = live.snapshots(platform)
    sent: dict[str, dict[str, Any]] | None = None
    shown: live.Mark | None = None
    at: live.Mark | None = first
    last_event = -math.inf
    last_write = seen = time.monotonic()  # seen: when the mark ``at`` was first read
    settle: float | None = None  # when to look at the data of ``at`` once more
    refresh = settings.live_refresh_seconds
    alerts_mark: tuple[int, int] = (0, 0)  # no alert ever: nothing to send
    try:
        yield b"retry: 2000\n\n"
        while True:
            if shutdown.requested():  # the node stops: reconnect (to another node) soon
                yield shutdown.RECONNECT_EVENT
                return
            now = time.monotonic()
            if at != shown and now - last_event >= settings.dashboard_min_interval_seconds:
                assert at is not None
                tiles = await run_in_threadpool(shots.tiles, principal, dashboard_id, at)
                diff = live.changed(sent, tiles)
                sent, shown = tiles, at
                # live datasets (crowding) may have answered with their file of before: once
                # it has surely been looked up again, the tiles are computed once more
                settle = None if at.settled or refresh <= 0 else seen + refresh + 0.01
                if diff:
                    body = orjson.dumps({"dashboard": dashboard_id, "mark": at.high_water,
                                         "tiles": diff})
                    yield b"event: tiles\nid: " + str(at.high_water).encode() + b"\ndata: " \
                        + body + b"\n\n"
                    last_event = last_write = time.monotonic()
            elif now - last_write >= settings.dashboard_heartbeat_seconds:
                yield b": heartbeat\n\n"
                last_write = now
            if shown is not None:  # the crowding alerts' banner, once the tiles are there
                found_alerts = await run_in_threadpool(alert_banner, platform, principal,
                                                       alerts_mark)
                if found_alerts is not None:
                    alerts_mark, active = found_alerts
                    yield b"event: alerts\ndata: " + orjson.dumps({"alerts": active}) + b"\n\n"
                    last_write = time.monotonic()
            pause = settings.dashboard_poll_seconds
            if at != shown:  # a change waits for the minimum interval: not a moment longer
                wait = last_event + settings.dashboard_min_interval_seconds - time.monotonic()
                pause = max(0.005, min(pause, wait))
            elif settle is not None:
                pause = max(0.005, min(pause, settle - time.monotonic()))
            await asyncio.sleep(pause)
            if await request.is_disconnected():
                return
            try:
                found = await run_in_threadpool(live.mark, platform, dashboard_id)
            except DashboardNotFound:
                yield b"event: gone\ndata: {}\n\n"
                return
            if not found.same_data(at):
                at, seen, settle = found, time.monotonic(), None
            elif settle is not None and time.monotonic() >= settle and at is not None:
                at, settle = replace(at, settled=True), None
    finally:
        slots.give_back()
