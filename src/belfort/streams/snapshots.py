"""The current file of a live dataset: a Parquet snapshot named by its source's mark.

``LiveFiles.current`` returns ``versions/_live/<dataset>/snapshots/<mark>.parquet``, writing
it first when nobody has (atomically: a temporary file renamed into place, so two processes
writing the same mark at once both leave one complete file). A process asks the source for
its mark at most every ``BELFORT_LIVE_REFRESH_SECONDS`` per dataset and builds one snapshot
at a time per dataset (single flight); a read while nothing changed costs one stat. Every
cache between the engine and the client keys on the version's file path, so a new mark is a
new path and no kept answer of the old rows is served for it.

A superseded snapshot is removed once a newer one is older than
``BELFORT_LIVE_SNAPSHOT_GRACE_SECONDS`` (readers that opened it have finished by then).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from belfort.platform import Platform
from belfort.streams.live import LiveSource

logger = logging.getLogger(__name__)
LIVE_DIR = "_live"  # under versions/: never a dataset id (those start with a letter or digit)
_SAFE_MARK = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def live_dir(platform: Platform, dataset_id: str) -> Path:
    return platform.lake.versions_dir / LIVE_DIR / dataset_id


def file_name(mark: str) -> str:
    if _SAFE_MARK.match(mark) and not mark.startswith("."):
        return f"{mark}.parquet"
    return hashlib.sha256(mark.encode("utf-8")).hexdigest()[:40] + ".parquet"


class LiveFiles:
    """Current snapshot files of live datasets (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._current: dict[str, tuple[float, Path]] = {}  # dataset → (checked at, file)
        self._building: dict[str, threading.Lock] = {}
        self.builds = 0  # snapshots this process wrote (for tests and benchmarks)

    def current(self, source: LiveSource) -> Path:
        platform = self._platform
        refresh = platform.settings.live_refresh_seconds
        dataset_id = source.dataset_id
        kept = self._current.get(dataset_id)
        if kept is not None and time.monotonic() - kept[0] < refresh and kept[1].exists():
            return kept[1]
        with self._lock:
            building = self._building.setdefault(dataset_id, threading.Lock())
        if kept is not None and kept[1].exists() and not building.acquire(blocking=False):
            # another thread is building the next snapshot: answer from the last one meanwhile
            # (at most one rebuild behind) rather than wait
            return kept[1]
        if kept is None or not kept[1].exists():
            building.acquire()
        try:
            kept = self._current.get(dataset_id)
            if kept is not None and time.monotonic() - kept[0] < refresh and kept[1].exists():
                return kept[1]  # another thread looked while this one waited
            checked = time.monotonic()
            directory = live_dir(platform, dataset_id) / "snapshots"
            path = directory / file_name(source.mark(platform))
            if not path.exists():
                try:
                    self._write(source, directory, path)
                except Exception:
                    if kept is None or not kept[1].exists():
                        raise
                    # the rows of a moment ago rather than an error; tried again next time
                    logger.exception("live snapshot of %s failed; serving the last one",
                                     dataset_id)
                    self._current[dataset_id] = (checked, kept[1])  # retried after refresh
                    return kept[1]
            self._current[dataset_id] = (checked, path)
            if kept is None or kept[1] != path:
                for removed in sweep(directory, keep=path,
                                     grace_seconds=platform.settings.live_snapshot_grace_seconds):
                    platform.lake.remove_derived(removed)  # e.g. its restricted copies
            return path
        finally:
            building.release()

    def _write(self, source: LiveSource, directory: Path, path: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{uuid.uuid4().hex}.tmp"
        try:
            write = getattr(source, "write", None)
            if callable(write):  # the source writes Parquet itself (no Arrow copy in between)
                write(self._platform, temporary)
            else:
                pq.write_table(source.table(self._platform), temporary, compression="zstd")
            os.replace(temporary, path)
            self.builds += 1
        finally:
            temporary.unlink(missing_ok=True)


def sweep(directory: Path, *, keep: Path, grace_seconds: float) -> list[Path]:
    """Remove snapshots superseded at least ``grace_seconds`` ago: a file goes when a newer
    one (by modification time) is itself older than the grace time. Leftover temporary
    files of crashed writers go after the grace time too."""
    now = time.time()
    try:
        entries = [(entry.stat().st_mtime, entry) for entry in directory.iterdir()]
    except FileNotFoundError:
        return []
    removed: list[Path] = []
    snapshots = sorted((m, p) for m, p in entries if p.suffix == ".parquet")
    for index, (_mtime, entry) in enumerate(snapshots):
        newer = [m for m, _ in snapshots[index + 1:]]
        if entry != keep and newer and min(newer) < now - grace_seconds:
            entry.unlink(missing_ok=True)
            removed.append(entry)
    for mtime, entry in entries:
        if entry.suffix == ".tmp" and mtime < now - max(grace_seconds, 600):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def live_files(platform: Platform) -> LiveFiles:
    return platform.component(LiveFiles, LiveFiles)
