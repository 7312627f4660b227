"""The rolling-origin backtest behind ``belfort twin backtest``.

1. Read and clean the file (:mod:`series`); impute the hours that are not observations.
   Observed hours next to an outage (:data:`OUTAGE_MARGIN_HOURS`) are no training targets,
   and those after one are imputed like it when they serve as inputs (lags).
2. Origins: every day at midnight (local wall clock) over the last ``origins`` days of the
   file whose whole horizon is in the file (default 56: eight weeks).
3. Sensors with less than :data:`MIN_HISTORY_HOURS` observed hours before the first origin
   are withheld (with the reason); so are a sensor's forecasts at an origin when it has no
   observation in the week before it.
4. Belfort's model is trained once, on the ``train_days`` before the first origin (no hour
   at or after the first origin is ever seen in training); the baselines run on the same
   imputed history.
5. Every model is scored on the same hours: observed truth only. Outage, gap, bad-count and
   skipped daylight-saving hours in the test window are not the truth and are not scored
   for any model (the JSON says how many were left out).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from belfort.errors import ForecastInputInvalid
from belfort.twin.forecast import baselines, features, metrics
from belfort.twin.forecast.calendar import Calendar, CalendarFile
from belfort.twin.forecast.model import ROUNDS, ForecastModel, train
from belfort.twin.forecast.series import Panel, impute, read_counts

DEFAULT_ORIGINS = 56
DEFAULT_TRAIN_DAYS = 730
MIN_HISTORY_HOURS = 28 * 24
RECENT_HOURS = 168
#: Hours next to a sensor outage that are not trusted (see :func:`_outage_margins`).
OUTAGE_MARGIN_HOURS = 24


@dataclass(frozen=True)
class Options:
    horizon: int = 24
    origins: int = DEFAULT_ORIGINS
    timezone: str = "Europe/Brussels"
    country: str = "BE"
    train_days: int = DEFAULT_TRAIN_DAYS
    mstl: bool = True
    rounds: int | None = None  # tests use tiny models
    threads: int = 1
    events: frozenset[date] = frozenset()
    #: Validation: the last origin is this day's local midnight and nothing from the hour
    #: ``last_origin + horizon`` on is read (the test window stays unseen).
    last_origin: date | None = None
    #: A city's calendar file (``--calendar``): public holidays, school holidays, events.
    calendar: CalendarFile | None = None
    #: Observed hours this close to an outage are not training targets (either side) and
    #: are imputed like the outage itself when they serve as lags (after it only).
    outage_margin: int = OUTAGE_MARGIN_HOURS
    #: The year-ago inputs (52 weeks back). Off unless asked for (``belfort twin backtest``
    #: asks): a model served from a window shorter than a year would not have them.
    year_inputs: bool = False


def _check(options: Options) -> None:
    if not 1 <= options.horizon <= features.MAX_HORIZON:
        raise ForecastInputInvalid(f"--horizon must be 1 to {features.MAX_HORIZON} hours")
    if not 1 <= options.origins <= 366:
        raise ForecastInputInvalid("--origins must be 1 to 366")
    if not 1 <= options.threads <= 64:
        raise ForecastInputInvalid("--threads must be 1 to 64")
    if not 28 <= options.train_days <= 3660:
        raise ForecastInputInvalid("--train-days must be 28 to 3660")
    if not 0 <= options.outage_margin <= 168:
        raise ForecastInputInvalid("the outage margin must be 0 to 168 hours")


def origin_indices(panel: Panel, horizon: int, count: int) -> np.ndarray:
    """The last ``count`` local midnights whose whole horizon lies in the file."""
    first_midnight = (24 - panel.start.hour) % 24
    last_start = panel.hours - horizon
    if last_start < first_midnight:
        return np.array([], dtype=np.int64)
    last = first_midnight + (last_start - first_midnight) // 24 * 24
    found = np.arange(last - 24 * (count - 1), last + 1, 24, dtype=np.int64)
    return found[found >= features.NEEDED_HISTORY]


def run(path: Path, options: Options) -> tuple[dict[str, Any], ForecastModel]:
    """The backtest's report and the trained model (its report attached)."""
    _check(options)
    calendar = Calendar(options.country, options.calendar)
    before = None
    if options.last_origin is not None:
        before = datetime.combine(options.last_origin, datetime.min.time()) + timedelta(
            hours=options.horizon
        )
    panel = read_counts(path, options.timezone, before=before)
    return run_panel(panel, options, calendar)


