"""Does the lake hold what the catalogue says? (``belfort lake check``)

Every version row names its Parquet file with a size and a SHA-256 checksum. ``check_lake``
reads each named file and reports it *missing* (no file), *corrupt* (another size or
checksum), and lists *orphaned* version files no row names. Live datasets' files
(``versions/_live``) and files derived from a version (``versions/_derived``) are another
module's business and are not counted as orphans, except that the live datasets' compacted
parts are checked too (rows with a ``row_count``: the file ends in a Parquet footer that
counts those rows, *corrupt* otherwise; with an object store an unrecorded part object is an
orphan until the compactor's sweep removes it). A file an ingest is committing at that
very moment has no row yet and shows up as orphaned until its row is committed. The check
only reports; ``belfort gc`` decides what to remove. With an object store
(``BELFORT_LAKE_URL``) the published files are checked in the bucket, read whole from there,
and the orphans are the bucket's objects no row names (listed as ``s3:<path>``); the
node's cached copies are not checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow.fs import FileSystem

from belfort.lake.store import DERIVED_DIR, LIVE_DIR, Lake, sha256_of

__all__ = ["LIVE_DIR", "ExpectedFile", "LakeReport", "Problem", "check_lake"]


@dataclass(frozen=True)
class ExpectedFile:
    """What a catalogue row says of one version file."""

    dataset_id: str
    version: int
    path: str  # relative to the data directory
    byte_size: int | None  # None: no size or checksum recorded (a record-times file)
    checksum: str | None
    row_count: int | None = None  # a live part's rows (its footer must say so), else None


@dataclass(frozen=True)
class Problem:
    dataset_id: str
    version: int
    path: str
    problem: str  # "missing" or "corrupt"
    detail: str


@dataclass
class LakeReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.orphaned

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "missing": [asdict(p) for p in self.problems if p.problem == "missing"],
            "corrupt": [asdict(p) for p in self.problems if p.problem == "corrupt"],
            "orphaned": self.orphaned,
        }


def check_lake(lake: Lake, expected: Iterable[ExpectedFile]) -> LakeReport:
    """Check every expected file (reading each whole for its checksum) and list orphans."""
    report = LakeReport()
    named: set[Path] = set()
    for item in expected:
        report.checked += 1
        try:
            path = lake.absolute(item.path)
        except ValueError:
            report.problems.append(Problem(item.dataset_id, item.version, item.path, "corrupt",
                                           "the row's path leaves the data directory"))
            continue
        named.add(path)
        if lake.is_remote(path):
            _check_remote(lake, item, report)
            continue
        if not path.is_file():
            report.problems.append(Problem(item.dataset_id, item.version, item.path, "missing",
                                           "no such file"))
            continue
        if item.row_count is not None:
            _check_rows(item, _footer_rows(str(path), None), report)
        if item.byte_size is None or item.checksum is None:
            continue
        size = path.stat().st_size
        if size != item.byte_size:
            report.problems.append(Problem(
                item.dataset_id, item.version, item.path, "corrupt",
                f"{size} bytes, the catalogue says {item.byte_size}"))
            continue
        actual = sha256_of(path)
        if actual != item.checksum:
            report.problems.append(Problem(
                item.dataset_id, item.version, item.path, "corrupt",
                f"checksum {actual}, the catalogue says {item.checksum}"))
    if lake.remote is not None:
        for stored in lake.remote.listing("versions"):
            path = lake.root / stored.relative_path
            if lake.is_remote(path) and path not in named:
                report.orphaned.append("s3:" + stored.relative_path)
        return report
    skipped = (lake.versions_dir / LIVE_DIR, lake.versions_dir / DERIVED_DIR)
    for file in sorted(lake.versions_dir.rglob("*.parquet")):
        if any(directory in file.parents for directory in skipped):
            continue
        if file.resolve() not in named:
            report.orphaned.append(str(file.relative_to(lake.root)))
    return report


def _check_remote(lake: Lake, item: ExpectedFile, report: LakeReport) -> None:
    """``item`` in the object store: there, of the right size and checksum."""
    assert lake.remote is not None
    stored = lake.remote.info(item.path)
    if stored is None:
        report.problems.append(Problem(item.dataset_id, item.version, item.path, "missing",
                                       "no such object in the store"))
        return
    if item.row_count is not None:
        _check_rows(item, _footer_rows(lake.remote.key(item.path), lake.remote.fs), report)
    if item.byte_size is None or item.checksum is None:
        return
    if stored.byte_size != item.byte_size:
        report.problems.append(Problem(
            item.dataset_id, item.version, item.path, "corrupt",
            f"{stored.byte_size} bytes, the catalogue says {item.byte_size}"))
        return
    actual = lake.remote.checksum(item.path)
    if actual != item.checksum:
        report.problems.append(Problem(
            item.dataset_id, item.version, item.path, "corrupt",
            f"checksum {actual}, the catalogue says {item.checksum}"))


def _footer_rows(where: str, filesystem: FileSystem | None) -> int | None:
    """The row count a Parquet file's footer states; None when it has no readable footer."""
    try:
        if filesystem is None:
            return int(pq.read_metadata(where).num_rows)
        with filesystem.open_input_file(where) as source:
            return int(pq.read_metadata(source).num_rows)
    except (OSError, pa.ArrowException):
        return None


def _check_rows(item: ExpectedFile, rows: int | None, report: LakeReport) -> None:
    if rows is None:
        report.problems.append(Problem(item.dataset_id, item.version, item.path, "corrupt",
                                       "not a whole Parquet file"))
    elif rows != item.row_count:
        report.problems.append(Problem(item.dataset_id, item.version, item.path, "corrupt",
                                       f"{rows} rows, the catalogue says {item.row_count}"))
