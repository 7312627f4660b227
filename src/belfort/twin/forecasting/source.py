"""Reading the forecasts made: the answers of ``/sensors/{id}/forecast`` and
``/zones/{id}/forecast``, and the alerts' :class:`ForecastSource` (``install``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import ForecastModelVersion, TwinForecast
from belfort.platform import Platform
from belfort.streams.model import now_us as clock_us
from belfort.twin.alerts.forecast import ForecastPoint, ZoneForecast, set_forecast_source
from belfort.twin.forecasting import registry
from belfort.twin.forecasting.registry import HOUR_US, NO_MODEL
from belfort.twin.score import label
from belfort.twin.zones import list_zones

#: A forecast made longer ago than this is not served (the refresh job has stopped).
STALE_HOURS = 6
UNITS = {"sensor": "count per hour", "zone": "crowding score (0-100)"}


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


def newest(session: Session, kind: str, subject: str, now: int) -> TwinForecast | None:
    """The most recent forecast of a sensor or zone made before ``now`` (and not stale)."""
    return session.scalar(select(TwinForecast).where(
        TwinForecast.kind == kind, TwinForecast.subject == subject,
        TwinForecast.origin_us <= now, TwinForecast.origin_us > now - STALE_HOURS * HOUR_US)
        .order_by(TwinForecast.origin_us.desc()).limit(1))


def _model(session: Session, version: str | None) -> ForecastModelVersion | None:
    if version is None:
        return None
    return session.scalar(select(ForecastModelVersion)
                          .where(ForecastModelVersion.version == version))


def _ahead(row: TwinForecast, hours: int, now: int) -> list[tuple[int, float, float, float]]:
    """(hour start µs, point, lower, upper) from the current hour on, ``hours`` of them."""
    points = row.points or {}
    current = now - now % HOUR_US
    found = []
    for k, value in enumerate(points.get("point") or []):
        at = row.origin_us + k * HOUR_US
        if current <= at < current + hours * HOUR_US:
            found.append((at, value, points["lower"][k], points["upper"][k]))
    return found


def forecast_dict(platform: Platform, kind: str, subject: str, hours: int,
                  now_us: int | None = None) -> dict[str, Any]:
    """A sensor's or zone's forecast for the next ``hours`` hours as the API answers it:
    the points with their 80 % interval, which model made it, when, how accurate it has
    been — or, when there is none, why (``withheld``)."""
    now = clock_us() if now_us is None else now_us
    with platform.db.session() as session:
        row = newest(session, kind, subject, now)
        model = _model(session, row.model_version if row else None)
        if model is None and row is None:
            model = registry.active(session)
        body: dict[str, Any] = {
            kind: subject, "unit": UNITS[kind], "interval_level": 0.8,
            "made": _iso(row.made_us) if row else None,
            "model": None if model is None else {
                "version": model.version, "status": model.status, "degraded": model.degraded,
                "accuracy": registry.accuracy_text(model),
                "coverage": registry.coverage(model),
                "live_mase": model.live_mase, "live_mae": model.live_mae,
                "live_hours": model.live_hours,
                "backtest_mase": (((registry.backtest_summary(model.backtest) or {})
                                   .get("models") or {}).get("belfort") or {}).get("mase")},
            "withheld": None, "points": []}
        if row is None:
            body["withheld"] = NO_MODEL if model is None else (
                "no forecast has been made yet (the refresh runs every "
                f"{platform.settings.twin_forecast_refresh_seconds:g} seconds)")
            return body
        if row.points is None:
            body["withheld"] = row.reason
            return body
        for at, point, low, high in _ahead(row, hours, now):
            item: dict[str, Any] = {"time": _iso(at), "forecast": point, "lower": low,
                                    "upper": high}
            if kind == "zone":
                item["label"] = label(int(round(point)))
            body["points"].append(item)
        return body


def zone_names(platform: Platform) -> list[tuple[str, str]]:
    """(id, name) of every zone, by id (the dashboard tiles' ``forecast: {zones: "*"}``)."""
    with platform.db.session() as session:
        return [(z.id, z.name) for z in list_zones(session)]


def zone_source(platform: Platform, zone_id: str, hours: int, now_us: int
                ) -> ZoneForecast | None:
    """The alerts' forecast source: the zone's newest forecast (None when there is none)."""
    with platform.db.session() as session:
        row = newest(session, "zone", zone_id, now_us)
        if row is None or row.points is None:
            return None
        model = _model(session, row.model_version)
        points = tuple(ForecastPoint(at, point, low, high)
                       for at, point, low, high in _ahead(row, hours + 1, now_us))
        if not points:
            return None
        return ZoneForecast(zone_id, row.made_us, row.model_version or "?", points,
                            accuracy=registry.accuracy_text(model) if model else None,
                            coverage=registry.coverage(model) if model else None)


def install(platform: Platform) -> None:
    """Give the alert rules this platform's forecasts (``forecast_above`` rules)."""
    set_forecast_source(platform, zone_source)
