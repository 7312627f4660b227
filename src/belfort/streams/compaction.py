"""Compaction and retention: the hot store's old rows into partitioned Parquet in the lake,
old raw files into rollups, old rollups away.

Every step writes its file first and then records it in ONE database transaction that also
removes what it replaces (hot-store rows, or the raw files of a day) and moves the compaction
generation (so every live dataset's mark moves). Readers only read recorded files, so a crash
at any point loses nothing and duplicates nothing: a file written but never recorded is
garbage, removed by a later run. One compactor runs at a time across processes and machines:
it holds the lease row ``stream_state.compaction`` (a conditional UPDATE; a lease left by a
crashed process expires after ``LEASE_SECONDS``).

Layout: ``versions/_live/<dataset>/parts/<kind>/<day>/<token>.parquet`` (kind ``raw``,
``per-kwartier``, ``per-uur``, ``per-dag``; day the city's day of the rows' phenomenon time,
midnight to midnight in ``BELFORT_STREAM_DAY_TIMEZONE``, so a day's raw files roll up into
exactly that day's per-day row). A day rolled up again (a late observation reached its raw
files) merges its new rows with the kept rollup rows into one file that replaces them: one
row per sensor, property and period, never two (``live_data.merged_rollups_sql``).
A resent observation that was compacted already is dropped here (and hidden by the live
snapshot until then), so the lake holds each (sensor, property, time) once.

With an object store (``BELFORT_LAKE_URL``) a part is uploaded to its final key before its
row is recorded (``Lake.publish_file``), so every node reads the same parts through its own
cache (``live_data.local_parts``); unrecorded objects are swept like unrecorded files, a
retired one only after the grace time from its retirement (kept in the lease holder's
memory: a compactor that dies forgets it, and the next one removes the part at once).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import delete, func, or_, select, update

from belfort.catalog.database import database_clock_us
from belfort.catalog.models import Observation, Sensor, StreamPart, StreamState
from belfort.lake import owners
from belfort.lake.store import LIVE_PARTS
from belfort.platform import Platform
from belfort.streams.live_catalog import SYNC_SECONDS, sync
from belfort.streams.live_data import (
    CITY_TIMEZONE,
    HOT_SCHEMA,
    _raw_relation,
    hot_table,
    local_parts,
    merged_rollups_sql,
    rollup_sql,
    run,
    sensors_table,
)
from belfort.streams.live_schema import RAW, ROLLUP_FIELDS, ROLLUPS
from belfort.streams.model import now_us as clock_us
from belfort.streams.snapshots import live_dir

logger = logging.getLogger(__name__)
LEASE = "compaction"
LEASE_SECONDS = 900
DAY_US = 86_400_000_000
DELETE_CHUNK = 900


@dataclass
class CompactionReport:
    compacted_rows: int = 0  # hot-store rows moved into the lake
    dropped_duplicates: int = 0  # resent observations the lake held already
    parts_written: int = 0
    rolled_up_days: int = 0  # days of raw files replaced by their rollups (retention)
    expired_rollup_parts: int = 0
    removed_files: int = 0  # unrecorded or retired files removed
    skipped: bool = False  # another process holds the lease
    datasets: list[str] = field(default_factory=list)


def day_of(us: int, timezone: str = CITY_TIMEZONE) -> str:
    """The city's day (``YYYY-MM-DD`` in ``timezone``) of a time in microseconds."""
    return dt.datetime.fromtimestamp(us / 1_000_000, ZoneInfo(timezone)).strftime("%Y-%m-%d")


def days_of(phenomena: pa.ChunkedArray | pa.Array, timezone: str = CITY_TIMEZONE) -> pa.Array:
    """``day_of`` of every value (microseconds) at once."""
    stamps = pc.cast(phenomena, pa.timestamp("us", tz=timezone))
    return pc.strftime(stamps, format="%Y-%m-%d")


