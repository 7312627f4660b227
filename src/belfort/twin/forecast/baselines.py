"""The baselines every backtest runs next to Belfort's model, on the same imputed history.

- seasonal naive, daily (m = 24) and weekly (m = 168): the same hour one day / one week
  before; the 80 % interval adds the 10 % and 90 % quantiles of the sensor's own
  seasonal-naive errors over the :data:`RESIDUAL_WEEKS` weeks before the first origin;
- MSTL (statsforecast): seasonal-trend decomposition with daily and weekly seasons and an
  AutoETS trend, fitted at each origin on the last :data:`MSTL_WEEKS` weeks (a whole-history
  fit per origin and sensor would take hours), with its own 80 % interval.
"""

from __future__ import annotations

import warnings

import numpy as np

RESIDUAL_WEEKS = 8
MSTL_WEEKS = 8
NAIVE_SEASONS = {"seasonal_naive_daily": 24, "seasonal_naive_weekly": 168}


def seasonal_naive(
    filled: np.ndarray, observed: np.ndarray, origins: np.ndarray, horizon: int,
    season: int, first_origin: int, level: float = 0.8,
) -> dict[str, np.ndarray]:
    """Point and interval per sensor × origin × step (shape ``(S, O, H)``)."""
    steps = np.arange(horizon)
    back = season * ((steps // season) + 1)
    t = origins[:, None] + steps[None, :]
    point = filled[:, t - back[None, :]]
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    start = max(season, first_origin - RESIDUAL_WEEKS * 168)
    idx = np.arange(start, first_origin)
    errors = filled[:, idx] - filled[:, idx - season]
    valid = observed[:, idx] & observed[:, idx - season]
    lower = np.empty(filled.shape[0])
    upper = np.empty(filled.shape[0])
    for s in range(filled.shape[0]):
        e = errors[s, valid[s]]
        lower[s], upper[s] = (np.quantile(e, [lo_q, hi_q]) if e.size else (0.0, 0.0))
    return {
        "point": point,
        "lower": np.clip(point + lower[:, None, None], 0, None),
        "upper": np.clip(point + upper[:, None, None], 0, None),
    }


def mstl(
    filled: np.ndarray, origins: np.ndarray, horizon: int, level: float = 0.8
) -> dict[str, np.ndarray]:
    """MSTL forecasts per sensor × origin × step (shape ``(S, O, H)``)."""
    from statsforecast.models import MSTL

    S, O = filled.shape[0], origins.size
    out = {k: np.zeros((S, O, horizon)) for k in ("point", "lower", "upper")}
    pct = int(round(level * 100))
    window = MSTL_WEEKS * 168
    for s in range(S):
        for j, o in enumerate(origins):
            history = filled[s, max(0, int(o) - window):int(o)].astype(np.float64)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = MSTL(season_length=[24, 168]).forecast(
                    y=history, h=horizon, level=[pct]
                )
            out["point"][s, j] = result["mean"]
            out["lower"][s, j] = result[f"lo-{pct}"]
            out["upper"][s, j] = result[f"hi-{pct}"]
    for k in out:
        np.clip(out[k], 0, None, out=out[k])
    return out
