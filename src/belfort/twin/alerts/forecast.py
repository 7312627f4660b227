"""What alerts need of a forecast: a zone's crowding score over the next hours.

The forecasting module provides a ``ForecastSource``; the server's is set with
``set_forecast_source`` (a platform component), and ``forecast_above`` rules hold no
opinion while none is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from belfort.platform import Platform


@dataclass(frozen=True)
class ForecastPoint:
    at_us: int  # UTC start of the hour (or quarter-hour) forecast
    score: float  # the zone's crowding score then (0–100), the median
    low: float | None = None  # the prediction interval, when the model gives one
    high: float | None = None


@dataclass(frozen=True)
class ZoneForecast:
    zone_id: str
    made_us: int  # when the forecast was made
    model: str  # which model made it (its registry version)
    points: tuple[ForecastPoint, ...]
    accuracy: str | None = None  # how accurate the model has been, in plain words
    coverage: float | None = None  # its prediction intervals' coverage, 0–1


class ForecastSource(Protocol):
    def __call__(self, platform: Platform, zone_id: str, hours: int, now_us: int
                 ) -> ZoneForecast | None:
        """The zone's forecast for the next ``hours`` hours from ``now_us``; None when
        there is none (too little history, no model)."""


class _Slot:
    def __init__(self, platform: Platform) -> None:
        self.source: ForecastSource | None = None


def set_forecast_source(platform: Platform, source: ForecastSource | None) -> None:
    platform.component(_Slot, _Slot).source = source


def forecast_source(platform: Platform) -> ForecastSource | None:
    return platform.component(_Slot, _Slot).source
