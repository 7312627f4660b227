"""The member log behind the event streams: which records each version adds, changes and
removes; timestamps that never go back; rows read by number from large versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from belfort.linked.ldes_log import (
    LogCache,
    StreamVersion,
    VersionLog,
    compute_log,
    log_file,
    read_rows,
    stored_log,
    stream_timestamps,
)
from belfort.schema import Field, TableSchema

T0 = dt.datetime(2024, 7, 21, 10, tzinfo=dt.UTC)


def version(tmp_path: Path, number: int, rows: dict[str, list[object]], created: dt.datetime = T0,
            types: dict[str, str] | None = None) -> StreamVersion:
    path = tmp_path / f"v{number}.parquet"
    pq.write_table(pa.table(rows), path)
    fields = tuple(Field(name=n, type=(types or {}).get(n, "string" if isinstance(v[0], str) else "integer"))
                   for n, v in rows.items())
    return StreamVersion(number, path, TableSchema(fields=fields), created)


def members(log: object) -> list[tuple[str, int]]:
    return list(zip(log.record_ids.to_pylist(), log.rows.to_pylist(), strict=True))  # type: ignore[attr-defined]


def test_first_version_is_every_record_in_file_order(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "b", "c"], "n": [1, 2, 3]})
    log = compute_log(v1, None, ("punt",))
    assert [row for _, row in members(log)] == [0, 1, 2]
    assert len(set(log.record_ids.to_pylist())) == 3


def test_changes_then_tombstones(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "b", "c", "d"], "n": [1, 2, 3, 4]})
    v2 = version(tmp_path, 2, {"punt": ["e", "d", "a", "b"], "n": [5, 4, 9, 2]})
    first = dict((rid, row) for rid, row in members(compute_log(v1, None, ("punt",))))
    ids = {v1_row: rid for rid, v1_row in first.items()}
    log = members(compute_log(v2, v1, ("punt",)))
    # e is new (row 0), a changed (row 2); d and b unchanged; c removed (its row in v1 was 2)
    assert [row for _, row in log] == [0, 2, -3]
    assert log[1][0] == ids[0] and log[2][0] == ids[2]


def test_without_a_key_a_change_is_a_new_record_and_a_tombstone(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "b"], "n": [1, 2]})
    v2 = version(tmp_path, 2, {"punt": ["a", "b"], "n": [1, 3]})
    log = members(compute_log(v2, v1, ()))
    assert [row for _, row in log] == [1, -2]
    assert log[0][0] != log[1][0]


def test_duplicate_records_count_once(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "a", "b"], "n": [1, 1, 2]})
    assert [row for _, row in members(compute_log(v1, None, ("punt",)))] == [0, 2]


def test_identical_version_adds_nothing(tmp_path: Path) -> None:
    rows = {"punt": ["a", "b"], "n": [1, 2]}
    v1, v2 = version(tmp_path, 1, rows), version(tmp_path, 2, {"punt": ["b", "a"], "n": [2, 1]})
    assert members(compute_log(v2, v1, ("punt",))) == []
    assert version(tmp_path, 3, rows).path.exists()


def test_other_fields_change_every_record(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "b"], "n": [1, 2]})
    v2 = version(tmp_path, 2, {"punt": ["a", "b"], "n": [1, 2]}, types={"n": "number"})
    assert [row for _, row in members(compute_log(v2, v1, ("punt",)))] == [0, 1]


def test_a_key_an_older_version_lacks_falls_back_to_all_fields(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"naam": ["a", "b"], "n": [1, 2]})
    v2 = version(tmp_path, 2, {"naam": ["a", "b"], "n": [1, 2], "punt": ["x", "y"]})
    log = members(compute_log(v2, v1, ("punt",)))
    assert [row for _, row in log] == [0, 1, -1, -2]  # other fields: all new, all old gone


def test_timestamps_never_go_back(tmp_path: Path) -> None:
    later, earlier = T0 + dt.timedelta(minutes=5), T0 - dt.timedelta(minutes=5)
    versions = [version(tmp_path, 1, {"a": ["x"]}, T0), version(tmp_path, 2, {"a": ["y"]}, later),
                version(tmp_path, 3, {"a": ["z"]}, earlier), version(tmp_path, 4, {"a": ["w"]}, later),
                version(tmp_path, 5, {"a": ["v"]}, later.replace(tzinfo=None))]
    times = stream_timestamps(versions)
    assert times[:2] == [T0, later]
    assert times[2] == later + dt.timedelta(microseconds=1)
    assert times[3] == later + dt.timedelta(microseconds=2)
    assert times[4] == later + dt.timedelta(microseconds=3)
    assert all(a < b for a, b in zip(times, times[1:], strict=False))


def test_read_rows_by_number_across_row_groups(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"n": list(range(5000))}), path, row_group_size=333)
    wanted = [4999, 0, 332, 333, 334, 2500, 2500]
    assert read_rows(path, wanted).column(0).to_pylist() == wanted


def test_cache_builds_once_and_stays_within_bounds() -> None:
    cache = LogCache(max_bytes=10_000)
    calls = []

    def build() -> bytes:
        calls.append(1)
        return b"x" * 3000

    for _ in range(3):
        cache.get_or_build("a", build)
    assert len(calls) == 1
    for key in "bcdef":
        cache.put(key, b"y" * 3000)
    assert cache.size_bytes <= 10_000 and cache.get("a") is None
    cache.put("huge", b"z" * 20_000)
    assert cache.get("huge") is None


def test_logs_are_kept_on_disk_and_read_back(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a", "b", "c"], "n": [1, 2, 3]})
    v2 = version(tmp_path, 2, {"punt": ["a", "c", "d"], "n": [1, 5, 4]})
    directory = tmp_path / "ldes" / "tellingen"
    computed = compute_log(v2, v1, ("punt",))
    first = stored_log(directory, v2, v1, ("punt",), lambda: computed)
    assert members(first) == members(computed)
    assert len(list(directory.glob("*.parquet"))) == 1 and not list(directory.glob("*.tmp"))

    def must_not_compute() -> VersionLog:
        raise AssertionError("the stored log was not used")

    assert members(stored_log(directory, v2, v1, ("punt",), must_not_compute)) == members(computed)
    # another record key is another log; a damaged file is computed again and replaced
    assert stored_log(directory, v2, v1, ("n",), lambda: computed) is computed
    damaged = log_file(directory, v2, v1, ("punt",))
    damaged.write_bytes(b"not parquet")
    assert members(stored_log(directory, v2, v1, ("punt",), lambda: computed)) == members(computed)
    assert members(stored_log(directory, v2, v1, ("punt",), must_not_compute)) == members(computed)


def test_an_unwritable_directory_only_costs_a_recomputation(tmp_path: Path) -> None:
    v1 = version(tmp_path, 1, {"punt": ["a"], "n": [1]})
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    log = compute_log(v1, None, ())
    assert stored_log(blocker / "ldes", v1, None, (), lambda: log) is log
