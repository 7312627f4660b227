"""The one durable write path of observations, under every ingest channel.

``write_many`` checks each item against its device (its own sensor, a sane time, a finite
value; outside the sensor's range it is kept and flagged "suspect"), then inserts the good
ones in one transaction and returns only after the commit: what it reports as stored is
durable. An observation already stored (same sensor, property and phenomenon time) is
counted as a duplicate and left as it was, so a device may resend safely.

A device that sends more than its share (``BELFORT_STREAM_DEVICE_RATE``, a token bucket per
device in each process) has its whole batch refused, so one flooding device cannot starve
the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from belfort import metrics
from belfort.errors import DeviceRateLimited
from belfort.platform import Platform
from belfort.streams.model import (
    QUALITY_OK,
    QUALITY_SUSPECT,
    BatchResult,
    ItemProblem,
    ObservationIn,
    now_us,
)
from belfort.streams.sensors import PROPERTY_NAME, Device

COLUMNS = ("sensor_id", "property", "phenomenon_us", "phenomenon_end_us", "result_us",
           "received_us", "value", "quality", "weight")
Row = tuple[str, str, int, int | None, int, int, float, str, float | None]
Item = ObservationIn | ItemProblem


@dataclass
class _Bucket:
    tokens: float
    at: float


class DeviceRates:
    """Token buckets per device (a platform component): ``rate`` per second, bursts of
    ten seconds' worth."""

    def __init__(self, platform: Platform) -> None:
        self.rate = platform.settings.stream_device_rate
        self.burst = self.rate * 10
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, device_id: str, count: int) -> float:
        """Take ``count`` tokens; 0 when granted, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(device_id)
            if bucket is None:
                if len(self._buckets) > 100_000:
                    self._buckets.clear()
                bucket = self._buckets[device_id] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if count > bucket.tokens:
                return max(1.0, (count - bucket.tokens) / self.rate)
            bucket.tokens -= count
            return 0.0


def write_observations(platform: Platform, device: Device, items: Sequence[Item]) -> BatchResult:
    """Store one device's batch; ``DeviceRateLimited`` when it is over its share."""
    result = write_many(platform, [(device, items)])[0]
    if result.problems and all(p.code == "rate_limited" for p in result.problems):
        wait = platform.component(DeviceRates, DeviceRates).take(device.id, 0)
        raise DeviceRateLimited(
            f"device {device.id!r} sends more than {platform.settings.stream_device_rate:g} "
            "observations a second: nothing of this batch was stored",
            retry_after=max(1, int(wait + 0.999)),
        )
    return result


def write_many(platform: Platform, groups: Sequence[tuple[Device, Sequence[Item]]]
               ) -> list[BatchResult]:
    """Store several devices' batches in one transaction; one ``BatchResult`` per group,
    returned after the commit."""
    settings = platform.settings
    rates = platform.component(DeviceRates, DeviceRates)
    now = now_us()
    earliest = now - settings.stream_max_age_days * 86_400_000_000
    latest = now + settings.stream_max_future_seconds * 1_000_000
    results: list[BatchResult] = []
    rows: list[Row] = []
    owners: list[int] = []  # per row, the group it came from
    for group_index, (device, items) in enumerate(groups):
        result = BatchResult(received=len(items))
        results.append(result)
        if items and rates.take(device.id, len(items)) > 0:
            result.problems = [ItemProblem(i, "rate_limited", "the device is over its rate")
                               for i in range(len(items))]
            continue
        for index, item in enumerate(items):
            if isinstance(item, ItemProblem):
                result.problems.append(item)
                continue
            problem = _check(device, item, earliest, latest)
            if problem is not None:
                result.problems.append(ItemProblem(index, problem[0], problem[1]))
                continue
            quality = item.quality
            if (device.min_value is not None and item.value < device.min_value) or (
                    device.max_value is not None and item.value > device.max_value):
                quality = QUALITY_SUSPECT
            if quality == QUALITY_SUSPECT:
                result.suspect += 1
            end = item.phenomenon_end_us
            result_us = item.result_us if item.result_us is not None else (
                end if end is not None else item.phenomenon_us)
            rows.append((device.id, item.property, item.phenomenon_us, end, result_us, now,
                         item.value, quality, item.weight))
            owners.append(group_index)
    if rows:
        inserted = _insert(platform, rows)
        for group_index, was_new in zip(owners, inserted, strict=True):
            if was_new:
                results[group_index].stored += 1
            else:
                results[group_index].duplicates += 1
    for result in results:
        result.problems.sort(key=lambda p: p.index)
        metrics.OBSERVATIONS.labels("stored").inc(result.stored)
        metrics.OBSERVATIONS.labels("duplicate").inc(result.duplicates)
        metrics.OBSERVATIONS.labels("refused").inc(len(result.problems))
    return results


