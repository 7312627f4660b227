"""Materialised results (``belfort.query.result_cache``): pages served from a cached
result are exactly the pages a direct query gives, and the cache keeps its bounds."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest

from belfort.api.ods.records import order_of, parse_v1_params, where_of
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.policy.reading import readable
from belfort.publishing import ingest_file
from belfort.query.engine import QueryEngine
from belfort.query.model import Aggregate, FieldRef, Query, SelectItem
from belfort.query.result_cache import ResultCache
from tests.helpers import write

QUESTIONS = [
    [],
    [("q", "gent")],
    [("sort", "-{first}")],
    [("sort", "{first}")],
    [("q", "{first}:*"), ("sort", "{first}")],
]
WINDOWS = [(0, 10), (3, 7), (10, 100), (0, 1000), (5000, 10)]


def _tables(engine: QueryEngine) -> int:
    return sum(1 for key in engine.results._entries if key[0] == "table")


@pytest.mark.parametrize("dataset", [
    "fietstelpalen-gent", "real-time-locaties-deelwagen-partago",
    "bezetting-parkeergarages-real-time", "druktebarometer-info",
])
def test_cached_pages_equal_direct_pages(ghent: Platform, dataset: str) -> None:
    rv = readable(ghent, CLI_ADMIN, dataset)
    direct = QueryEngine(ghent.lake.versions_dir)  # no result cache
    assert not direct.results.enabled and ghent.engine.results.enabled
    first = rv.schema.fields[0].name
    try:
        for question in QUESTIONS:
            items = [("dataset", dataset)] + [(k, v.format(first=first)) for k, v in question]
            params = parse_v1_params(items)
            base = Query(where=where_of(params, rv.schema), order_by=order_of(params),
                         with_row_number=True, record_id_fields=rv.record_key)
            for start, rows in WINDOWS:
                query = replace(base, offset=start, limit=rows)
                expected = direct.execute(query, rv.schema, rv.path, with_total=True)
                for _ in range(2):  # the second time comes from the materialised result
                    got = ghent.engine.execute(query, rv.schema, rv.path, with_total=True)
                    assert (got.columns, got.rows, got.total) == (expected.columns, expected.rows, expected.total), question
        assert _tables(ghent.engine) == len(QUESTIONS)
    finally:
        direct.close()


def test_record_timestamps_from_cache_equal_direct(platform: Platform, tmp_path: Path) -> None:
    csv = "id,naam\n1,a\n2,b\n3,c\n"
    ingest_file(platform, CLI_ADMIN, "stamps", write(tmp_path / "a.csv", csv), metadata={"title_nl": "S", "record_key": ["id"]})
    ingest_file(platform, CLI_ADMIN, "stamps", write(tmp_path / "b.csv", csv.replace("2,b", "2,B") + "4,d\n"))
    rv = readable(platform, CLI_ADMIN, "stamps")
    assert rv.record_times is not None
    direct = QueryEngine(platform.lake.versions_dir)
    try:
        want = direct.record_timestamps(rv.record_times, [0, 1, 2, 3])
        assert platform.engine.record_timestamps(rv.record_times, [0, 1, 2, 3]) == want
        assert platform.engine.record_timestamps(rv.record_times, [3, 1, 99]) == {3: want[3], 1: want[1]}
        assert want[0] < want[1]  # the changed record is newer
    finally:
        direct.close()


def test_a_question_is_materialised_the_second_time(ghent: Platform) -> None:
    rv = readable(ghent, CLI_ADMIN, "fietstelpalen-gent")
    query = Query(limit=5, with_row_number=True, record_id_fields=rv.record_key)
    ghent.engine.execute(query, rv.schema, rv.path)
    assert _tables(ghent.engine) == 0
    ghent.engine.execute(replace(query, offset=5), rv.schema, rv.path)  # another page, same question
    assert _tables(ghent.engine) == 1


def test_aggregates_and_large_versions_are_not_materialised(ghent: Platform) -> None:
    rv = readable(ghent, CLI_ADMIN, "fietstelpalen-gent")
    first = rv.schema.fields[0].name
    grouped = Query(select=(SelectItem(FieldRef(first)), SelectItem(Aggregate("count", None), "n")),
                    group_by=(SelectItem(FieldRef(first)),), limit=5)
    for _ in range(3):
        ghent.engine.execute(grouped, rv.schema, rv.path, with_total=True)
    assert _tables(ghent.engine) == 0

    ghent.engine.results.max_rows = ghent.engine.row_count(rv.path) - 1
    for _ in range(3):
        ghent.engine.execute(Query(limit=5), rv.schema, rv.path)
    assert _tables(ghent.engine) == 0


def test_cache_stays_within_its_bytes() -> None:
    cache = ResultCache(max_bytes=10_000, max_rows=100)
    table = pa.table({"x": list(range(500))})  # 4,000 bytes
    for i in range(10):
        cache.put(("table", i), table)
        assert cache.size_bytes <= 10_000
    assert cache.get(("table", 9)) is not None and cache.get(("table", 0)) is None
    cache.put(("huge",), pa.table({"x": list(range(5_000))}))  # larger than the whole cache
    assert cache.get(("huge",)) is None and cache.size_bytes <= 10_000


def test_one_thread_builds_a_question_others_wait() -> None:
    cache = ResultCache(max_bytes=10**6, max_rows=100)
    built: list[int] = []
    started = threading.Barrier(8)

    def build() -> pa.Table:
        built.append(1)
        return pa.table({"x": [1, 2, 3]})

    results: list[pa.Table | None] = []

    def ask() -> None:
        started.wait()
        results.append(cache.get_or_build("k", build, admit_now=True))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and all(r is not None and r.num_rows == 3 for r in results)


def test_disabled_cache_keeps_nothing(tmp_path: Path) -> None:
    cache = ResultCache(max_bytes=0, max_rows=100)
    cache.put("k", pa.table({"x": [1]}))
    assert cache.get("k") is None and not cache.enabled
