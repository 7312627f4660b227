"""The model registry: every trained forecast model with its training data range, sensors,
features, parameters, backtest report and file, which one is in use, and how accurate its
forecasts have been since (docs/twin-forecasts.md, "Model registry").

The model files live under the data directory (``twin-models/<version>.json``), never in the
database; every process loads a version's file once (a version never changes).
"""

from __future__ import annotations

import re
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from belfort.catalog.models import ForecastModelVersion
from belfort.catalog.store import record_audit
from belfort.errors import ForecastModelNotFound
from belfort.platform import Platform

if TYPE_CHECKING:  # LightGBM is imported where a model is trained or loaded
    from belfort.twin.forecast.model import ForecastModel

VERSION = re.compile(r"^gbm-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$")
DIRECTORY = "twin-models"
HOUR_US = 3_600_000_000
MAX_HORIZON = 48
NO_MODEL = "no forecast model has been trained yet (belfort twin train)"
#: The figures of a backtest report a public page shows (no per-sensor figures: a sensor's
#: id may be restricted).
OVERALL = ("mase", "mase_median", "mae", "coverage", "hours_scored")


def new_version(now: datetime) -> str:
    return f"gbm-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def model_path(platform: Platform, version: str) -> Path:
    return Path(platform.settings.data_dir) / DIRECTORY / f"{version}.json"


def save_file(platform: Platform, model: ForecastModel, version: str) -> str:
    """Write the model's file atomically; its path relative to the data directory."""
    path = model_path(platform, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    model.save(temporary)
    temporary.replace(path)
    return f"{DIRECTORY}/{version}.json"


def register(session: Session, model: ForecastModel, version: str, artefact: str,
             actor: str, now: datetime) -> ForecastModelVersion:
    """Add a version as the active one (the one active before is retired), audited."""
    session.execute(update(ForecastModelVersion)
                    .where(ForecastModelVersion.status == "active")
                    .values(status="retired"))
    row = ForecastModelVersion(
        version=version, created_at=now, train_first_hour=model.train_first_hour,
        train_last_hour=model.train_last_hour, timezone=model.timezone,
        country=model.country, horizon=model.horizon, sensors=list(model.sensors),
        features=list(model.features),
        parameters={**model.params, "rounds": model.rounds,
                    "interval_level": model.interval_level,
                    "training_rows": model.training_rows},
        backtest=model.backtest, artefact=artefact, training_seconds=model.training_seconds,
        status="active", live_hours=0, degraded=False)
    session.add(row)
    session.flush()
    record_audit(session, actor, "forecast_model.register", None, version=version,
                 sensors=len(model.sensors), train_last_hour=model.train_last_hour)
    return row


def active(session: Session) -> ForecastModelVersion | None:
    return session.scalar(select(ForecastModelVersion)
                          .where(ForecastModelVersion.status == "active")
                          .order_by(ForecastModelVersion.id.desc()).limit(1))


def latest(session: Session) -> ForecastModelVersion | None:
    return session.scalar(select(ForecastModelVersion)
                          .order_by(ForecastModelVersion.id.desc()).limit(1))


def get(session: Session, version: str) -> ForecastModelVersion:
    row = None
    if VERSION.fullmatch(version):
        row = session.scalar(select(ForecastModelVersion)
                             .where(ForecastModelVersion.version == version))
    if row is None:
        raise ForecastModelNotFound(f"no forecast model {version[:80]!r}")
    return row


def listing(session: Session, limit: int = 100) -> list[ForecastModelVersion]:
    return list(session.scalars(select(ForecastModelVersion)
                                .order_by(ForecastModelVersion.id.desc()).limit(limit)))


class _Loaded:
    """Model files loaded by this process, by version (immutable, so never stale)."""

    def __init__(self, _platform: Platform) -> None:
        self.lock = threading.Lock()
        self.models: dict[str, ForecastModel] = {}


def load(platform: Platform, version: str, artefact: str) -> ForecastModel:
    from belfort.twin.forecast import model as trained

    cache = platform.component(_Loaded, _Loaded)
    with cache.lock:
        found = cache.models.get(version)
        if found is None:
            found = trained.ForecastModel.load(Path(platform.settings.data_dir) / artefact)
            if len(cache.models) >= 4:
                cache.models.pop(next(iter(cache.models)))
            cache.models[version] = found
        return found


def _overall(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if not result:
        return None
    return {k: result.get(k) for k in OVERALL}


def backtest_summary(backtest: dict[str, Any] | None) -> dict[str, Any] | None:
    """The backtest's overall figures per model (Belfort's and the baselines'), its origins
    and horizon: what a public page may show."""
    if not backtest:
        return None
    models = backtest.get("models") or {}
    return {"horizon_hours": backtest.get("horizon_hours"),
            "origins": backtest.get("origins"),
            "sensors_scored": len(backtest.get("sensors_scored") or []),
            "sensors_withheld": len(backtest.get("withheld_sensors") or []),
            "models": {name: _overall(result) for name, result in models.items()},
            "belfort_vs_weekly_naive_mae_reduction":
                backtest.get("belfort_vs_weekly_naive_mae_reduction")}


def accuracy_text(row: ForecastModelVersion) -> str:
    """How accurate the model has been, in plain words (English; the pages translate)."""
    parts = []
    if row.live_mase is not None and row.live_hours:
        parts.append(f"live MASE {row.live_mase:.2f}, MAE {row.live_mae:.1f} over "
                     f"{row.live_hours} forecast hours of the last 7 days")
    summary = backtest_summary(row.backtest)
    ours = (summary or {}).get("models", {}).get("belfort") or {}
    if ours.get("mase") is not None:
        parts.append(f"backtest MASE {ours['mase']:.2f}")
    if row.degraded:
        parts.append("DEGRADED: live accuracy is beyond the threshold")
    return "; ".join(parts) or "no accuracy figures yet"


def coverage(row: ForecastModelVersion) -> float | None:
    if row.live_coverage is not None and row.live_hours:
        return row.live_coverage
    ours = ((backtest_summary(row.backtest) or {}).get("models") or {}).get("belfort") or {}
    value = ours.get("coverage")
    return float(value) if value is not None else None


def model_dict(row: ForecastModelVersion) -> dict[str, Any]:
    """A model version as the API and pages show it (no sensor ids: they may be restricted)."""
    return {
        "version": row.version, "status": row.status,
        "created": row.created_at.isoformat().replace("+00:00", "Z"),
        "training_data": {"first_hour": row.train_first_hour, "last_hour": row.train_last_hour,
                          "timezone": row.timezone, "sensors": len(row.sensors or [])},
        "model": {"kind": "global LightGBM over all sensors, log1p target, L1 loss "
                          "(the mean of several models with different inputs or seeds); "
                          "10 % and 90 % quantile models (80 % interval)",
                  "horizon_hours": row.horizon, "country": row.country,
                  "features": list(row.features or []),
                  "parameters": dict(row.parameters or {})},
        "backtest": backtest_summary(row.backtest),
        "training_seconds": row.training_seconds,
        "live_accuracy": {"mae": row.live_mae, "mase": row.live_mase,
                          "coverage": row.live_coverage, "hours": row.live_hours,
                          "window_days": 7,
                          "updated": None if row.live_updated_us is None else
                          datetime.fromtimestamp(row.live_updated_us / 1e6, UTC)
                          .isoformat().replace("+00:00", "Z")},
        "degraded": row.degraded,
        "accuracy": accuracy_text(row),
    }
