"""Replaying recorded counts as a live feed: the clock, the backfill and the ticks.

A ``RecordedSeries`` is one sensor's recorded hourly counts (per property) on a regular grid
of *local wall-clock* hours. Replaying it:

- **Alignment.** The recorded moment that plays "now" lies a whole number of weeks back
  (``weeks``), so weekday and hour of day agree: at speed 1 the feed is the recorded week
  shifted to this week, and "normal for this weekday × quarter-hour" means what it says.
- **Speed.** At speed N one recorded hour plays in 3600/N real seconds. The feed keeps the
  recorded *rate*: a tick of d real seconds during a recorded hour of C counts carries
  C × d / 3600 (rounded cumulatively, so integer values add up exactly). The platform thus
  sees the flow the recorded hour had, re-stamped to now; only which hour plays is faster.
- **Ticks.** Every tick (a few seconds) yields per sensor and property one observation whose
  phenomenon time is the real interval since the previous tick. A hour missing in the
  recording (an outage) yields nothing. Past the end of the recording the replay wraps back
  by whole weeks, so it runs for ever.
- **Backfill.** ``backfill`` yields the recorded weeks before the aligned moment as
  quarter-hour observations stamped on the same week shift, so trends and "normal" have data.

Sending lives in ``belfort.streams.replay_send`` (HTTP, MQTT, or the write path directly).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from belfort.streams.model import ObservationIn, from_us, to_us
from belfort.streams.sensors import SensorSpec

HOUR = dt.timedelta(hours=1)
WEEK_HOURS = 168
QUARTER_US = 900_000_000
DEFAULT_ZONE = "Europe/Brussels"


@dataclass(frozen=True)
class RecordedSeries:
    """One sensor's recorded hourly counts: ``values[property][i]`` is the count of the local
    wall-clock hour ``start + i hours`` (``None``: not recorded). ``sums`` names properties
    sent as the sum of others (a counter's total of both directions)."""

    sensor: SensorSpec
    start: dt.datetime  # naive, local wall clock
    values: dict[str, list[float | None]]
    sums: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def hours(self) -> int:
        return max((len(v) for v in self.values.values()), default=0)

    @property
    def properties(self) -> tuple[str, ...]:
        return tuple(self.values) + tuple(self.sums)

    def index(self, moment: dt.datetime) -> int:
        return math.floor((moment - self.start) / HOUR)

    def recorded(self, index: int) -> bool:
        """Whether any property was recorded in hour ``index``."""
        return 0 <= index < self.hours and any(
            index < len(v) and v[index] is not None for v in self.values.values())

    def busy(self, index: int, hours: int = 24) -> bool:
        """Whether anything was counted in the ``hours`` up to hour ``index`` (a long run of
        zeros is a sensor out of order, not a quiet street)."""
        return any(
            (v[i] or 0) > 0 for v in self.values.values()
            for i in range(max(0, index - hours + 1), min(index + 1, len(v))))

    def wrap(self, index: int) -> int | None:
        """``index`` brought back inside the recording by whole weeks (``None``: cannot)."""
        if 0 <= index < self.hours:
            return index
        span = (self.hours // WEEK_HOURS) * WEEK_HOURS
        if span == 0 or index < 0:
            return None
        return self.hours - span + (index - self.hours) % span

    def rate(self, prop: str, index: int) -> float | None:
        wrapped = self.wrap(index)
        if wrapped is None:
            return None
        column = self.values[prop]
        return column[wrapped] if wrapped < len(column) else None


def local_naive(us: int, zone: ZoneInfo) -> dt.datetime:
    """A real instant as naive local wall-clock time."""
    return from_us(us).astimezone(zone).replace(tzinfo=None)


def real_us(moment: dt.datetime, zone: ZoneInfo) -> int:
    """Naive local wall-clock time as a real instant (the first one, in the autumn hour)."""
    return to_us(moment.replace(tzinfo=zone))


def align_weeks(series: RecordedSeries, now_local: dt.datetime,
                start: dt.date | None = None) -> int | None:
    """Weeks back from ``now_local`` to the recorded moment that plays now.

    With ``start``: the first moment on or after that date with now's weekday and time of
    day. Without: the most recent such moment that was recorded."""
    if start is not None:
        first = dt.datetime.combine(start, dt.time())
        weeks = math.floor((now_local - first) / dt.timedelta(weeks=1))
        index = series.index(now_local - dt.timedelta(weeks=weeks))
        return weeks if weeks >= 0 and 0 <= index < series.hours else None
    latest = series.start + series.hours * HOUR
    weeks = max(0, math.ceil((now_local - latest) / dt.timedelta(weeks=1)))
    while True:
        index = series.index(now_local - dt.timedelta(weeks=weeks))
        if index < 0:
            return None
        if series.recorded(index) and series.busy(index):
            return weeks
        weeks += 1


def _split(total: float, parts: int) -> list[int]:
    """``total`` in ``parts`` integer parts that add up to its rounding."""
    return [round(total * (i + 1) / parts) - round(total * i / parts) for i in range(parts)]


def backfill(series: RecordedSeries, weeks: int, now_us: int, days: float,
             zone: ZoneInfo) -> list[ObservationIn]:
    """Quarter-hour observations for the ``days`` before ``now_us`` (complete quarters only),
    each the recorded hour ``weeks`` earlier split in four."""
    shift = dt.timedelta(weeks=weeks)
    first_us = now_us - int(days * 86_400_000_000)
    first = local_naive(first_us, zone).replace(minute=0, second=0, microsecond=0) - HOUR
    last = local_naive(now_us, zone)
    items: list[ObservationIn] = []
    hour = first
    while hour <= last:
        index = series.index(hour - shift)
        begin = real_us(hour, zone)
        parts: dict[str, list[int]] = {}
        for prop in series.values:
            rate = series.rate(prop, index) if index >= 0 else None
            if rate is not None:
                parts[prop] = _split(rate, 4)
        for prop, members in series.sums.items():
            if all(m in parts for m in members):
                parts[prop] = [sum(parts[m][q] for m in members) for q in range(4)]
        for prop, values in parts.items():
            for quarter, value in enumerate(values):
                start = begin + quarter * QUARTER_US
                end = start + QUARTER_US
                if start >= first_us and end <= now_us:
                    items.append(ObservationIn(series.sensor.id, prop, start, float(value),
                                               phenomenon_end_us=end))
        hour += HOUR
    return items


@dataclass
class _Playing:
    series: RecordedSeries
    weeks: int
    anchor: dt.datetime  # the recorded moment that played at the feed's start
    last_us: int  # end of the previous tick
    carry: dict[str, float] = field(default_factory=dict)  # counts owed, cumulative
    sent: dict[str, int] = field(default_factory=dict)


class ReplayFeed:
    """Recorded series played from ``start_us`` at ``speed``; ``tick(now_us)`` yields what is
    due per sensor since the previous tick."""

    def __init__(self, series: Sequence[RecordedSeries], *, speed: float, start_us: int,
                 zone: ZoneInfo | None = None, start_date: dt.date | None = None) -> None:
        if not speed > 0 or not math.isfinite(speed):
            raise ValueError("speed must be a positive number")
        self.speed = speed
        self.start_us = start_us
        self.zone = zone or ZoneInfo(DEFAULT_ZONE)
        now_local = local_naive(start_us, self.zone)
        self.playing: list[_Playing] = []
        self.silent: list[str] = []  # sensors with nothing recorded to play
        for one in series:
            weeks = align_weeks(one, now_local, start_date)
            if weeks is None:
                self.silent.append(one.sensor.id)
                continue
            self.playing.append(_Playing(one, weeks, now_local - dt.timedelta(weeks=weeks),
                                         start_us))

    def recorded_moment(self, playing: _Playing, at_us: int) -> dt.datetime:
        """The recorded moment playing at real instant ``at_us``."""
        return playing.anchor + dt.timedelta(
            microseconds=(at_us - self.start_us) * self.speed)

    def tick(self, now_us: int) -> dict[str, list[ObservationIn]]:
        """Per sensor, the observations for the real interval since its previous tick."""
        due: dict[str, list[ObservationIn]] = {}
        for playing in self.playing:
            items = self._due(playing, now_us)
            if items:
                due[playing.series.sensor.id] = items
        return due

    def _due(self, playing: _Playing, now_us: int) -> list[ObservationIn]:
        begin_us = playing.last_us
        if now_us <= begin_us:
            return []
        playing.last_us = now_us
        series = playing.series
        current = series.index(self.recorded_moment(playing, now_us - 1))
        values: dict[str, int] = {}
        for prop in series.values:
            if series.rate(prop, current) is None:  # not recorded now: an outage
                continue
            owed = playing.carry.get(prop, 0.0) + self._amount(playing, prop, begin_us, now_us)
            playing.carry[prop] = owed
            emitted = round(owed)
            values[prop] = emitted - playing.sent.get(prop, 0)
            playing.sent[prop] = emitted
        for prop, members in series.sums.items():
            if all(m in values for m in members):
                values[prop] = sum(values[m] for m in members)
        return [ObservationIn(series.sensor.id, prop, begin_us, float(value),
                              phenomenon_end_us=now_us)
                for prop, value in values.items()]

    def _amount(self, playing: _Playing, prop: str, begin_us: int, end_us: int) -> float:
        """The recorded rate integrated over the real interval (counts, fractional)."""
        series = playing.series
        amount = 0.0
        at = begin_us
        while at < end_us:
            moment = self.recorded_moment(playing, at)
            index = series.index(moment)
            hour_end = series.start + (index + 1) * HOUR
            # real instant at which this recorded hour ends
            left = (hour_end - moment) / dt.timedelta(microseconds=1) / self.speed
            step_end = min(end_us, at + max(1, math.ceil(left)))
            rate = series.rate(prop, index) or 0.0
            amount += rate * (step_end - at) / 3_600_000_000
            at = step_end
        return amount


def quarters_missing(stored: Iterator[int] | Sequence[int], items: Sequence[ObservationIn]
                     ) -> list[ObservationIn]:
    """The items whose quarter-hour holds no stored phenomenon time yet (so a restarted demo
    fills the gap since it last ran without overlapping what its live feed sent)."""
    taken = {us // QUARTER_US for us in stored}
    return [item for item in items if item.phenomenon_us // QUARTER_US not in taken]
