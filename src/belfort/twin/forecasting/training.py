"""``belfort twin train``: train the global model on the platform's own observations (every
active sensor, hourly), backtest it briefly on them, keep its file and register it.

1. The observations of the last ``BELFORT_TWIN_FORECAST_TRAIN_DAYS`` days up to the last
   whole hour are read as a cleaned hourly grid (``history.panel``).
2. A short rolling-origin backtest (``origins`` local midnights at the end, horizon 48 h, no
   MSTL so it stays fast): its report is the registered model's validation.
3. The model that is put to use is then trained on every hour (``backtest.fit_all``), saved
   under the data directory and registered as the active version (the previous one is
   retired).

Too little history is refused with :class:`ForecastHistoryTooShort`, saying how much there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from belfort.errors import ForecastHistoryTooShort, ForecastInputInvalid
from belfort.platform import Platform
from belfort.streams.model import now_us as clock_us
from belfort.twin import lease
from belfort.twin.forecast import features
from belfort.twin.forecast.backtest import MIN_HISTORY_HOURS, Options, fit_all, run_panel
from belfort.twin.forecasting import history, registry

HORIZON = features.MAX_HORIZON
DEFAULT_ORIGINS = 3
MAX_ORIGINS = 28
LEASE = "forecast-trainer"
LEASE_SECONDS = 3600.0
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class TrainOptions:
    origins: int = DEFAULT_ORIGINS
    rounds: int | None = None  # tests: tiny models
    threads: int = 1


def needed_days(origins: int) -> int:
    """About how many days of hourly history a model with a backtest of ``origins`` needs:
    the deepest lag, a week of training origins with their horizon, then the origins."""
    hours = features.NEEDED_HISTORY + 7 * 24 + 2 * HORIZON + origins * 24
    return -(-max(hours, MIN_HISTORY_HOURS) // 24) + 1


def _check(options: TrainOptions) -> None:
    if not 1 <= options.origins <= MAX_ORIGINS:
        raise ForecastInputInvalid(f"--origins must be 1 to {MAX_ORIGINS}")
    if not 1 <= options.threads <= 64:
        raise ForecastInputInvalid("--threads must be 1 to 64")
    if options.rounds is not None and not 1 <= options.rounds <= 5000:
        raise ForecastInputInvalid("--rounds must be 1 to 5000")


def train(platform: Platform, options: TrainOptions = TrainOptions(), *,
          now_us: int | None = None, actor: str = "system:forecasts") -> dict[str, Any]:
    """Train, backtest, save and register a model; the registered version's dict."""
    _check(options)
    settings = platform.settings
    now = clock_us() if now_us is None else now_us
    since = now - settings.twin_forecast_train_days * DAY_US
    sensors = history.all_sensors(platform)
    grid = history.panel(platform, sensors, since, now, settings.stream_day_timezone,
                         pad=False)
    need = needed_days(options.origins)
    if grid is None:
        raise ForecastHistoryTooShort(
            f"too little history to train a forecast model: no observations in the last "
            f"{settings.twin_forecast_train_days} days; about {need} days of hourly counts "
            "are needed")
    have = grid.hours // 24
    observed = int(grid.observed.sum(axis=1).max())
    if have < need or observed < MIN_HISTORY_HOURS:
        raise ForecastHistoryTooShort(
            f"too little history to train a forecast model: {have} days of observations "
            f"(the best sensor has {observed} observed hours); about {need} days of hourly "
            "counts are needed", details={"days": have, "days_needed": need})
    backtest = Options(horizon=HORIZON, origins=options.origins,
                       timezone=settings.stream_day_timezone,
                       country=settings.twin_forecast_country,
                       train_days=settings.twin_forecast_train_days, mstl=False,
                       rounds=options.rounds, threads=options.threads)
    try:
        report, _ = run_panel(grid, backtest)
        model, held = fit_all(grid, backtest)
    except ForecastInputInvalid as exc:
        raise ForecastHistoryTooShort(
            f"too little history to train a forecast model: {exc.message}; about {need} days "
            "of hourly counts are needed", details={"days": have, "days_needed": need}
        ) from None
    report.pop("input", None)
    report["withheld_at_training"] = held
    model.backtest = report
    made = datetime.fromtimestamp(now / 1e6, UTC)
    version = registry.new_version(made)
    artefact = registry.save_file(platform, model, version)
    with platform.db.session() as session:
        row = registry.register(session, model, version, artefact, actor, made)
        return registry.model_dict(row)


def train_if_due(platform: Platform, holder: str, *, now_us: int | None = None
                 ) -> dict[str, Any] | None:
    """The server's schedule: train when the newest model is older than
    ``BELFORT_TWIN_FORECAST_TRAIN_HOURS`` (one process at a time); None when not due or
    another process trains."""
    hours = platform.settings.twin_forecast_train_hours
    if hours <= 0:
        return None
    now = clock_us() if now_us is None else now_us
    with platform.db.session() as session:
        newest = registry.latest(session)
        if newest is not None and (now - newest.created_at.timestamp() * 1e6
                                   < hours * 3_600_000_000):
            return None
    if not lease.take(platform, LEASE, holder, LEASE_SECONDS):
        return None
    try:
        with platform.db.session() as session:  # another process may have trained meanwhile
            newest = registry.latest(session)
            if newest is not None and (now - newest.created_at.timestamp() * 1e6
                                       < hours * 3_600_000_000):
                return None
        return train(platform, now_us=now)
    finally:
        lease.release(platform, LEASE, holder)
