"""The data directory: immutable Parquet versions, written so that a half-written
version is never visible.

Layout under ``BELFORT_DATA_DIR``::

    versions/<dataset>/<utc-time>-<token>-<owner>.parquet  immutable, referenced by the catalogue
    staging/<token>-<owner>/                           work in progress; never read by queries

(``<owner>``: the writing process's owner tag, ``belfort.lake.owners``.)

A version becomes visible in two steps: the finished file is renamed from
``staging/`` into ``versions/`` (atomic on one filesystem) and only then the
catalogue row pointing at it is committed. A process killed at any moment leaves
either nothing visible or a complete version; leftovers in ``staging/`` and
unreferenced files in ``versions/`` are removed by ``collect_garbage``: at once when
the process that wrote them no longer runs, else (a live owner's work in progress) never;
leftovers whose owner cannot be told (no tag, another machine) once they are old enough.

With an object store (``BELFORT_LAKE_URL``, ``belfort.lake.objects``) the published files
live in the bucket and ``versions/`` here is this node's bounded cache of them
(``BELFORT_LAKE_CACHE_MB``, least recently used first out): ``commit_version_file``
uploads to the final key and keeps the file as a cached copy, readers call
``ensure_local`` (a miss downloads to a temporary name in ``staging/`` and renames it in
place, once per file at a time in a process). Versions are immutable, so a cached copy is
never stale; DuckDB still reads only local files under ``versions/``.

Live datasets' compacted parts (``versions/_live/<dataset>/parts/...``, ``belfort.streams``)
are published the same way (``publish_file``: the object first, then the cached copy; the
caller records the part afterwards) and read through the same cache. Their snapshots
(``versions/_live/<dataset>/snapshots/``) and the files derived from a version
(``versions/_derived/``) are each node's own: made again from what is shared.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from belfort.errors import LakeUnavailable
from belfort.lake import owners
from belfort.lake.objects import ObjectStore
from belfort.lake.owners import OwnerState

log = logging.getLogger("belfort.lake")


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    byte_size: int
    checksum: str  # "sha256:<hex>"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


UPLOAD_MAX_AGE_SECONDS = 7 * 86400
DERIVED_DIR = "_derived"  # files made from a version file, under versions/
LIVE_DIR = "_live"  # live datasets' files, under versions/ (``belfort.streams``)
LIVE_PARTS = "parts"  # under versions/_live/<dataset>/: compacted parts, in the store when any
RECENT_SECONDS = 60.0  # a cached file read this recently is never evicted (a query may be on it)


class Lake:
    """Owns the data directory layout; knows nothing about catalogue rules."""

    def __init__(self, root: Path, remote: ObjectStore | None = None,
                 cache_bytes: int = 0) -> None:
        self.remote = remote
        self.cache_bytes = cache_bytes
        self.recent_seconds = RECENT_SECONDS
        self._fetching: dict[str, threading.Lock] = {}
        self._fetching_lock = threading.Lock()
        self.root = root.resolve()
        self.versions_dir = self.root / "versions"
        self.staging_dir = self.root / "staging"
        self.uploads_dir = self.root / "uploads"  # files staff uploaded, waiting for review
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        self._live_dir = self.versions_dir / LIVE_DIR
        self._derived_dir = self.versions_dir / DERIVED_DIR

    def probe(self) -> None:
        """Raise when the lake cannot be read (the readiness check)."""
        if self.remote is not None:
            self.remote.check_bucket()
            return
        with os.scandir(self.versions_dir) as entries:  # a listing: the cheapest real read
            next(entries, None)

    def is_remote(self, path: Path) -> bool:
        """``path`` (under ``versions/``) is a published file kept in the object store."""
        return self.remote is not None and self.is_shared(path)

    def is_shared(self, path: Path) -> bool:
        """``path`` is a published file (a version's or a live part's): the same on every
        node, kept in the object store when there is one; not a node's own derived file or
        live snapshot."""
        if self.versions_dir not in path.parents or self._derived_dir in path.parents:
            return False
        if self._live_dir not in path.parents:
            return True
        inside = path.relative_to(self._live_dir).parts  # <dataset>/parts/<kind>/<day>/<file>
        return len(inside) > 2 and inside[1] == LIVE_PARTS

    def is_live_part(self, path: Path) -> bool:
        return self._live_dir in path.parents and self.is_shared(path)

    def version_file(self, relative_path: str) -> Path:
        """The local path of a version file, fetched into the cache when it is not there."""
        return self.ensure_local(self.absolute(relative_path))

    def ensure_local(self, path: Path) -> Path:
        """``path`` itself, after making sure a published file is on this node's disk
        (LakeUnavailable when it must be downloaded and the store cannot be read)."""
        if not self.is_remote(path):
            return path
        try:
            _touch(path)  # its last use: the cache evicts the least recently used
            return path
        except FileNotFoundError:
            pass
        relative = str(path.relative_to(self.root))
        with self._fetching_lock:
            lock = self._fetching.setdefault(relative, threading.Lock())
        try:
            with lock:  # one download per file at a time in this process
                if not path.exists():
                    self._download(relative, path)
        finally:
            with self._fetching_lock:
                self._fetching.pop(relative, None)
        return path

    def _download(self, relative: str, path: Path) -> None:
        """Copy the object to a temporary name in ``staging/``, rename it into place (so no
        reader sees a partial file), then keep the cache within its bound."""
        assert self.remote is not None
        part = self.temporary_file(".download")
        try:
            self.remote.download(relative, part)
            if self.is_live_part(path):  # versions have checksums (``belfort lake check``)
                _check_parquet(part, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, path)
            _touch(path)
        finally:
            part.unlink(missing_ok=True)
        self._evict(keep=path)

    def cached_files(self) -> list[Path]:
        """The published files on this node's disk (the cache), least recently used first."""
        found = []
        for file in self.versions_dir.rglob("*.parquet"):
            if self.is_shared(file):
                try:
                    found.append((file.stat().st_mtime, file))
                except FileNotFoundError:
                    continue
        return [file for _, file in sorted(found)]

    def _evict(self, keep: Path) -> None:
        """Remove the least recently used cached files until the cache fits its bound
        (never ``keep`` nor a file read in the last ``RECENT_SECONDS``)."""
        if self.remote is None or self.cache_bytes <= 0:
            return
        files = self.cached_files()
        sizes = {f: _size(f) for f in files}
        total = sum(sizes.values())
        recent = time.time() - self.recent_seconds
        for file in files:
            if total <= self.cache_bytes:
                break
            if file == keep or _mtime(file) > recent:
                continue
            file.unlink(missing_ok=True)
            self.remove_derived(file)
            total -= sizes[file]

    def new_staging_dir(self) -> Path:
        """A private work directory for one ingest (removed by the caller or by GC)."""
        path = self.staging_dir / f"{uuid.uuid4().hex}-{owners.current().tag}"
        path.mkdir()
        return path

    def temporary_file(self, suffix: str) -> Path:
        """An empty file in ``staging/`` for an answer being written (the caller removes it;
        if the process dies first, GC does)."""
        handle, name = tempfile.mkstemp(suffix=suffix, prefix=f"tmp-{owners.current().tag}-",
                                        dir=self.staging_dir)
        os.close(handle)
        return Path(name)

    def absolute(self, relative_path: str) -> Path:
        path = (self.root / relative_path).resolve()
        if self.root not in path.parents:
            raise ValueError(f"path escapes the data directory: {relative_path!r}")
        return path

    def commit_version_file(self, staged: Path, dataset_id: str) -> StoredFile:
        """Durably move a finished Parquet file into ``versions/`` and describe it.

        The name carries no version number: numbers are the catalogue's business, and
        a file must never be renamed once a catalogue row may point at it.
        """
        _fsync(staged)
        checksum = sha256_of(staged)
        target_dir = self.versions_dir / dataset_id
        target_dir.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name = f"{stamp}-{uuid.uuid4().hex[:12]}-{owners.current().tag}.parquet"
        target = target_dir / name
        return self.publish_file(staged, target, checksum)

    def publish_file(self, staged: Path, target: Path, checksum: str | None = None
                     ) -> StoredFile:
        """Move the finished file ``staged`` (fsynced) to ``target`` under ``versions/``:
        with an object store, upload it to its final key first (complete or absent there)
        and keep the local file as this node's cached copy. The caller records it only
        afterwards, so nobody reads it before it is complete everywhere."""
        if checksum is None:
            checksum = sha256_of(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        relative = str(target.relative_to(self.root))
        if self.is_remote(target):  # the store first: the final key is complete or absent
            assert self.remote is not None
            uploaded = self.remote.upload(staged, relative)
            if uploaded != checksum:
                self.remote.delete(relative, quiet=True)
                raise LakeUnavailable("publishing failed: the staged file changed while it "
                                      "was uploaded")
        os.replace(staged, target)  # with a store: this node's cached copy
        _fsync(target.parent)
        if self.remote is not None:
            self._evict(keep=target)
        return StoredFile(relative_path=relative, byte_size=target.stat().st_size,
                          checksum=checksum)

    def derived_path(self, source: Path, name: str) -> Path:
        """Where a file made from the version file ``source`` is kept (e.g. the part of it a
        principal may read, ``belfort.policy.restricted``): ``versions/_derived/<source's
        path under versions/>/<name>``, removed with its source (``remove_derived``,
        ``collect_garbage``)."""
        relative = source.resolve().relative_to(self.versions_dir)
        return self.versions_dir / DERIVED_DIR / relative.with_suffix("") / name

    def remove_derived(self, source: Path) -> None:
        """Remove the files made from ``source`` (the source is gone or going)."""
        shutil.rmtree(self.derived_path(source, "x").parent, ignore_errors=True)

    def discard(self, relative_path: str) -> None:
        """Remove a version file whose catalogue commit failed (from the store too: if that
        cannot be reached, the object is an orphan for ``collect_garbage``)."""
        path = self.absolute(relative_path)
        path.unlink(missing_ok=True)
        if self.is_remote(path):
            assert self.remote is not None
            self.remote.delete(relative_path, quiet=True)

    def collect_garbage(self, referenced: Iterable[str], *, min_age_seconds: float = 3600,
                        upload_age_seconds: float = UPLOAD_MAX_AGE_SECONDS) -> list[str]:
        """Delete staging leftovers, version files no catalogue row references, and
        uploads nobody reviewed within ``upload_age_seconds``.

        A leftover whose owner process no longer runs goes whatever its age; one whose
        owner still runs stays (its ingest is in progress); one whose owner cannot be told
        goes once older than ``min_age_seconds``, so an ingest running on another machine
        sharing the directory is never disturbed.
        """
        keep = {str(self.absolute(p)) for p in referenced}
        now = time.time()
        removed: list[str] = []

        def garbage(entry: Path) -> bool:
            state = owners.owner_state(owners.owner_of(entry.name))
            if state is OwnerState.UNKNOWN:
                return now - entry.stat().st_mtime >= min_age_seconds
            return state is OwnerState.DEAD

        for entry in self.staging_dir.iterdir():
            if garbage(entry):
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
                removed.append(str(entry.relative_to(self.root)))
        live = self.versions_dir / "_live"  # live datasets' files: ``belfort.streams`` sweeps them
        derived = self.versions_dir / DERIVED_DIR
        for file in self.versions_dir.rglob("*.parquet"):
            if live in file.parents or derived in file.parents:
                continue
            if str(file.resolve()) not in keep and garbage(file):
                file.unlink()
                removed.append(str(file.relative_to(self.root)))
        for directory in sorted(derived.rglob("*"), reverse=True) if derived.is_dir() else ():
            source = self.versions_dir / directory.relative_to(derived).with_suffix(".parquet")
            if directory.is_dir() and any(f.is_file() for f in directory.iterdir()) \
                    and not source.exists():
                shutil.rmtree(directory, ignore_errors=True)
                removed.append(str(directory.relative_to(self.root)))
        for entry in self.uploads_dir.iterdir() if self.uploads_dir.is_dir() else ():
            if now - entry.stat().st_mtime >= max(upload_age_seconds, min_age_seconds):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(str(entry.relative_to(self.root)))
        if self.remote is not None:
            try:
                removed += self._collect_remote(keep, now, min_age_seconds)
            except LakeUnavailable as exc:  # the next collection tries again
                log.warning("garbage collection skipped the object store: %s", exc.message)
        return removed

    def _collect_remote(self, keep: set[str], now: float, min_age_seconds: float) -> list[str]:
        """Objects in the store no catalogue row references, by the same rules as files."""
        assert self.remote is not None
        removed = []
        for item in self.remote.listing("versions"):
            path = self.root / item.relative_path
            if not item.relative_path.endswith(".parquet") or not self.is_remote(path) \
                    or self.is_live_part(path) or str(path) in keep:  # parts: streams' GC
                continue
            state = owners.owner_state(owners.owner_of(path.name))
            old = now - item.modified >= min_age_seconds
            if state is OwnerState.DEAD or (state is OwnerState.UNKNOWN and old):
                self.remote.delete(item.relative_path)
                removed.append("s3:" + item.relative_path)
        return removed


def _check_parquet(path: Path, relative: str) -> None:
    """LakeUnavailable unless ``path`` ends in a readable Parquet footer (an object cut short
    in the store is refused here, not left for a query to stumble on)."""
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        raise LakeUnavailable(f"the file {relative!r} in the object store is damaged "
                              "(not a whole Parquet file)") from None


def _touch(path: Path) -> None:
    """Mark ``path`` used now (the clock's nanoseconds: the kernel's own file times are
    coarse, so uses a few milliseconds apart would tie)."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
