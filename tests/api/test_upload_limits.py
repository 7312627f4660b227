"""Issue 11, items 6 and 9 over HTTP: hostile or corrupt uploads answer a typed 4xx (413,
415 or 422), quickly, and leave nothing behind — never a 500."""

from __future__ import annotations

import gzip
import io
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from belfort.settings import Settings
from tests.ingest.hostile_files import string_bomb, workbook

URL = "/api/belfort/v1/datasets/vijandig/ingest"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, ingest_max_columns=1000,
                    ingest_max_decompressed_bytes=20 << 20, ingest_max_shared_strings=100_000)


def _post(client: TestClient, headers: dict[str, str], body: bytes, content_type: str, name: str):
    started = time.perf_counter()
    r = client.post(URL, content=body, headers={"Content-Type": content_type, **headers},
                    params={"filename": name, "title": "Vijandig"})
    return r, time.perf_counter() - started


def _garbage_footer() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3]}), buffer)
    data = buffer.getvalue()
    return data[:-108] + b"garbage!" * 12 + b"abcd" + data[-8:]  # not thrift


def _rows(n: int) -> str:
    return "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, n + 1))


CASES = {
    "20,000-column header": (",".join(f"k{i}" for i in range(20_000)).encode() + b"\n", "text/csv",
                             "breed.csv", 422, "file_shape_refused"),
    "garbage Parquet footer": (_garbage_footer(), "application/vnd.apache.parquet", "kapot.parquet",
                               422, "unreadable_file"),
    "gzip bomb named .csv": (gzip.compress(b"a\n" + b"0" * 50_000_000), "text/csv", "bom.csv", 415,
                             "unsupported_format"),
    "PNG named .csv": (b"\x89PNG\r\n\x1a\n" + os.urandom(500), "text/csv", "foto.csv", 415,
                       "unsupported_format"),
    "invalid JSON": (b'[{"a": 1}, {', "application/json", "kapot.json", 422, "unreadable_file"),
    "shared-strings bomb": (workbook(_rows(2), shared=string_bomb(200_000)), XLSX, "bom.xlsx", 422,
                            "file_shape_refused"),
    "workbook inflating past the limit": (workbook(_rows(2), shared=string_bomb(2_000_000)), XLSX,
                                          "groot.xlsx", 413, "file_too_large"),
    "truncated workbook": (workbook(_rows(2))[:700], XLSX, "half.xlsx", 422, "unreadable_file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_uploads_are_typed_4xx(
    client: TestClient, admin_headers: dict[str, str], case: str
) -> None:
    body, content_type, name, status, code = CASES[case]
    r, seconds = _post(client, admin_headers, body, content_type, name)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code and r.json()["message"]
    assert seconds < 3, seconds
    assert client.get("/api/belfort/v1/datasets/vijandig", headers=admin_headers).status_code == 404


def test_an_allowed_broken_geometry_is_served_as_null(tmp_path: Path, database_url: str) -> None:
    """Item 8: with invalid rows allowed, a broken geometry is kept as null (the report says
    which feature and why); the GeoJSON export gives that feature no geometry and the portal
    map leaves it out — it is never served as if valid."""
    import json

    from belfort.app import create_app
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file

    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url,
                                 max_invalid_rows=1))
    try:
        source = tmp_path / "punten.geojson"
        source.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"naam": "Belfort"},
             "geometry": {"type": "Point", "coordinates": [3.7248, 51.0536]}},
            {"type": "Feature", "properties": {"naam": "Kapot"},
             "geometry": {"type": "Point", "coordinates": ["3.72", "51.05"]}},
        ]}))
        outcome = ingest_file(platform, CLI_ADMIN, "punten", source,
                              metadata={"title_nl": "Punten"})
        (problem,) = outcome.report["problems"]
        assert problem["problem"].startswith("invalid geometry: a coordinate is str")
        assert problem["examples"][0]["row"] == 2
        with TestClient(create_app(platform)) as client:
            exported = client.get("/api/explore/v2.1/catalog/datasets/punten/exports/geojson")
            assert exported.status_code == 200, exported.text
            features = {f["properties"]["naam"]: f["geometry"] for f in exported.json()["features"]}
            assert features == {"Belfort": {"type": "Point", "coordinates": [3.7248, 51.0536]},
                                "Kapot": None}
            shown = client.get("/datasets/punten/map.geojson")
            assert shown.status_code == 200, shown.text
            assert [f["properties"]["naam"] for f in shown.json()["features"]] == ["Belfort"]
    finally:
        platform.close()


def test_nul_bytes_in_metadata_are_400(client: TestClient, admin_headers: dict[str, str]) -> None:
    """The same mistake outside the readers: a NUL byte in metadata text was stored (and is a
    500 on PostgreSQL, which cannot store one)."""
    body = b"a,b\n1,2\n"
    r = client.post(URL, content=body, headers={"Content-Type": "text/csv", **admin_headers},
                    params={"title": "Ti\x00tel"})
    assert r.status_code == 400 and "NUL" in r.json()["message"], r.text
    r = client.post(URL, content=body, headers={"Content-Type": "text/csv", **admin_headers},
                    params={"title": "Titel"})
    assert r.status_code == 201, r.text
    for change in ({"title_en": "x\x00"}, {"keywords": ["a", "b\x00"]},
                   {"contact_point": {"name": "\x00"}}):
        r = client.patch("/api/belfort/v1/datasets/vijandig", json=change, headers=admin_headers)
        assert r.status_code == 400 and "NUL" in r.json()["message"], (change, r.text)
    assert client.get("/api/belfort/v1/datasets/vijandig").json()["title_en"] is None


def test_a_json_body_nested_too_deep_is_400(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    """A write body of 400,000 nested arrays (under the 1 MB body limit) was a RecursionError:
    a 500."""
    r = client.post(URL, content=b"a,b\n1,2\n", params={"title": "Titel"},
                    headers={"Content-Type": "text/csv", **admin_headers})
    assert r.status_code == 201, r.text
    for path in ("/api/belfort/v1/datasets/vijandig", "/api/belfort/v1/datasets/vijandig/state"):
        method = client.patch if path.endswith("vijandig") else client.post
        r = method(path, content=b"[" * 400_000 + b"]" * 400_000, headers=admin_headers)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