def day_span(day: str, timezone: str = CITY_TIMEZONE) -> tuple[int, int]:
    """First and last microsecond of the city's day ``day`` (23 or 25 hours when the clocks
    change)."""
    zone = ZoneInfo(timezone)
    date = dt.date.fromisoformat(day)
    start = dt.datetime(date.year, date.month, date.day, tzinfo=zone)
    following = date + dt.timedelta(days=1)
    end = dt.datetime(following.year, following.month, following.day, tzinfo=zone)
    return int(start.timestamp()) * 1_000_000, int(end.timestamp()) * 1_000_000 - 1


def take_lease(platform: Platform, holder: str, seconds: float = LEASE_SECONDS) -> bool:
    """Whether ``holder`` holds the compaction lease now, for ``seconds`` (by the database's
    clock)."""
    with platform.db.session() as session:
        now = database_clock_us(session)
        taken = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(StreamState)
            .where(StreamState.name == LEASE,
                   or_(StreamState.holder.is_(None), StreamState.holder == holder,
                       StreamState.lease_until_us < now))
            .values(holder=holder, lease_until_us=now + int(seconds * 1_000_000))
        ).rowcount
    return bool(taken)


def release_lease(platform: Platform, holder: str) -> None:
    with platform.db.session() as session:
        session.execute(update(StreamState).where(StreamState.name == LEASE,
                                                  StreamState.holder == holder)
                        .values(holder=None, lease_until_us=0))


def _bump(session: object) -> None:
    session.execute(update(StreamState).where(StreamState.name == LEASE)  # type: ignore[attr-defined]
                    .values(generation=StreamState.generation + 1))


def compact(platform: Platform, *, now_us: int | None = None) -> CompactionReport:
    """One compaction and retention run (nothing when another process holds the lease)."""
    now = clock_us() if now_us is None else now_us
    report = CompactionReport()
    holder = f"{owners.current().tag}-{uuid.uuid4().hex[:8]}"
    if not take_lease(platform, holder):
        report.skipped = True
        return report
    try:
        sync(platform, force=True)
        with platform.db.session() as session:
            sources = sorted(set(session.scalars(select(Sensor.dataset_id).distinct())))
        settings = platform.settings
        zone = settings.stream_day_timezone
        for source in sources:
            report.datasets.append(source)
            _compact_hot(platform, source, now - int(settings.stream_hot_hours * 3600e6), report)
            _roll_up_old_days(platform, source,
                              day_of(now - int(settings.stream_retention_days * DAY_US), zone),
                              report)
            _expire_rollups(platform, source,
                            day_of(now - int(settings.stream_rollup_retention_days * DAY_US),
                                   zone), report)
            report.removed_files += len(collect_unrecorded(platform, source))
    finally:
        release_lease(platform, holder)
    return report


# a hook for tests: called between a part's file write and its recording transaction
after_file_written: Callable[[Path], None] = lambda _path: None


def _write_part(platform: Platform, source: str, kind: str, day: str, table: pa.Table) -> Path:
    directory = live_dir(platform, source) / LIVE_PARTS / kind / day
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex}.parquet"
    temporary = directory / f".{target.stem}.tmp"
    try:
        pq.write_table(table, temporary, compression="zstd")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        platform.lake.publish_file(temporary, target)  # with a store: uploaded first
    finally:
        temporary.unlink(missing_ok=True)
    after_file_written(target)
    return target


def _relative(platform: Platform, path: Path) -> str:
    return str(path.relative_to(platform.lake.root))


