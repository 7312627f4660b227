"""Belfort's forecast model: one global LightGBM model over all sensors.

The target is ``log1p(count)``; the point forecast is the mean of three models trained with
the L1 loss (the median, which is what MAE rewards) that differ in inputs, target or seed (the
second learns the distance from the same hour's median over eight weeks, the third is the
first with another seed): averaging large-tree models cuts their variance (chosen on two
validation windows, see ``bench/README.md``). The 80 % interval
comes from two quantile models (10 % and 90 %). Hours
that are not observations (outages, gaps, bad counts, the skipped daylight-saving hour) are
never training targets. A :class:`ForecastModel` keeps what the model registry needs: its
training range, features, parameters and, once run, its backtest report; ``save``/``load``
write it as one JSON file (LightGBM's own text format inside).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from belfort.twin.forecast.features import CATEGORICAL, FEATURES

#: LightGBM settings of the point model; the quantile models use fewer rounds.
PARAMS: dict[str, Any] = {
    "objective": "l1",
    "learning_rate": 0.12,
    "num_leaves": 255,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
}
#: The quantile models keep smaller trees: with the point model's large ones their 80 %
#: interval covered 75 % of the validation hours instead of 79 %.
QUANTILE_PARAMS: dict[str, Any] = {"num_leaves": 31, "min_data_in_leaf": 100,
                                   "learning_rate": 0.08}
#: Rounds of each point model (one model had 400 at a learning rate of 0.08, two had 300;
#: three of 200 at 0.12 cost the same as two of 300 and keep training on two years of 21
#: sensors within 60 s).
ROUNDS = 200
QUANTILE_ROUNDS = 150
QUANTILES = {"lower": 0.1, "upper": 0.9}
#: The point models (their forecasts are averaged): the inputs each leaves out, and the
#: input its target is taken relative to (None: the log count itself). The second learns
#: how far the hour will be from the same hour's 8-week median.
POINT_MODELS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "point": (("same_hour_week_median8",), None),
    "point_median8": ((), "same_hour_week_median8"),
    "point_seed8": (("same_hour_week_median8",), None),
}
#: LightGBM settings a point model changes (the third differs from the first in its seed).
POINT_PARAMS: dict[str, dict[str, Any]] = {"point_seed8": {"seed": 8}}


@dataclass
class ForecastModel:
    """A trained model with what it was trained on (registry-ready)."""

    sensors: list[str]
    timezone: str
    country: str
    horizon: int
    train_first_hour: str
    train_last_hour: str
    training_rows: int
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    params: dict[str, Any] = field(default_factory=lambda: dict(PARAMS))
    rounds: int = ROUNDS
    interval_level: float = 0.8
    training_seconds: float = 0.0
    backtest: dict[str, Any] | None = None
    #: each sensor's code in the ``sensor`` feature (its row in the training grid)
    codes: dict[str, int] = field(default_factory=dict)
    boosters: dict[str, lgb.Booster] = field(default_factory=dict, repr=False)
    #: Days per kind of the city's calendar file it was trained with (None: no file).
    calendar: dict[str, int] | None = None

    def predict(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        """Point forecast and interval bounds in counts (not logs), never negative, the
        bounds ordered around the point."""
        out = {
            name: np.clip(np.expm1(
                np.asarray(booster.predict(_columns(matrix, booster), num_threads=1))
                + _offset(matrix, name)), 0.0, None)
            for name, booster in self.boosters.items()
        }
        members = [out.pop(name) for name in POINT_MODELS if name in out and name != "point"]
        if members and "point" in out:
            out["point"] = np.mean([out["point"], *members], axis=0)
        if "lower" in out and "upper" in out:
            out["lower"] = np.minimum(out["lower"], out["point"])
            out["upper"] = np.maximum(out["upper"], out["point"])
        return out

    def save(self, path: Path) -> None:
        body = asdict(self)
        body.pop("boosters")
        body["boosters"] = {k: b.model_to_string() for k, b in self.boosters.items()}
        path.write_text(json.dumps(body), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ForecastModel:
        body = json.loads(path.read_text(encoding="utf-8"))
        boosters = {k: lgb.Booster(model_str=v) for k, v in body.pop("boosters").items()}
        return cls(**body, boosters=boosters)


def _columns(matrix: np.ndarray, booster: lgb.Booster) -> np.ndarray:
    """The columns of a matrix of every input (:data:`FEATURES`) that a model was trained on,
    in its order (a model may leave inputs out; older models know fewer)."""
    names = booster.feature_name()
    if names == list(FEATURES):
        return matrix
    return matrix[:, [FEATURES.index(name) for name in names]]


def _offset(matrix: np.ndarray, name: str) -> np.ndarray | float:
    """What a point model's target was taken relative to (0 for the others)."""
    column = POINT_MODELS.get(name, ((), None))[1]
    return matrix[:, FEATURES.index(column)] if column in FEATURES else 0.0


def train(
    matrix: np.ndarray,
    target: np.ndarray,
    *,
    rounds: int = ROUNDS,
    quantile_rounds: int = QUANTILE_ROUNDS,
    threads: int = 1,
    intervals: bool = True,
) -> dict[str, lgb.Booster]:
    """Train the point models (L1 on the log target; :data:`POINT_MODELS`) and the two
    quantile models.

    One thread by default: on a machine whose cores are busy, LightGBM's threads wait on
    each other (measured 6x slower with 2 threads than 1 on a loaded 2-core machine)."""
    keep = ~np.isnan(target)
    X, y = matrix[keep], target[keep]
    boosters: dict[str, lgb.Booster] = {}
    jobs: dict[str, tuple[dict[str, Any], int, tuple[str, ...]]] = {
        name: (dict(PARAMS, **POINT_PARAMS.get(name, {})), rounds, left_out)
        for name, (left_out, _) in POINT_MODELS.items()
    }
    if intervals:
        for name, alpha in QUANTILES.items():
            params = dict(PARAMS, **QUANTILE_PARAMS, objective="quantile", alpha=alpha)
            jobs[name] = (params, quantile_rounds, ())
    for name, (params, n, left_out) in jobs.items():
        params["num_threads"] = threads
        names = [f for f in FEATURES if f not in left_out]
        columns = [FEATURES.index(f) for f in names]
        data = lgb.Dataset(
            X[:, columns] if len(columns) < len(FEATURES) else X, y - _offset(X, name),
            feature_name=names,
            categorical_feature=[names.index(c) for c in CATEGORICAL], free_raw_data=False,
        )
        boosters[name] = lgb.train(params, data, num_boost_round=n)
    return boosters
