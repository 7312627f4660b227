"""Replaying recorded counts: alignment by whole weeks, the recorded rate kept at any speed,
outages and wrapping, the quarter-hour backfill."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from belfort.streams.model import from_us, to_us
from belfort.streams.replay import (
    QUARTER_US,
    RecordedSeries,
    ReplayFeed,
    align_weeks,
    backfill,
    local_naive,
    quarters_missing,
)
from belfort.streams.sensors import SensorSpec

ZONE = ZoneInfo("Europe/Brussels")
SECOND = 1_000_000


def _series(hours: int = 24 * 7 * 3, start: dt.datetime = dt.datetime(2021, 3, 1),
            value: float | None = None, **kwargs: object) -> RecordedSeries:
    """Hour i counts i % 24 × 100 + 60 (distinct per hour of day), unless ``value``."""
    main = [float((i % 24) * 100 + 60) if value is None else value for i in range(hours)]
    other = [10.0] * hours
    spec = SensorSpec("S1", "test", "fietstelpaal", "count")
    return RecordedSeries(spec, start, {"hoofdrichting": main, "tegenrichting": other},
                          {"count": ("hoofdrichting", "tegenrichting")}, **kwargs)  # type: ignore[arg-type]


def _now(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=ZONE))


def test_the_moment_that_plays_now_has_nows_weekday_and_hour() -> None:
    series = _series()
    now_local = dt.datetime(2026, 12, 6, 14, 30)  # a Sunday
    weeks = align_weeks(series, now_local)
    assert weeks is not None
    recorded = now_local - dt.timedelta(weeks=weeks)
    assert (recorded.weekday(), recorded.hour, recorded.minute) == (6, 14, 30)
    assert series.recorded(series.index(recorded))
    # the most recent such moment: a week later is past the recording
    assert not series.recorded(series.index(recorded + dt.timedelta(weeks=1)))
    # from a start date: the first such moment on or after it
    weeks = align_weeks(series, now_local, dt.date(2021, 3, 2))
    assert weeks is not None
    recorded = now_local - dt.timedelta(weeks=weeks)
    assert recorded.date() == dt.date(2021, 3, 7) and recorded.hour == 14


def test_a_sensor_out_of_order_is_not_what_plays() -> None:
    hours = 24 * 7 * 3
    series = _series(hours)
    for column in series.values.values():  # the last week: zeros all day (broken)
        column[-24 * 7:] = [0.0] * (24 * 7)
    now_local = dt.datetime(2026, 12, 6, 14, 30)
    weeks = align_weeks(series, now_local)
    assert weeks is not None
    index = series.index(now_local - dt.timedelta(weeks=weeks))
    assert index < hours - 24 * 7


@pytest.mark.parametrize("speed", [1.0, 60.0, 3600.0])
def test_ticks_carry_the_recorded_rate_at_any_speed(speed: float) -> None:
    series = _series(value=3600.0)  # one a second, every hour
    start = _now("2026-12-06T14:00:00")
    feed = ReplayFeed([series], speed=speed, start_us=start)
    items = []
    for step in range(1, 121):
        items += feed.tick(start + step * 5 * SECOND).get("S1", [])
    by_prop: dict[str, list[float]] = {}
    for item in items:
        by_prop.setdefault(item.property, []).append(item.value)
        assert item.phenomenon_end_us is not None
        assert item.phenomenon_end_us - item.phenomenon_us == 5 * SECOND
    # 600 real seconds at one a second whatever the speed; 10/h the other way
    assert sum(by_prop["hoofdrichting"]) == 600
    assert sum(by_prop["tegenrichting"]) == round(10 * 600 / 3600)
    assert all(v == int(v) for v in by_prop["hoofdrichting"])
    counts = [i for i in items if i.property == "count"]
    mains = [i for i in items if i.property == "hoofdrichting"]
    others = {i.phenomenon_us: i.value for i in items if i.property == "tegenrichting"}
    assert [c.value for c in counts] == [m.value + others[m.phenomenon_us] for m in mains]
    # the intervals follow each other without gaps
    starts = sorted(i.phenomenon_us for i in mains)
    assert starts == [start + k * 5 * SECOND for k in range(120)]


def test_at_60x_a_recorded_hour_plays_in_a_real_minute() -> None:
    series = _series()
    start = _now("2026-12-06T00:00:00")
    feed = ReplayFeed([series], speed=60.0, start_us=start)
    per_minute = []
    for minute in range(3):
        total = 0.0
        for second in range(5, 61, 5):
            at = start + (minute * 60 + second) * SECOND
            total += sum(i.value for i in feed.tick(at).get("S1", [])
                         if i.property == "hoofdrichting")
        per_minute.append(total)
    # recorded hours 0, 1, 2 of the day: 60, 160, 260 an hour, a minute's worth each
    cumulative = [60 / 60, 60 / 60 + 160 / 60, 60 / 60 + 160 / 60 + 260 / 60]
    assert per_minute == [round(cumulative[0]), round(cumulative[1]) - round(cumulative[0]),
                          round(cumulative[2]) - round(cumulative[1])] == [1, 3, 4]
    playing = feed.playing[0]
    moment = feed.recorded_moment(playing, start + 90 * SECOND)
    assert (moment.hour, moment.minute) == (1, 30)


def test_an_outage_sends_nothing_and_the_recording_wraps_by_whole_weeks() -> None:
    hours = 24 * 7 * 2
    series = _series(hours)
    column = series.values["hoofdrichting"]
    start = to_us(dt.datetime(2026, 12, 6, 10).replace(tzinfo=ZONE))
    feed = ReplayFeed([series], speed=1.0, start_us=start)
    index = series.index(feed.recorded_moment(feed.playing[0], start))
    for name in series.values:  # the hour playing now was not recorded
        series.values[name][index] = None
    assert feed.tick(start + 60 * SECOND) == {}
    for name in series.values:
        series.values[name][index] = 3600.0
    assert sum(i.value for i in feed.tick(start + 120 * SECOND)["S1"]
               if i.property == "hoofdrichting") == 60
    # past the end: back by whole weeks, so the weekday and hour still agree
    assert series.wrap(hours + 5) == 5 + hours - (hours // 168) * 168
    assert series.rate("hoofdrichting", hours + 30) == column[30]


def test_backfill_is_the_recorded_weeks_in_quarter_hours_on_the_same_weekday() -> None:
    series = _series()
    now = _now("2026-12-06T14:20:00")
    now_local = local_naive(now, ZONE)
    weeks = align_weeks(series, now_local)
    assert weeks is not None
    items = backfill(series, weeks, now, 1.0, ZONE)
    assert items and all(i.phenomenon_end_us is not None for i in items)
    assert max(i.phenomenon_end_us or 0 for i in items) <= now
    assert min(i.phenomenon_us for i in items) >= now - 86_400 * SECOND
    mains = [i for i in items if i.property == "hoofdrichting"]
    assert all(i.phenomenon_us % QUARTER_US == 0 for i in mains)
    assert len(mains) == 24 * 4 - 1  # complete quarters of the last day: 14:15 is cut
    by_hour: dict[dt.datetime, float] = {}
    for item in mains:
        local = from_us(item.phenomenon_us).astimezone(ZONE)
        by_hour[local.replace(minute=0, tzinfo=None)] = (
            by_hour.get(local.replace(minute=0, tzinfo=None), 0.0) + item.value)
        recorded = local.replace(tzinfo=None) - dt.timedelta(weeks=weeks)
        assert recorded.weekday() == local.weekday() and recorded.hour == local.hour
    complete = [h for h in by_hour if h.hour != 14]
    assert all(by_hour[h] == h.hour * 100 + 60 for h in complete)
    # a restart later fills only quarters nothing is stored for
    later = backfill(series, weeks, now + 3600 * SECOND, 1.0, ZONE)
    fresh = quarters_missing([i.phenomenon_us for i in items], later)
    assert fresh and all(i.phenomenon_us >= now - QUARTER_US for i in fresh)


def test_a_speed_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ReplayFeed([_series()], speed=0, start_us=0)
    with pytest.raises(ValueError):
        ReplayFeed([_series()], speed=float("nan"), start_us=0)
