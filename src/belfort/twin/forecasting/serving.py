"""Forecasts made and kept: per sensor and per zone, the next 1–48 hours with the 80 %
interval, from the active model; and the models' live accuracy.

``refresh`` (a periodic job under a lease, and ``belfort twin forecast``) reads the last
``NEEDED_HISTORY`` hours of every sensor, withholds a sensor's forecast with the reason when
it is not in the model, has too little history or is in an outage (24+ zero hours, or no
observation in the last 24 hours), forecasts the others from the current hour on, turns the
sensors of each zone into a crowding score per hour (``passages``: count per hour / 3600 ×
dwell time, Little's law; ``occupancy``: the sum), and keeps each origin's forecasts for
``KEEP_DAYS`` days. Then it scores the forecasts made in the last 7 days against the hours
observed since: the live MAE, MASE (each sensor's MAE over its seasonal-naive error, m = 24,
over the hours read; the mean over sensors) and interval coverage per model version; a model
whose live MASE is above ``BELFORT_TWIN_FORECAST_DEGRADED_MASE`` over at least
``MIN_LIVE_HOURS`` forecast hours is flagged ``degraded``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from belfort.catalog.models import ForecastModelVersion, TwinForecast
from belfort.platform import Platform
from belfort.streams.model import now_us as clock_us
from belfort.twin import lease
from belfort.twin.forecast import features, metrics
from belfort.twin.forecast.backtest import MIN_HISTORY_HOURS, OUTAGE_MARGIN_HOURS, trusted_inputs
from belfort.twin.forecast.calendar import Calendar
from belfort.twin.forecast.model import ForecastModel
from belfort.twin.forecast.series import Panel, impute
from belfort.twin.forecasting import history, registry
from belfort.twin.observations import zone_sensors
from belfort.twin.zones import capacity, list_zones

HOUR_US = registry.HOUR_US
DAY_US = 24 * HOUR_US
KEEP_DAYS = 8
LIVE_DAYS = 7
MIN_LIVE_HOURS = 24
RECENT_HOURS = 24
WINDOW_HOURS = features.NEEDED_HISTORY + 24
LEASE = "forecast-refresher"
LEASE_SECONDS = 600.0
NO_MODEL = registry.NO_MODEL

Points = dict[str, list[float]]


def _round(values: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in values]


def _sensor_reasons(grid: Panel | None, model: ForecastModel,
                    sensors: list[tuple[str, str | None]]) -> tuple[dict[str, str],
                                                                    list[tuple[str, int, int]]]:
    """Per sensor the reason it gets no forecast; the others as (id, code, grid row)."""
    reasons: dict[str, str] = {}
    ok: list[tuple[str, int, int]] = []
    position = {s: i for i, s in enumerate(grid.sensors)} if grid else {}
    days = WINDOW_HOURS // 24
    for sensor_id, _ in sensors:
        code, i = model.codes.get(sensor_id), position.get(sensor_id)
        if code is None:
            reasons[sensor_id] = ("not in the model: it had too little history (or did not "
                                  "exist) when the model was trained")
        elif grid is None or i is None:
            reasons[sensor_id] = f"too little history: no observations in the last {days} days"
        else:
            o = grid.hours
            hours = int(grid.observed[i].sum())
            if hours < MIN_HISTORY_HOURS:
                reasons[sensor_id] = (f"too little history: {hours} observed hours in the last "
                                      f"{days} days, {MIN_HISTORY_HOURS} needed")
            elif grid.outage[i, o - 1]:
                reasons[sensor_id] = "sensor outage: 24 or more hours of zero counts up to now"
            elif not grid.observed[i, o - RECENT_HOURS:].any():
                reasons[sensor_id] = "sensor outage: no observation in the last 24 hours"
            else:
                ok.append((sensor_id, code, i))
    return reasons, ok


def _predict(grid: Panel, model: ForecastModel, ok: list[tuple[str, int, int]]
             ) -> dict[str, Points]:
    o, H = grid.hours, model.horizon
    filled, imputed = impute(grid, o)
    # the hours just after an outage are inputs no more than in training (fit_all)
    logs, imputed, _ = trusted_inputs(grid, o, OUTAGE_MARGIN_HOURS, filled, imputed)
    size = max(model.codes.values()) + 1
    logged = np.zeros((size, o))
    mask = np.ones((size, o), dtype=bool)
    for _, code, i in ok:
        logged[code] = logs[i]
        mask[code] = imputed[i]
    codes = np.array([code for _, code, _ in ok], dtype=np.int64)
    days = features.day_table(grid.start, o + H + 48, Calendar(model.country))
    matrix, _ = features.build(logged, mask, codes, np.array([o], dtype=np.int64), H,
                               grid.start.hour, days)
    found = {k: v.reshape(len(ok), H) for k, v in model.predict(matrix).items()}
    return {sensor_id: {k: _round(found[k][n]) for k in ("point", "lower", "upper")}
            for n, (sensor_id, _, _) in enumerate(ok)}


def _zones(platform: Platform, per_sensor: dict[str, Points], horizon: int
           ) -> dict[str, tuple[Points | None, str | None]]:
    """Per zone: its crowding score per hour (0–100), or why there is none. A zone whose
    sensors do not all have a forecast gets none (a partial sum would look calm)."""
    settings = platform.settings
    linked: dict[str, list[tuple[str, str]]] = {}
    for sensor_id, zone_id, counting in zone_sensors(platform):
        linked.setdefault(zone_id, []).append((sensor_id, counting))
    with platform.db.session() as session:
        zones = [(z.id, capacity(z, settings), z.dwell_seconds or settings.twin_dwell_seconds)
                 for z in list_zones(session)]
    out: dict[str, tuple[Points | None, str | None]] = {}
    for zone_id, cap, dwell in zones:
        mine = linked.get(zone_id, [])
        kinds = {c for _, c in mine}
        kind = "occupancy" if "occupancy" in kinds else "passages" if "passages" in kinds \
            else None
        if kind is None:
            out[zone_id] = (None, "no occupancy or passage counters linked to the zone"
                            if not mine else "entries and exits only: their running balance "
                            "is not forecast yet")
            continue
        used = [s for s, c in mine if c == kind]
        missing = [s for s in used if s not in per_sensor]
        if missing:
            out[zone_id] = (None, f"{len(missing)} of its {len(used)} sensors have no forecast "
                                  "(too little history or an outage)")
            continue
        factor = 1.0 if kind == "occupancy" else dwell / 3600.0
        points: Points = {}
        for part in ("point", "lower", "upper"):
            total = np.sum([per_sensor[s][part][:horizon] for s in used], axis=0) * factor
            points[part] = _round(np.clip(100.0 * total / cap, 0.0, 100.0))
        out[zone_id] = (points, None)
    return out


def refresh(platform: Platform, *, now_us: int | None = None) -> dict[str, Any]:
    """Make every sensor's and zone's forecast from the current hour on, keep it, and score
    the forecasts made in the last 7 days; a summary."""
    now = clock_us() if now_us is None else now_us
    origin = now - now % HOUR_US
    with platform.db.session() as session:
        row = registry.active(session)
        if row is None:
            return {"model": None, "reason": NO_MODEL}
        version, artefact = row.version, row.artefact
    model = registry.load(platform, version, artefact)
    sensors = history.all_sensors(platform)
    grid = history.panel(platform, sensors, origin - WINDOW_HOURS * HOUR_US, origin,
                         model.timezone)
    reasons, ok = _sensor_reasons(grid, model, sensors)
    per_sensor = _predict(grid, model, ok) if grid is not None and ok else {}
    per_zone = _zones(platform, per_sensor, model.horizon)
    made: list[tuple[str, str, Points | None, str | None]] = [
        *(("sensor", s, p, None) for s, p in per_sensor.items()),
        *(("sensor", s, None, r) for s, r in reasons.items()),
        *(("zone", z, p, r) for z, (p, r) in per_zone.items())]
    with platform.db.session() as session:
        for kind, subject, points, reason in made:
            session.merge(TwinForecast(kind=kind, subject=subject, origin_us=origin,
                                       model_version=version, made_us=now, points=points,
                                       reason=reason))
        session.execute(delete(TwinForecast).where(TwinForecast.origin_us
                                                   < now - KEEP_DAYS * DAY_US))
    live = score_live(platform, grid, origin, now) if grid is not None else {}
    if any(p is not None for p, _ in per_zone.values()):
        from belfort.twin.forecasting.dataset import ensure
        ensure(platform)  # drukteverwachting-per-zone: catalogue rows once
    return {"model": version, "origin": origin, "sensors": len(per_sensor),
            "sensors_withheld": len(reasons),
            "zones": sum(1 for p, _ in per_zone.values() if p is not None),
            "zones_withheld": sum(1 for p, _ in per_zone.values() if p is None),
            "live_accuracy": live}


def score_live(platform: Platform, grid: Panel, origin: int, now: int
               ) -> dict[str, dict[str, Any]]:
    """Score the sensor forecasts of the last 7 days against the hours observed since; kept
    on each model version (and ``degraded`` set). Per version: the figures."""
    zone = ZoneInfo(grid.timezone)
    o = grid.hours
    stamps = np.array([history.utc_us(grid.timestamp(i), zone) for i in range(o)],
                      dtype=np.int64)
    order = np.argsort(stamps, kind="stable")
    sorted_stamps = stamps[order]
    position = {s: i for i, s in enumerate(grid.sensors)}
    scale = metrics.naive_scale(grid.values, o)
    errors: dict[str, dict[str, list[float]]] = {}  # version → sensor → abs errors
    inside: dict[str, list[bool]] = {}
    with platform.db.session() as session:
        rows = session.execute(select(TwinForecast.subject, TwinForecast.origin_us,
                                      TwinForecast.model_version, TwinForecast.points)
                               .where(TwinForecast.kind == "sensor",
                                      TwinForecast.origin_us >= origin - LIVE_DAYS * DAY_US,
                                      TwinForecast.origin_us < origin)).all()
    for subject, made_at, version, points in rows:
        i = position.get(subject)
        if i is None or not points or version is None:
            continue
        point = np.asarray(points["point"], dtype=float)
        at = made_at + np.arange(point.size, dtype=np.int64) * HOUR_US
        spot = np.searchsorted(sorted_stamps, at)
        valid = (spot < o) & (at < origin)
        spot = np.where(valid, spot, 0)
        valid &= sorted_stamps[spot] == at
        index = order[spot[valid]]
        truth = grid.values[i, index]
        seen = ~np.isnan(truth)
        if not seen.any():
            continue
        err = np.abs(point[valid][seen] - truth[seen])
        errors.setdefault(version, {}).setdefault(subject, []).extend(err.tolist())
        low = np.asarray(points["lower"], dtype=float)[valid][seen]
        high = np.asarray(points["upper"], dtype=float)[valid][seen]
        inside.setdefault(version, []).extend(((truth[seen] >= low) & (truth[seen] <= high))
                                              .tolist())
    found: dict[str, dict[str, Any]] = {}
    for version, per_sensor in errors.items():
        every = [e for errs in per_sensor.values() for e in errs]
        mases = [float(np.mean(errs)) / float(scale[position[s]])
                 for s, errs in per_sensor.items()
                 if np.isfinite(scale[position[s]]) and scale[position[s]] > 0]
        found[version] = {"mae": round(float(np.mean(every)), 3),
                          "mase": round(float(np.mean(mases)), 4) if mases else None,
                          "coverage": round(float(np.mean(inside[version])), 4),
                          "hours": len(every)}
    with platform.db.session() as session:
        _keep(session, found, now, platform.settings.twin_forecast_degraded_mase)
    return found


def _keep(session: Session, found: dict[str, dict[str, Any]], now: int, limit: float) -> None:
    for version, figures in found.items():
        row = session.scalar(select(ForecastModelVersion)
                             .where(ForecastModelVersion.version == version))
        if row is None:
            continue
        row.live_mae, row.live_mase = figures["mae"], figures["mase"]
        row.live_coverage, row.live_hours = figures["coverage"], figures["hours"]
        row.live_updated_us = now
        row.degraded = bool(figures["hours"] >= MIN_LIVE_HOURS and figures["mase"] is not None
                            and figures["mase"] > limit)


def refresh_under_lease(platform: Platform, holder: str, *, now_us: int | None = None
                        ) -> dict[str, Any] | None:
    """``refresh`` by one process at a time; None when another process is refreshing."""
    now = clock_us() if now_us is None else now_us
    if not lease.take(platform, LEASE, holder, LEASE_SECONDS):
        return None
    try:
        return refresh(platform, now_us=now)
    finally:
        lease.release(platform, LEASE, holder)
