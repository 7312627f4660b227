"""Issue 14, item 2: a classification per field. A field classified above what a caller
reads is held back from it on every dialect — its values and its name — while the rest of
the dataset stays readable; staff see everything; a signed-in reader also reads internal
fields, never confidential ones without a policy."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import classify_field, ingest_file
from tests.helpers import write

# one personal-data column (a national register number) in an otherwise open dataset,
# and one internal column
CSV = (
    "telpunt;aantal;teller_rrn;opmerking_intern\n"
    "Korenmarkt;120;85073003328;batterij zwak\n"
    "Veldstraat;80;90020199961;\n"
    "Graslei;95;77111512345;herplaatst\n"
)
SECRET_VALUES = ("85073003328", "90020199961", "77111512345")
INTERNAL_VALUES = ("batterij zwak", "herplaatst")

ROW_READS = [
    "/api/belfort/v1/datasets/tellers/records",
    "/api/belfort/v1/datasets/tellers/exports/csv",
    "/api/belfort/v1/datasets/tellers/exports/json",
    "/api/belfort/v1/datasets/tellers/fields",
    "/api/belfort/v1/datasets/tellers",
    "/api/explore/v2.1/catalog/datasets/tellers/records",
    "/api/explore/v2.1/catalog/datasets/tellers/exports/csv",
    "/api/explore/v2.1/catalog/datasets/tellers",
    "/api/records/1.0/search/?dataset=tellers",
    "/api/records/1.0/download/?dataset=tellers&format=csv",
    "/api/datasets/1.0/tellers/",
    "/explore/dataset/tellers/download/?format=csv",
    "/id/tellers",
    "/def/tellers",
    "/ldes/tellers/pages/1",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D",
    "/catalog.ttl",
    "/datasets/tellers",
    "/explore/dataset/tellers/table/",
    "/api/belfort/v1/datasets",
    "/api/explore/v2.1/catalog/datasets",
    "/api/datasets/1.0/search/",
]


@pytest.fixture
def tellers(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "tellers", write(tmp_path / "tellers.csv", CSV),
                metadata={"title_nl": "Tellers", "licence": "CC0-1.0"})
    assert classify_field(platform, CLI_ADMIN, "tellers", "teller_rrn", "confidential")
    assert classify_field(platform, CLI_ADMIN, "tellers", "opmerking_intern", "internal")
    return platform


@pytest.fixture
def reader_headers(platform: Platform) -> dict[str, str]:
    with platform.db.session() as session:
        return {"Authorization": f"Bearer {create_key(session, 'lezer', Role.READ).secret}"}


@pytest.mark.parametrize("path", ROW_READS)
def test_anonymous_never_sees_a_held_back_field(
        client: TestClient, tellers: Platform, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:300])
    for text in (*SECRET_VALUES, *INTERNAL_VALUES, "teller_rrn", "opmerking_intern"):
        assert text not in r.text, (path, text)


@pytest.mark.parametrize("path", ROW_READS)
def test_a_signed_in_reader_sees_internal_fields_but_not_confidential_ones(
        client: TestClient, tellers: Platform, reader_headers: dict[str, str], path: str) -> None:
    r = client.get(path, headers=reader_headers)
    assert r.status_code == 200, (path, r.text[:300])
    for text in (*SECRET_VALUES, "teller_rrn"):
        assert text not in r.text, (path, text)
    assert r.headers["cache-control"] == "private, no-store"


def test_the_rest_of_the_dataset_stays_readable(
        client: TestClient, tellers: Platform, reader_headers: dict[str, str],
        admin_headers: dict[str, str]) -> None:
    def columns(headers: dict[str, str]) -> list[str]:
        r = client.get("/api/belfort/v1/datasets/tellers/exports/csv", headers=headers)
        assert r.status_code == 200
        return next(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))

    assert columns({}) == ["telpunt", "aantal"]
    assert columns(reader_headers) == ["telpunt", "aantal", "opmerking_intern"]
    assert columns(admin_headers) == ["telpunt", "aantal", "teller_rrn", "opmerking_intern"]
    r = client.get("/api/explore/v2.1/catalog/datasets/tellers/records",
                   params={"where": "aantal > 90", "order_by": "aantal"})
    assert [row["telpunt"] for row in r.json()["results"]] == ["Graslei", "Korenmarkt"]


@pytest.mark.parametrize("query", [
    {"where": "teller_rrn = '85073003328'"},
    {"select": "teller_rrn"},
    {"group_by": "teller_rrn"},
    {"order_by": "teller_rrn"},
    {"where": "search(teller_rrn, '8507')"},
])
def test_a_held_back_field_cannot_be_probed_in_a_query(
        client: TestClient, tellers: Platform, query: dict[str, str]) -> None:
    """A filter on a held-back field answers as for a field that does not exist: it cannot
    be used to test a guess."""
    r = client.get("/api/explore/v2.1/catalog/datasets/tellers/records", params=query)
    missing = client.get("/api/explore/v2.1/catalog/datasets/tellers/records", params={
        k: v.replace("teller_rrn", "bestaat_niet") for k, v in query.items()})
    assert r.status_code == missing.status_code == 400, r.text
    assert r.json()["error_code"] == missing.json()["error_code"]
    assert "8507" not in r.text.replace("85073003328", "") or "teller_rrn" not in r.text


def test_the_dictionary_says_each_fields_classification(
        client: TestClient, tellers: Platform, admin_headers: dict[str, str]) -> None:
    fields = client.get("/api/belfort/v1/datasets/tellers/fields", headers=admin_headers).json()
    assert {f["name"]: f["classification"] for f in fields["fields"]} == {
        "telpunt": "open", "aantal": "open", "teller_rrn": "confidential",
        "opmerking_intern": "internal"}


def test_classifying_a_field_through_the_api(
        client: TestClient, tellers: Platform, admin_headers: dict[str, str],
        reader_headers: dict[str, str]) -> None:
    path = "/api/belfort/v1/datasets/tellers/fields/aantal/classification"
    assert client.put(path, json={"classification": "confidential"}).status_code == 401
    assert client.put(path, json={"classification": "confidential"},
                      headers=reader_headers).status_code == 403
    for bad in ({"classification": "geheim"}, {"classification": 3}, {}, [],
                {"classification": "open", "extra": 1}):
        r = client.put(path, json=bad, headers=admin_headers)
        assert r.status_code == 422 or r.status_code == 400, (bad, r.text)
    r = client.put("/api/belfort/v1/datasets/tellers/fields/nope/classification",
                   json={"classification": "internal"}, headers=admin_headers)
    assert r.status_code in (404, 422), r.text
    r = client.put(path, json={"classification": "confidential"}, headers=admin_headers)
    assert r.status_code == 200 and r.json()["changed"] is True
    assert "aantal" not in client.get("/api/belfort/v1/datasets/tellers/exports/csv").text
    r = client.put(path, json={"classification": None}, headers=admin_headers)
    assert r.json()["classification"] == "open"
    assert "aantal" in client.get("/api/belfort/v1/datasets/tellers/exports/csv").text


def test_a_held_back_field_name_finds_nothing_in_search(
        client: TestClient, tellers: Platform, admin_headers: dict[str, str]) -> None:
    def found(q: str) -> int:
        return int(client.get("/api/belfort/v1/datasets", params={"q": q}).json()["total_count"])

    for q in ("rrn", "opmerking"):  # words only the held-back fields' names hold
        assert found(q) == 0
    assert found("telpunt") == 1
    staff = client.get("/api/belfort/v1/datasets", params={"q": "rrn"}, headers=admin_headers)
    assert staff.json()["total_count"] == 1  # staff find it by every field


def test_internal_datasets_are_read_by_signed_in_principals_only(
        client: TestClient, platform: Platform, tmp_path: Path,
        reader_headers: dict[str, str]) -> None:
    ingest_file(platform, CLI_ADMIN, "intern", write(tmp_path / "t.csv", CSV), metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "werkdata"})
    path = "/api/explore/v2.1/catalog/datasets/intern/records"
    assert client.get(path).status_code == 404
    r = client.get(path, headers=reader_headers)
    assert r.status_code == 200 and r.json()["total_count"] == 3
    listed = client.get("/api/belfort/v1/datasets", headers=reader_headers).json()
    assert [d["id"] for d in listed["datasets"]] == ["intern"]
    assert client.get("/api/belfort/v1/datasets").json()["total_count"] == 0


def test_the_restricted_copy_goes_with_its_version(
        client: TestClient, tellers: Platform) -> None:
    assert client.get("/api/belfort/v1/datasets/tellers/exports/csv").status_code == 200
    derived = tellers.lake.versions_dir / "_derived"
    copies = list(derived.rglob("restricted-*.parquet"))
    assert len(copies) == 1
    with tellers.db.session() as session:
        from belfort.catalog.models import Version
        version = session.query(Version).filter_by(dataset_id="tellers").one()
        source = tellers.lake.absolute(version.path)
    assert tellers.lake.derived_path(source, copies[0].name) == copies[0]
    assert tellers.collect_garbage(min_age_seconds=0) == []  # its source is still there
    assert copies[0].exists()
    source.unlink()
    removed = tellers.collect_garbage(min_age_seconds=0)
    assert not copies[0].exists() and any("_derived" in r for r in removed)
