"""Hysteresis: a score oscillating around the threshold raises once and clears once."""

from __future__ import annotations

from belfort.twin.alerts.hysteresis import MINUTE_US, Band, State, step


def _run(band: Band, values: list[float | None], every_minutes: int = 1
         ) -> list[tuple[int, str]]:
    state, events = State(), []
    for n, value in enumerate(values):
        state, event = step(band, state, value, n * every_minutes * MINUTE_US)
        if event:
            events.append((n, event))
    return events


OSCILLATING = [50, 69, 71, 69, 72, 68, 71, 70.5, 69, 71, 66, 68, 71, 64, 63, 62, 60, 58]


def test_a_score_oscillating_around_the_threshold_raises_once_and_clears_once() -> None:
    events = _run(Band(threshold=70, clear_below=65), OSCILLATING)
    assert events == [(2, "raise"), (13, "clear")]


def test_without_hysteresis_the_same_series_flaps() -> None:
    # the same series against a band without a gap: what hysteresis prevents
    flapping = _run(Band(threshold=70, clear_below=70), OSCILLATING)
    assert len(flapping) >= 8


def test_a_minimum_duration_ignores_short_peaks() -> None:
    band = Band(threshold=70, clear_below=65, min_minutes=3)
    assert _run(band, [71, 72, 60, 71, 72, 73, 74, 50]) == [(6, "raise")]
    # and clearing waits as long: a dip of two minutes does not clear
    events = _run(band, [71, 72, 73, 74, 60, 60, 80, 60, 60, 60, 60])
    assert events == [(3, "raise"), (10, "clear")]


def test_no_data_neither_raises_nor_clears() -> None:
    band = Band(threshold=70, clear_below=65)
    assert _run(band, [None, 80, None, None, 80]) == [(1, "raise")]
    state, event = step(band, State(active=True), None, 0)
    assert state.active and event is None


def test_exactly_the_threshold_does_not_raise_and_exactly_the_clear_level_does_not_clear(
) -> None:
    band = Band(threshold=70, clear_below=65)
    assert _run(band, [70, 70, 71, 65, 65, 64.9]) == [(2, "raise"), (5, "clear")]
