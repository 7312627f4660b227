"""Helpers shared by the ingest tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.ingest import IngestResult, convert_to_parquet

REPO_ROOT = Path(__file__).resolve().parents[2]
GHENT_DATA = (REPO_ROOT / ".." / "shared" / "data" / "ghent").resolve()


def ingest(tmp_path: Path, data: bytes, name: str = "data.csv", **kwargs: Any) -> tuple[IngestResult, pa.Table]:
    source = tmp_path / name
    source.write_bytes(data)
    destination = tmp_path / "out.parquet"
    result = convert_to_parquet(source, destination, **kwargs)
    return result, pq.read_table(destination)


def types(result: IngestResult) -> dict[str, str]:
    return {f.name: f.type for f in result.schema.fields}


@pytest.fixture
def run(tmp_path: Path):  # noqa: ANN201
    def _run(data: bytes, name: str = "data.csv", **kwargs: Any) -> tuple[IngestResult, pa.Table]:
        return ingest(tmp_path, data, name, **kwargs)

    return _run
