"""Record ids stay put while a record's key is unchanged, and record timestamps move only
when the record changes — across versions ingested through the real write path."""

from __future__ import annotations

from pathlib import Path

from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.query.model import RECORD_ID_COLUMN, ROW_NUMBER_COLUMN, Query
from belfort.schema import TableSchema
from tests.helpers import write

V1 = "telpunt;dag;aantal\nKorenmarkt;2024-03-01;10\nVeldstraat;2024-03-01;20\nGraslei;2024-03-01;30\n"
# Veldstraat changed, Graslei unchanged but moved, Korenmarkt gone, Kouter new
V2 = "telpunt;dag;aantal\nGraslei;2024-03-01;30\nVeldstraat;2024-03-01;25\nKouter;2024-03-01;5\n"


def snapshot(platform: Platform, dataset_id: str, key: tuple[str, ...]) -> dict[str, tuple[str, object]]:
    with platform.db.session() as session:
        _, version = gate.readable_version(session, CLI_ADMIN, dataset_id)
        schema = TableSchema.from_dict(version.table_schema)
        path = platform.lake.absolute(version.path)
        times = platform.lake.absolute(version.record_times_path) if version.record_times_path else None
        created = version.created_at
    rows = platform.engine.execute(Query(with_row_number=True, record_id_fields=key), schema, path).records()
    stamps = platform.engine.record_timestamps(times, [r[ROW_NUMBER_COLUMN] for r in rows]) if times else {}
    return {r["telpunt"]: (r[RECORD_ID_COLUMN], stamps.get(r[ROW_NUMBER_COLUMN], created)) for r in rows}


def test_ids_and_timestamps_across_versions(platform: Platform, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v1.csv", V1),
                metadata={"record_key": ["telpunt", "dag"]})
    first = snapshot(platform, "tellingen", ("telpunt", "dag"))
    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v2.csv", V2))
    second = snapshot(platform, "tellingen", ("telpunt", "dag"))

    assert second["Graslei"] == first["Graslei"]  # same id, same timestamp
    assert second["Veldstraat"][0] == first["Veldstraat"][0]  # same key → same id …
    assert second["Veldstraat"][1] > first["Veldstraat"][1]  # … but it changed
    assert second["Kouter"][1] == second["Veldstraat"][1]
    assert len({rid for rid, _ in second.values()}) == 3


def test_without_a_key_any_change_is_a_new_record(platform: Platform, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v1.csv", V1))
    first = snapshot(platform, "tellingen", ())
    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v2.csv", V2))
    second = snapshot(platform, "tellingen", ())
    assert second["Graslei"] == first["Graslei"]
    assert second["Veldstraat"][0] != first["Veldstraat"][0]


def test_unknown_key_field_is_refused(platform: Platform, tmp_path: Path) -> None:
    import pytest

    from belfort.errors import InvalidRequest

    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v1.csv", V1))
    with pytest.raises(InvalidRequest, match="record key"):
        ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "v2.csv", V2),
                    metadata={"record_key": ["bestaat_niet"]})
