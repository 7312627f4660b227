"""The forecast a tile shows beside its live value (``forecast:`` in a tile's spec).

The forecasts are made by ``belfort.twin.forecasting``, a layer above this package; the
application gives each platform its reader (``set_forecast_reader``, from ``belfort.app``),
as it gives the alert rules their forecast source. Without a reader (a process that does not
serve forecasts) a tile's forecast says so.

- ``zone``: one zone's crowding score per hour (public, as the crowding now);
- ``sensor``: one sensor's counts per hour, only for a viewer who may read the sensor's
  observations (the gate on the sensor's live dataset; staff: every sensor) — a sensor the
  viewer may not read answers as one that does not exist: "no forecast for this sensor";
- ``zones: "*"``: every zone's (at most ``MAX_ZONES``).

The answer (``tile_forecast``) is plain data: which model made it, how accurate it has been,
the link to its page (``/voorspellingen/modellen/{version}``) and per zone or sensor the
points with their 80 % interval, or why there is none (``withheld``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from belfort.catalog.models import Sensor, TwinForecast
from belfort.dashboards.spec import ForecastRef
from belfort.platform import Platform
from belfort.policy.principals import Principal

MAX_ZONES = 40
KEEP_SECONDS = 10.0
MAX_KEPT = 256
NOT_SERVED = "forecasts are not served by this process"
NO_SENSOR = "no forecast for this sensor"
MODEL_PAGE = "/voorspellingen/modellen/"

#: (platform, "zone" or "sensor", subject, hours) → the API's forecast answer
OneForecast = Callable[[Platform, str, str, int], dict[str, Any]]
#: platform → (zone id, zone name) of every zone
ZoneList = Callable[[Platform], list[tuple[str, str]]]


@dataclass(frozen=True)
class ForecastReader:
    one: OneForecast
    zones: ZoneList


class _Slot:
    def __init__(self, platform: Platform) -> None:
        self.reader: ForecastReader | None = None
        # public forecasts (zones) per (kind, subject, hours, newest made): (expiry, answer)
        self.kept: dict[tuple[str, str, int, int], tuple[float, dict[str, Any]]] = {}


def set_forecast_reader(platform: Platform, reader: ForecastReader | None) -> None:
    slot = platform.component(_Slot, _Slot)
    slot.reader, slot.kept = reader, {}


def forecast_reader(platform: Platform) -> ForecastReader | None:
    return platform.component(_Slot, _Slot).reader


def newest_made(platform: Platform) -> int:
    """When the newest forecast was made (µs; 0 without any): one indexed look-up, part of
    a live dashboard's mark, so that a forecast refresh is pushed to open dashboards."""
    with platform.db.session() as session:
        return int(session.scalar(select(func.max(TwinForecast.made_us))) or 0)


def tile_forecast(platform: Platform, principal: Principal, ref: ForecastRef,
                  may_read: Callable[[str], bool]) -> dict[str, Any]:
    """The tile's forecast for this principal; ``may_read(dataset_id)``: whether the principal
    may read a sensor dataset's observations (the gate). A zone's answer is the same for
    everyone and kept ``KEEP_SECONDS`` at most, and only until a newer forecast is made (a
    refresh, 15 minutes by default): the live stream computes tiles at every change it sees."""
    if ref.kind == "sensor":
        return _tile_forecast(platform, principal, ref, may_read)
    slot = platform.component(_Slot, _Slot)
    key = (ref.kind, ref.subject, ref.hours, newest_made(platform))
    kept = slot.kept.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return copy.deepcopy(kept[1])
    found = _tile_forecast(platform, principal, ref, may_read)
    if len(slot.kept) >= MAX_KEPT:
        slot.kept.clear()
    slot.kept[key] = (time.monotonic() + KEEP_SECONDS, copy.deepcopy(found))
    return found


def _tile_forecast(platform: Platform, principal: Principal, ref: ForecastRef,
                   may_read: Callable[[str], bool]) -> dict[str, Any]:
    found: dict[str, Any] = {"kind": ref.kind, "hours": ref.hours, "made": None,
                             "model": None, "series": [], "withheld": None}
    reader = forecast_reader(platform)
    if reader is None:
        found["withheld"] = NOT_SERVED
        return found
    if ref.kind == "zones":
        subjects = [("zone", z, name) for z, name in reader.zones(platform)[:MAX_ZONES]]
    elif ref.kind == "zone":
        names = dict(reader.zones(platform))
        subjects = [("zone", ref.subject, names.get(ref.subject, ref.subject))]
    else:
        subjects = [("sensor", ref.subject, ref.subject)]
    for kind, subject, name in subjects:
        if kind == "sensor" and not _readable_sensor(platform, principal, subject, may_read):
            found["series"].append({"id": subject, "name": name, "points": [],
                                    "unit": None, "withheld": NO_SENSOR})
            continue
        answer = reader.one(platform, kind, subject, ref.hours)
        found["series"].append({"id": subject, "name": name, "points": answer["points"],
                                "unit": answer["unit"], "withheld": answer["withheld"]})
        if found["model"] is None and answer.get("model"):
            model = dict(answer["model"])
            model["link"] = MODEL_PAGE + quote(str(model["version"]), safe="")
            found["model"] = model
        if answer.get("made") and (found["made"] is None or answer["made"] > found["made"]):
            found["made"] = answer["made"]
    if not subjects:
        found["withheld"] = "there are no zones yet"
    elif not any(s["points"] for s in found["series"]):
        reasons = {s["withheld"] for s in found["series"] if s["withheld"]}
        found["withheld"] = reasons.pop() if len(reasons) == 1 else (
            "no zone has a forecast" if reasons else "no forecast for the coming hours")
    return found


def _readable_sensor(platform: Platform, principal: Principal, sensor_id: str,
                     may_read: Callable[[str], bool]) -> bool:
    with platform.db.session() as session:
        dataset_id = session.scalar(select(Sensor.dataset_id).where(Sensor.id == sensor_id))
    return dataset_id is not None and may_read(dataset_id)
