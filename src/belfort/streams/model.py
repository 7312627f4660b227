"""What every ingest channel hands to the one write path, and what it gets back.

An adapter (HTTP batch, MQTT, FIWARE, SensorThings, Telraam poller) parses its own wire
format into ``ObservationIn`` items, or into an ``ItemProblem`` for an item it cannot read,
and calls ``belfort.streams.write.write_observations``. The answer, ``BatchResult``, says per
item what happened: stored, already there (a resend), or refused and why.

Times are integers, microseconds since 1970-01-01 UTC (``to_us``/``from_us``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

QUALITY_OK = "ok"
QUALITY_SUSPECT = "suspect"  # outside the sensor's declared range, or sent flagged so


@dataclass(frozen=True)
class ObservationIn:
    """One observation as a channel read it, not yet checked against its sensor."""

    sensor_id: str
    property: str
    phenomenon_us: int  # start of the phenomenon time
    value: float
    phenomenon_end_us: int | None = None  # end, when the phenomenon time is an interval
    result_us: int | None = None  # default: the phenomenon's end (or start)
    quality: str = QUALITY_OK
    weight: float | None = None  # how much of the interval was observed (Telraam's uptime)


@dataclass(frozen=True)
class ItemProblem:
    """An item that was not stored: its place in the batch, a stable code and a message."""

    index: int
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "error": self.code, "message": self.message}


@dataclass
class BatchResult:
    """What became of a batch: counts and, per refused item, why."""

    received: int = 0
    stored: int = 0  # new observations, durable when the result is returned
    duplicates: int = 0  # already stored (same sensor, property and phenomenon time)
    suspect: int = 0  # stored, flagged "suspect"
    problems: list[ItemProblem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "suspect": self.suspect,
            "refused": len(self.problems),
            "errors": [p.to_dict() for p in self.problems],
        }


class ItemInvalid(ValueError):
    """Raised by a channel's item parser; becomes an ``ItemProblem`` for that item."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def to_us(moment: dt.datetime) -> int:
    """Microseconds since the epoch of an aware datetime (naive is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


def now_us() -> int:
    return to_us(dt.datetime.now(UTC))


def parse_time(value: object, what: str = "time") -> int:
    """An ISO 8601 timestamp (with ``Z`` or an offset; without one it is UTC) or epoch
    seconds/milliseconds as a number → microseconds. Raises ``ItemInvalid``."""
    if isinstance(value, bool):
        raise ItemInvalid("bad_time", f"{what} must be a timestamp, not a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ItemInvalid("bad_time", f"{what} is not a finite number")
        seconds = value / 1000 if abs(value) >= 1e11 else value  # milliseconds when that large
        if abs(seconds) > 1e11:
            raise ItemInvalid("bad_time", f"{what} is out of range")
        return int(round(seconds * 1_000_000))
    if not isinstance(value, str):
        raise ItemInvalid("bad_time", f"{what} must be an ISO 8601 timestamp")
    if len(value) > 64:
        raise ItemInvalid("bad_time", f"{what} is longer than a timestamp can be")
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ItemInvalid("bad_time",
                          f"{what} is not an ISO 8601 timestamp: {text[:40]!r}") from None
    return to_us(moment)


def parse_value(value: object, what: str = "value") -> float:
    """A finite number (a numeric string is accepted; booleans become 1/0)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise ItemInvalid("bad_value", f"{what} is out of range") from None
    elif isinstance(value, str) and len(value) <= 64:
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise ItemInvalid("bad_value", f"{what} is not a number: {value[:40]!r}") from None
    else:
        raise ItemInvalid("bad_value", f"{what} must be a number")
    if not math.isfinite(number):
        raise ItemInvalid("bad_value", f"{what} is not a finite number")
    return number
