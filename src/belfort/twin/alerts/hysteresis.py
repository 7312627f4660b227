"""Hysteresis: an alert is raised when its value has been above the threshold for the
minimum duration, and cleared only when it has been below the (lower) clearing level for as
long. A value oscillating around the threshold therefore raises once and clears once.

Pure: a rule's state goes in, its next state and what happened come out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MINUTE_US = 60_000_000

Event = Literal["raise", "clear"]


@dataclass(frozen=True)
class Band:
    threshold: float  # raised when the value is above this
    clear_below: float  # cleared when the value is below this (≤ threshold)
    min_minutes: int = 0  # either condition must hold this long first


@dataclass(frozen=True)
class State:
    active: bool = False
    since_us: int | None = None  # when the condition that would change ``active`` began


def step(band: Band, state: State, value: float | None, now_us: int
         ) -> tuple[State, Event | None]:
    """The state after seeing ``value`` at ``now_us``. No value (no data now) changes
    nothing: an outage neither raises nor clears an alert."""
    if value is None:
        return state, None
    wanted = value < band.clear_below if state.active else value > band.threshold
    if not wanted:
        return State(state.active, None), None
    since = now_us if state.since_us is None else state.since_us
    if now_us - since >= band.min_minutes * MINUTE_US:
        return State(not state.active, None), ("clear" if state.active else "raise")
    return State(state.active, since), None
