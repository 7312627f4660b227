"""MAE, MASE and interval coverage, per sensor and overall.

MASE divides a sensor's forecast MAE by its *scale*: the mean absolute error of the
seasonal naive forecast with m = 24 ("same hour yesterday") over the sensor's whole history
before the first origin, using only observed hours. Below 1 the model beats that rule of
thumb; the overall MASE is the mean over sensors (each sensor weighs the same whatever its
volume). Coverage is the share of observed hours that fall inside the interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def naive_scale(values: np.ndarray, first_origin: int, season: int = 24) -> np.ndarray:
    """Per sensor: in-sample seasonal-naive MAE over the observed history before the first
    origin (NaN values are not observations). NaN when no pair of observed hours exists."""
    head = values[:, :first_origin]
    diff = np.abs(head[:, season:] - head[:, :-season])
    with np.errstate(invalid="ignore"):
        counts = np.sum(~np.isnan(diff), axis=1)
        sums = np.nansum(diff, axis=1)
    scale = np.full(values.shape[0], np.nan)
    ok = counts > 0
    scale[ok] = sums[ok] / counts[ok]
    return scale


def score(
    truth: np.ndarray, forecast: dict[str, np.ndarray], scored: np.ndarray,
    scale: np.ndarray, sensors: list[str],
) -> dict[str, Any]:
    """Metrics of one model; arrays shaped ``(S, O, H)``; ``scored`` marks the hours that
    count (observed truth, forecast not withheld)."""
    err = np.abs(forecast["point"] - truth)
    inside = (truth >= forecast["lower"]) & (truth <= forecast["upper"])
    per_sensor: dict[str, Any] = {}
    mases = []
    for s, name in enumerate(sensors):
        mask = scored[s]
        n = int(mask.sum())
        if n == 0:
            continue
        mae = float(err[s][mask].mean())
        mase = mae / float(scale[s])
        mases.append(mase)
        per_sensor[name] = {
            "mase": round(mase, 4),
            "mae": round(mae, 3),
            "coverage": round(float(inside[s][mask].mean()), 4),
            "hours_scored": n,
        }
    total = int(scored.sum())
    return {
        "mase": round(float(np.mean(mases)), 4) if mases else None,
        "mase_median": round(float(np.median(mases)), 4) if mases else None,
        "mae": round(float(err[scored].mean()), 3) if total else None,
        "coverage": round(float(inside[scored].mean()), 4) if total else None,
        "hours_scored": total,
        "per_sensor": per_sensor,
    }