def _check(device: Device, item: ObservationIn, earliest: int, latest: int
           ) -> tuple[str, str] | None:
    if item.sensor_id != device.id:
        return ("other_sensor",
                f"the credential is {device.id!r}'s, not {item.sensor_id[:100]!r}'s")
    if not PROPERTY_NAME.fullmatch(item.property):
        return ("bad_property", "the observed property must be a name of letters, digits, "
                "'_', '.' or '-'")
    if item.phenomenon_us > latest:
        return ("time_in_future", "the phenomenon time is ahead of the server's clock")
    if item.phenomenon_us < earliest:
        return ("time_too_old", "the phenomenon time is older than this platform keeps")
    if item.phenomenon_end_us is not None and not (
            item.phenomenon_us <= item.phenomenon_end_us <= latest):
        return ("bad_interval", "the phenomenon time's end must lie between its start and now")
    if item.weight is not None and not 0 <= item.weight <= 1:
        return ("bad_weight", "the weight (uptime) must lie between 0 and 1")
    if item.quality not in (QUALITY_OK, QUALITY_SUSPECT):
        return ("bad_quality", "the quality flag must be 'ok' or 'suspect'")
    return None


def _insert(platform: Platform, rows: list[Row]) -> list[bool]:
    """Insert the rows, skipping ones already stored; per row, whether it was new.
    Commits before returning."""
    engine = platform.db.engine
    sqlite = engine.dialect.name == "sqlite"
    # a row repeated within the batch is new once only
    seen: set[tuple[str, str, int]] = set()
    unique: list[Row] = []
    first: list[bool] = []
    for row in rows:
        key = (row[0], row[1], row[2])
        if key in seen:
            first.append(False)
            continue
        seen.add(key)
        first.append(True)
        unique.append(row)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if sqlite:
            new = _insert_sqlite(cursor, unique)
        else:
            new = _insert_postgres(cursor, unique)
        connection.commit()
        cursor.close()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    return [is_first and (row[0], row[1], row[2]) in new
            for is_first, row in zip(first, rows, strict=True)]


def _insert_sqlite(cursor: Any, rows: list[Row]) -> set[tuple[str, str, int]]:
    """The keys of the rows that were new: what is stored already is asked first, then the
    rest inserted (``OR IGNORE`` keeps a row another writer stored meanwhile)."""
    columns = ", ".join(COLUMNS)
    values = ", ".join(["?"] * len(COLUMNS))
    existing = _existing(cursor, rows, "?")
    fresh = [row for row in rows if (row[0], row[1], row[2]) not in existing]
    if fresh:
        cursor.executemany(
            f"INSERT OR IGNORE INTO observations ({columns}) VALUES ({values})", fresh)
    return {(row[0], row[1], row[2]) for row in fresh}


def _insert_postgres(cursor: Any, rows: list[Row]) -> set[tuple[str, str, int]]:
    """COPY into a temporary table (emptied at commit), then one ``INSERT … SELECT … ON
    CONFLICT DO NOTHING RETURNING`` the keys that were new: two statements a batch."""
    columns = ", ".join(COLUMNS)
    cursor.execute(_INCOMING)
    with cursor.copy(f"COPY observations_incoming ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        f"INSERT INTO observations ({columns}) SELECT {columns} FROM observations_incoming "
        "ON CONFLICT (sensor_id, property, phenomenon_us) DO NOTHING "
        "RETURNING sensor_id, property, phenomenon_us")
    return {(s, p, int(t)) for s, p, t in cursor.fetchall()}


# per connection (session), emptied by every commit or rollback
_INCOMING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS observations_incoming ("
    "sensor_id VARCHAR(100) NOT NULL, property VARCHAR(100) NOT NULL, "
    "phenomenon_us BIGINT NOT NULL, phenomenon_end_us BIGINT, result_us BIGINT NOT NULL, "
    "received_us BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, "
    "quality VARCHAR(16) NOT NULL, weight DOUBLE PRECISION) ON COMMIT DELETE ROWS"
)


def _existing(cursor: object, rows: list[Row], mark: str) -> set[tuple[str, str, int]]:
    """Which of these (sensor, property, time) keys are stored already: asked per sensor and
    property over the batch's time range, so a resend is told apart from a new row."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for row in rows:
        key = (row[0], row[1])
        low, high = spans.get(key, (row[2], row[2]))
        spans[key] = (min(low, row[2]), max(high, row[2]))
    found: set[tuple[str, str, int]] = set()
    sql = (f"SELECT sensor_id, property, phenomenon_us FROM observations WHERE sensor_id = {mark} "
           f"AND property = {mark} AND phenomenon_us BETWEEN {mark} AND {mark}")
    for (sensor, prop), (low, high) in spans.items():
        cursor.execute(sql, (sensor, prop, low, high))  # type: ignore[attr-defined]
        found.update((s, p, int(t)) for s, p, t in cursor.fetchall())  # type: ignore[attr-defined]
    return found