def _compact_hot(platform: Platform, source: str, cutoff: int, report: CompactionReport) -> None:
    sensors = sensors_table(platform, source).column("sensor_id").to_pylist()
    if not sensors:
        return
    hot = hot_table(platform, sensors, before_us=cutoff)
    if platform.db.engine.dialect.name == "sqlite" and hot.num_rows:
        # the newest row stays: SQLite would hand its id out again once it is gone (an
        # INTEGER PRIMARY KEY without AUTOINCREMENT), and ids must only grow (marks)
        with platform.db.session() as session:
            newest = int(session.scalar(select(func.max(Observation.id))) or 0)
        hot = hot.filter(pc.not_equal(hot.column("id"), newest))
    if not hot.num_rows:
        return
    days = days_of(hot.column("phenomenon_us"), platform.settings.stream_day_timezone)
    for day in sorted(set(days.to_pylist())):
        rows = hot.filter(pc.equal(days, day))
        ids = rows.column("id").to_pylist()
        kept = _without_stored(platform, source, day, rows)
        report.dropped_duplicates += rows.num_rows - kept.num_rows
        path = _write_part(platform, source, RAW, day, kept) if kept.num_rows else None
        with platform.db.session() as session:
            if path is not None:
                phenomena = kept.column("phenomenon_us")
                session.add(StreamPart(dataset_id=source, kind=RAW, day=day,
                                       path=_relative(platform, path), row_count=kept.num_rows,
                                       first_us=pc.min(phenomena).as_py(),
                                       last_us=pc.max(phenomena).as_py()))
            for start in range(0, len(ids), DELETE_CHUNK):
                session.execute(delete(Observation).where(
                    Observation.id.in_(ids[start:start + DELETE_CHUNK])))
            _bump(session)
        report.compacted_rows += kept.num_rows
        report.parts_written += path is not None


def _without_stored(platform: Platform, source: str, day: str, rows: pa.Table) -> pa.Table:
    """``rows`` without those the day's recorded raw files hold already (resent ones)."""
    with platform.db.session() as session:
        paths = local_parts(platform, list(session.scalars(
            select(StreamPart.path).where(StreamPart.dataset_id == source,
                                          StreamPart.kind == RAW, StreamPart.day == day))))
    if not paths:
        return rows
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    found = run(f"SELECT h.* FROM hot h ANTI JOIN read_parquet([{files}]) s "
                "ON h.sensor_id = s.sensor_id AND h.property = s.property "
                "AND h.phenomenon_us = s.phenomenon_us ORDER BY h.id", {"hot": rows})
    assert found is not None
    return found.cast(HOT_SCHEMA)


def _roll_up_old_days(platform: Platform, source: str, before_day: str,
                      report: CompactionReport) -> None:
    """Raw files of days before ``before_day`` → their rollups, in one transaction per day;
    a day with rollups already (a late observation) gets one merged file per kind instead of
    a second row for the same period."""
    with platform.db.session() as session:
        old = session.execute(select(StreamPart.day, StreamPart.id, StreamPart.path).where(
            StreamPart.dataset_id == source, StreamPart.kind == RAW,
            StreamPart.day < before_day).order_by(StreamPart.day)).all()
    by_day: dict[str, list[tuple[int, str]]] = {}
    for day, part_id, relative in old:
        by_day.setdefault(day, []).append((part_id, relative))
    sensors = sensors_table(platform, source)
    zone = platform.settings.stream_day_timezone
    names = ", ".join(n for n, *_ in ROLLUP_FIELDS)
    for day, parts in by_day.items():
        paths = local_parts(platform, [p for _, p in parts])
        with platform.db.session() as session:
            kept = session.execute(select(StreamPart.kind, StreamPart.id, StreamPart.path).where(
                StreamPart.dataset_id == source, StreamPart.kind != RAW,
                StreamPart.day == day)).all()
        replaced = [part_id for _, part_id, _ in kept]
        replaced_paths = [platform.lake.absolute(p) for _, _, p in kept]
        written: list[tuple[str, Path, int]] = []
        for kind, (seconds, _nl, _en) in ROLLUPS.items():
            sql = f"SELECT {names} FROM ({rollup_sql(_raw_relation(paths), seconds, zone)})"
            earlier = local_parts(platform, [p for k, _, p in kept if k == kind])
            if earlier:
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in earlier)
                sql = merged_rollups_sql(f"SELECT {names} FROM read_parquet([{files}]) "
                                         f"UNION ALL {sql}")
            table = run(sql, {"hot": HOT_SCHEMA.empty_table(), "sensors": sensors})
            assert table is not None
            written.append((kind, _write_part(platform, source, kind, day, table),
                            table.num_rows))
        first, last = day_span(day, zone)
        with platform.db.session() as session:
            for kind, file, count in written:
                session.add(StreamPart(dataset_id=source, kind=kind, day=day,
                                       path=_relative(platform, file), row_count=count,
                                       first_us=first, last_us=last))
            session.execute(delete(StreamPart).where(
                StreamPart.id.in_([part_id for part_id, _ in parts] + replaced)))
            _bump(session)
        _retire(platform, paths + replaced_paths)
        report.rolled_up_days += 1


