"""A never-seen v1 filter answered with the filter compared in memory
(``belfort.query.vector_filter``) gives byte for byte the answer DuckDB's statement gives
(``BELFORT_VERSION_TABLES_MB=0`` turns the in-memory paths off): same records, ids, field
values, record times, ``nhits`` and parameters, for a set of filters and pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings

SEARCH = "/api/records/1.0/search/"
ROWS = 4000

# (q, start, rows, sort): numbers (answered in memory) and others (DuckDB either way)
QUESTIONS = [
    ("bezetting>=0.37", 0, 10, None),
    ("bezetting>=0.37", 990, 10, None),
    ("bezetting<0.05", 3, 7, None),
    ("aantal>40", 0, 20, None),
    ("aantal>=12.5 AND bezetting<0.5", 100, 10, None),
    ("aantal<3 OR bezetting>0.98", 0, 10, None),
    ("NOT aantal>10", 0, 10, None),
    ("aantal=7", 0, 100, None),
    ("aantal>1000", 0, 10, None),
    ("bezetting>=0.37", 0, 10, "aantal"),
    ("telpunt:Graslei", 0, 10, None),
    ("aantal>3 AND telpunt:Veldstraat", 0, 10, None),
    ("", 50, 10, None),
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    source = tmp_path / "tellingen.parquet"
    telpunten = ["Korenmarkt", "Veldstraat", "Graslei", None]
    pq.write_table(
        pa.table({
            "telpunt": [telpunten[i % 4] for i in range(ROWS)],
            "tijdstip": pa.array([start + dt.timedelta(hours=i) for i in range(ROWS)],
                                 pa.timestamp("us", tz="UTC")),
            "aantal": [None if i % 89 == 0 else (i * 7919) % 50 for i in range(ROWS)],
            "bezetting": [None if i % 101 == 0 else ((i * 31) % 100) / 100 for i in range(ROWS)],
        }),
        source,
    )
    data = tmp_path / "data"
    platform = Platform(Settings(data_dir=data, database_url=None))
    try:
        outcome = ingest_file(
            platform, CLI_ADMIN, "tellingen", source, metadata={"title_nl": "Tellingen"}
        )
        assert outcome.published and outcome.row_count == ROWS
    finally:
        platform.close()
    return data


def _answers(data: Path, tables_mb: int) -> tuple[list[bytes], int]:
    platform = Platform(Settings(data_dir=data, database_url=None, version_tables_mb=tables_mb))
    try:
        with TestClient(create_app(platform)) as client:
            bodies = []
            for q, start, rows, sort in QUESTIONS:
                params = {"dataset": "tellingen", "q": q, "start": start, "rows": rows}
                if sort:
                    params["sort"] = sort
                r = client.get(SEARCH, params=params)
                assert r.status_code == 200, (q, r.text)
                assert "belfort-answers; fwd=uri-miss" in r.headers["cache-status"]  # computed now
                bodies.append(r.content)
        return bodies, platform.engine.compared_in_memory
    finally:
        platform.close()


def test_filters_compared_in_memory_answer_as_duckdb_does(data_dir: Path) -> None:
    in_memory, compared = _answers(data_dir, 64)
    by_statement, none = _answers(data_dir, 0)
    assert none == 0
    # the questions on numbers in file order, but the second page of a question: asked
    # again, a question is materialised (``result_cache``), not compared again
    assert compared == 8
    for question, got, want in zip(QUESTIONS, in_memory, by_statement, strict=True):
        assert got == want, question
    assert b'"nhits":0' in in_memory[8] and b'"records":[]' in in_memory[8]
