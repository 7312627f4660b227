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
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from belfort.lake import owners
from belfort.lake.owners import OwnerState


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


class Lake:
    """Owns the data directory layout; knows nothing about catalogue rules."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.versions_dir = self.root / "versions"
        self.staging_dir = self.root / "staging"
        self.uploads_dir = self.root / "uploads"  # files staff uploaded, waiting for review
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(parents=True, exist_ok=True)

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
        os.replace(staged, target)
        _fsync(target_dir)
        return StoredFile(
            relative_path=str(target.relative_to(self.root)),
            byte_size=target.stat().st_size,
            checksum=checksum,
        )

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
        """Remove a version file whose catalogue commit failed."""
        self.absolute(relative_path).unlink(missing_ok=True)

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
        return removed


def _fsync(path: Path) -> None:
    """Flush a file or a directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