def _expire_rollups(platform: Platform, source: str, before_day: str,
                    report: CompactionReport) -> None:
    with platform.db.session() as session:
        old = session.execute(select(StreamPart.id, StreamPart.path).where(
            StreamPart.dataset_id == source, StreamPart.kind != RAW,
            StreamPart.day < before_day)).all()
        if not old:
            return
        session.execute(delete(StreamPart).where(StreamPart.id.in_([i for i, _ in old])))
        _bump(session)
    _retire(platform, [platform.lake.absolute(p) for _, p in old])
    report.expired_rollup_parts += len(old)


# parts' objects retired by this process: relative path → when (the store's object times are
# their upload times, so the grace time from retirement is counted here)
_retired: dict[str, float] = {}


def _retire(platform: Platform, paths: list[Path]) -> None:
    """No longer recorded: removed by ``collect_unrecorded`` after the grace time (a
    snapshot being built, on any node, may still read them)."""
    now = time.time()
    for path in paths:
        if platform.lake.is_remote(path):
            _retired[_relative(platform, path)] = now
        try:
            os.utime(path, (now, now))
        except FileNotFoundError:
            pass


def collect_unrecorded(platform: Platform, source: str, *,
                       min_age_seconds: float | None = None) -> list[Path]:
    """Remove part files no ``stream_parts`` row records (a crashed run's, or retired ones)
    once older than the grace time; only the lease holder calls it."""
    grace = (max(platform.settings.live_snapshot_grace_seconds, 60)
             if min_age_seconds is None else min_age_seconds)
    root = live_dir(platform, source) / LIVE_PARTS
    if not root.is_dir() and platform.lake.remote is None:
        return []
    with platform.db.session() as session:
        recorded = {str(platform.lake.absolute(p)) for p in session.scalars(
            select(StreamPart.path).where(StreamPart.dataset_id == source))}
    now = time.time()
    removed: list[Path] = []
    for path in root.rglob("*") if root.is_dir() else ():
        if not path.is_file() or str(path.resolve()) in recorded:
            continue
        if now - path.stat().st_mtime >= grace:
            path.unlink(missing_ok=True)
            removed.append(path)
    if platform.lake.remote is not None:
        removed += _collect_remote(platform, root, recorded, now, grace)
    return removed


def _collect_remote(platform: Platform, root: Path, recorded: set[str], now: float,
                    grace: float) -> list[Path]:
    """Objects under ``root`` no row records: uploaded by a run that died before recording
    them (once the upload is older than the grace time) or retired (the grace time after
    their retirement)."""
    lake = platform.lake
    assert lake.remote is not None
    removed: list[Path] = []
    for item in lake.remote.listing(_relative(platform, root)):
        path = lake.root / item.relative_path
        if str(path) in recorded or not lake.is_live_part(path):
            continue
        since = max(item.modified, _retired.get(item.relative_path, 0.0))
        if now - since >= grace:
            lake.remote.delete(item.relative_path)
            _retired.pop(item.relative_path, None)
            removed.append(path)
    return removed


class Compactor:
    """The live store's background work in a serving process (a daemon thread): every
    ``live_catalog.SYNC_SECONDS`` the live datasets of newly registered sensors get their
    catalogue rows (whichever process registered them), and every
    ``BELFORT_STREAM_COMPACT_SECONDS`` ``compact`` runs (every process may try: the lease
    lets one work at a time)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-compactor", daemon=True)

    def start(self) -> Compactor:
        self._thread.start()
        return self

    def _run(self) -> None:
        every = self._platform.settings.stream_compact_seconds
        last = time.monotonic()
        while not self._stop.wait(SYNC_SECONDS):
            try:
                sync(self._platform, force=True)
                if every > 0 and time.monotonic() - last >= every:
                    last = time.monotonic()
                    compact(self._platform)
            except Exception:  # a failed run leaves nothing half done; the next one retries
                logger.exception("live store upkeep failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def start_compactor(platform: Platform) -> Compactor:
    return Compactor(platform).start()