def run_panel(
    panel: Panel, options: Options, calendar: Calendar | None = None
) -> tuple[dict[str, Any], ForecastModel]:
    """The backtest on counts already read (the platform's own observations, say)."""
    _check(options)
    calendar = calendar or Calendar(options.country)
    origins = origin_indices(panel, options.horizon, options.origins)
    if origins.size < options.origins:
        need_days = (features.NEEDED_HISTORY + MIN_HISTORY_HOURS) // 24 + options.origins
        raise ForecastInputInvalid(
            f"the file is too short for {options.origins} origins: it needs about "
            f"{need_days} days of hourly counts",
            details={"input": panel.report},
        )
    first = int(origins[0])
    filled, imputed = impute(panel, first)
    observed = panel.observed
    held, reasons = _withheld_sensors(panel, first)
    kept = np.array([s for s in range(len(panel.sensors)) if s not in reasons], dtype=np.int64)
    if kept.size == 0:
        raise ForecastInputInvalid(
            "no sensor has enough history before the first origin",
            details={"withheld_sensors": held, "input": panel.report},
        )
    names = [panel.sensors[s] for s in kept]
    H = options.horizon
    steps = np.arange(H)
    t = origins[:, None] + steps[None, :]
    truth = panel.values[kept][:, t]
    recent = _recent(observed[kept], origins)
    scored = observed[kept][:, t] & recent[:, :, None]
    scale = metrics.naive_scale(panel.values[kept], first)
    days = features.day_table(panel.start, panel.hours, calendar, options.events)
    logged, lag_imputed, untrusted = trusted_inputs(
        panel, first, options.outage_margin, filled, imputed
    )

    started = time.perf_counter()
    model = _fit(panel, logged, lag_imputed, kept, first, days, options, untrusted)
    training_seconds = time.perf_counter() - started
    model.training_seconds = round(training_seconds, 2)
    matrix, _ = features.build(logged, lag_imputed, kept, origins, H, panel.start.hour, days,
                               year=options.year_inputs)
    belfort = {
        k: v.reshape(kept.size, origins.size, H) for k, v in model.predict(matrix).items()
    }
    forecasts: dict[str, dict[str, np.ndarray]] = {"belfort": belfort}
    timings: dict[str, float] = {"belfort_training": round(training_seconds, 2)}
    for name, season in baselines.NAIVE_SEASONS.items():
        forecasts[name] = baselines.seasonal_naive(
            filled[kept], observed[kept], origins, H, season, first
        )
    if options.mstl:
        started = time.perf_counter()
        forecasts["mstl"] = baselines.mstl(filled[kept], origins, H)
        timings["mstl"] = round(time.perf_counter() - started, 2)
    results = {
        name: metrics.score(truth, fc, scored, scale, names) for name, fc in forecasts.items()
    }
    report = _report(panel, options, origins, names, held, results, timings, scored, recent,
                     observed[kept][:, t], model)
    model.backtest = {k: v for k, v in report.items() if k != "input"}
    return report, model


def trusted_inputs(
    panel: Panel, first: int, margin: int, filled: np.ndarray, imputed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's log counts and imputed marks with the ``margin`` hours after an outage
    imputed like the outage, and the observed hours next to an outage that are no training
    target — the same for the backtest, the model put to use and its forecasts."""
    before_outage, after_outage = _outage_margins(panel.outage, first, margin)
    lag_filled, lag_imputed = filled, imputed
    if margin:
        distrust = dataclasses.replace(
            panel, values=np.where(after_outage & panel.observed, np.nan, panel.values)
        )
        lag_filled, lag_imputed = impute(distrust, first)
    return np.log1p(lag_filled), lag_imputed, (before_outage | after_outage) & panel.observed


def _withheld_sensors(panel: Panel, first: int) -> tuple[list[dict[str, Any]], set[int]]:
    held: list[dict[str, Any]] = []
    out: set[int] = set()
    scale = metrics.naive_scale(panel.values, first)
    for s, name in enumerate(panel.sensors):
        hours = int(np.sum(~np.isnan(panel.values[s, :first])))
        reason = None
        if hours < MIN_HISTORY_HOURS:
            reason = (f"too little history: {hours} observed hours before the first origin, "
                      f"{MIN_HISTORY_HOURS} needed")
        elif not np.isfinite(scale[s]) or scale[s] <= 0:
            reason = "no seasonal-naive error to scale by (constant or no consecutive days)"
        if reason:
            held.append({"sensor_id": name, "reason": reason})
            out.add(s)
    return held, out


def _outage_margins(
    outage: np.ndarray, first: int, margin: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hours within ``margin`` hours before an outage that starts before ``first`` (sensors
    often fail gradually: only for the training targets, which all lie before ``first``), and
    hours within ``margin`` hours after an outage (known at any later origin: causal)."""
    S, n = outage.shape
    if margin == 0:
        empty = np.zeros((S, n), dtype=bool)
        return empty, empty
    past = outage.copy()
    past[:, first:] = False
    idx = np.arange(n)
    cum = np.concatenate([np.zeros((S, 1)), np.cumsum(past, axis=1)], axis=1)
    ahead = np.minimum(idx + 1 + margin, n)
    before = (cum[:, ahead] - cum[:, idx + 1]) > 0
    cum = np.concatenate([np.zeros((S, 1)), np.cumsum(outage, axis=1)], axis=1)
    after = (cum[:, idx] - cum[:, np.maximum(idx - margin, 0)]) > 0
    return before & ~outage, after & ~outage


def _recent(observed: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Per sensor and origin: whether it has an observation in the week before."""
    cumsum = np.concatenate(
        [np.zeros((observed.shape[0], 1)), np.cumsum(observed, axis=1)], axis=1
    )
    return np.asarray((cumsum[:, origins] - cumsum[:, origins - RECENT_HOURS]) > 0, dtype=bool)


def _fit(
    panel: Panel, logged: np.ndarray, imputed: np.ndarray, kept: np.ndarray, first: int,
    days: features.Days, options: Options, untrusted: np.ndarray | None = None,
) -> ForecastModel:
    H = options.horizon
    lowest = max(features.NEEDED_HISTORY, first - options.train_days * 24)
    midnight = (24 - panel.start.hour) % 24
    begin = midnight + max(0, -(-(lowest - midnight) // 24)) * 24
    train_origins = np.arange(begin, first - H + 1, 24, dtype=np.int64)
    if train_origins.size < 7:
        raise ForecastInputInvalid("too little history before the first origin to train on")
    matrix, t = features.build(logged, imputed, kept, train_origins, H, panel.start.hour, days,
                               year=options.year_inputs)
    values = panel.values[kept]
    if untrusted is not None:
        values = np.where(untrusted[kept], np.nan, values)
    target = np.log1p(values[:, t.reshape(kept.size, -1)[0]]).reshape(-1)
    kwargs: dict[str, Any] = {"threads": options.threads}
    if options.rounds is not None:
        kwargs.update(rounds=options.rounds, quantile_rounds=options.rounds)
    boosters = train(matrix, target, **kwargs)
    return ForecastModel(
        sensors=[panel.sensors[s] for s in kept],
        timezone=panel.timezone,
        country=options.country,
        horizon=H,
        train_first_hour=panel.timestamp(int(train_origins[0])).isoformat(),
        train_last_hour=panel.timestamp(first - 1).isoformat(),
        training_rows=int(np.sum(~np.isnan(target))),
        codes={panel.sensors[s]: int(s) for s in kept},
        rounds=options.rounds or ROUNDS,
        boosters=boosters,
        calendar=options.calendar.summary() if options.calendar is not None else None,
    )


def _report(
    panel: Panel, options: Options, origins: np.ndarray, names: list[str],
    held: list[dict[str, Any]], results: dict[str, Any], timings: dict[str, float],
    scored: np.ndarray, recent: np.ndarray, observed_truth: np.ndarray,
    model: ForecastModel,
) -> dict[str, Any]:
    weekly = results["seasonal_naive_weekly"]["mae"]
    ours = results["belfort"]["mae"]
    versus = None
    if weekly and ours is not None:
        versus = round(1 - ours / weekly, 4)
    withheld_forecasts = [
        {"sensor_id": names[s], "origin": panel.timestamp(int(origins[j])).isoformat(),
         "reason": "no observation in the week before the origin"}
        for s, j in zip(*np.nonzero(~recent), strict=True)
    ]
    input_report = dict(panel.report)
    return {
        "file_hours": {"first": panel.report["first_hour"], "last": panel.report["last_hour"]},
        "horizon_hours": options.horizon,
        "origins": {
            "count": int(origins.size),
            "first": panel.timestamp(int(origins[0])).isoformat(),
            "last": panel.timestamp(int(origins[-1])).isoformat(),
            "rule": "every day at local midnight; history strictly before the origin",
        },
        "timezone": panel.timezone,
        "country": options.country,
        "interval_level": 0.8,
        "scoring": {
            "mase_scale": "per sensor: MAE of seasonal naive (m=24) over its observed history "
                          "before the first origin; overall MASE = mean over sensors",
            "excluded_hours": "test hours that are not observations (outages: 24+ zero hours, "
                              "gaps, negative or absurd counts, the skipped DST hour) are not "
                              "scored, for every model alike",
            "hours_scored": int(scored.sum()),
            "hours_not_scored_not_observed": int(np.sum(~observed_truth)),
            "hours_not_scored_withheld": int(np.sum(observed_truth & ~scored)),
        },
        "models": results,
        "belfort_vs_weekly_naive_mae_reduction": versus,
        "model": {
            "kind": "global LightGBM, log1p target, L1 loss (the mean of three models "
                    "with different inputs or seeds); 10 % and 90 % quantile models",
            "trained": "once, on the data before the first origin",
            "train_first_hour": model.train_first_hour,
            "train_last_hour": model.train_last_hour,
            "training_rows": model.training_rows,
            "features": model.features,
            "calendar_file_days": model.calendar,
            "outage_margin_hours": options.outage_margin,
        },
        "seconds": timings,
        "sensors_scored": names,
        "withheld_sensors": held,
        "withheld_forecasts": withheld_forecasts,
        "input": input_report,
    }


def fit_all(panel: Panel, options: Options, calendar: Calendar | None = None
            ) -> tuple[ForecastModel, list[dict[str, Any]]]:
    """Belfort's model trained on every hour of ``panel`` (the model that is put to use
    after its backtest), and the sensors left out for too little history."""
    _check(options)
    calendar = calendar or Calendar(options.country)
    end = panel.hours
    filled, imputed = impute(panel, end)
    held, reasons = _withheld_sensors(panel, end)
    kept = np.array([s for s in range(len(panel.sensors)) if s not in reasons], dtype=np.int64)
    if kept.size == 0:
        raise ForecastInputInvalid("no sensor has enough history to train on",
                                   details={"withheld_sensors": held})
    days = features.day_table(panel.start, panel.hours, calendar, options.events)
    logged, lag_imputed, untrusted = trusted_inputs(
        panel, end, options.outage_margin, filled, imputed
    )
    started = time.perf_counter()
    model = _fit(panel, logged, lag_imputed, kept, end, days, options, untrusted)
    model.training_seconds = round(time.perf_counter() - started, 2)
    return model, held
