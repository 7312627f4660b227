"""An RDF mapping in the catalogue: its shape is checked with the metadata, its field names
against the version readers see (on ingest, publish and metadata changes); a bad mapping is
a 400 naming the bad key, and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file, publish_dataset_version
from tests.helpers import write

URL = "/api/belfort/v1/datasets/tellingen"
GOOD = {"class": "sosa:Sensor", "fields": {"naam": {"predicate": "rdfs:label", "language": "nl"}}}


@pytest.fixture
def counts(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "tellingen", write(tmp_path / "a.csv", "naam,aantal\nKouter,3\n"),
                metadata={"title_nl": "Tellingen"})
    return platform


def test_patching_a_mapping_checks_its_shape_and_its_fields(counts: Platform, client: TestClient,
                                                            admin_headers: dict[str, str]) -> None:
    r = client.patch(URL, content=json.dumps({"rdf_mapping": GOOD}), headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["rdf_mapping"]["class"] == ["sosa:Sensor"]  # stored normalised
    for bad, key in [
        ({"fields": {"naam": {"predicate": "nope:x"}}}, "fields.naam.predicate: unknown prefix 'nope'"),
        ({"fields": {"straat": {"predicate": "rdfs:label"}}}, "fields.straat: names no field"),
        ({"subject": "{_base}/x/{straat}"}, "placeholder {straat} names no field"),
        ("{broken json", "not valid JSON"),
        ([1], "expected a JSON object"),
    ]:
        r = client.patch(URL, content=json.dumps({"rdf_mapping": bad}), headers=admin_headers)
        assert r.status_code == 400, r.text
        assert key in r.json()["message"]
    # nothing changed by the refused patches
    r = client.get(URL, headers=admin_headers)
    assert r.json()["rdf_mapping"]["fields"] == GOOD["fields"]


def test_an_ingest_whose_fields_no_longer_fit_the_mapping_is_refused(counts: Platform, tmp_path: Path) -> None:
    ingest_file(counts, CLI_ADMIN, "tellingen", write(tmp_path / "b.csv", "naam,aantal\nKouter,4\n"),
                metadata={"rdf_mapping": GOOD})
    with pytest.raises(InvalidRequest, match="fields.naam: names no field"):
        ingest_file(counts, CLI_ADMIN, "tellingen", write(tmp_path / "c.csv", "plaats,aantal\nKouter,5\n"))
    with pytest.raises(InvalidRequest, match="fields.naam: names no field"):
        ingest_file(counts, CLI_ADMIN, "tellingen", write(tmp_path / "c.csv", "plaats,aantal\nKouter,5\n"),
                    draft=True)
    # the new version and its mapping can come together
    outcome = ingest_file(counts, CLI_ADMIN, "tellingen", write(tmp_path / "d.csv", "plaats,aantal\nKouter,6\n"),
                          metadata={"rdf_mapping": {"fields": {"plaats": {"predicate": "rdfs:label"}}}})
    assert outcome.version == 3 and outcome.published
    # publishing an old version whose schema the mapping does not fit is refused
    with pytest.raises(InvalidRequest, match="fields.plaats"):
        publish_dataset_version(counts, CLI_ADMIN, "tellingen", 1)


def test_a_new_dataset_with_a_bad_mapping_is_not_created(platform: Platform, tmp_path: Path,
                                                         client: TestClient, admin_headers: dict[str, str]) -> None:
    with pytest.raises(InvalidRequest, match="rdf_mapping"):
        ingest_file(platform, CLI_ADMIN, "nieuw", write(tmp_path / "a.csv", "a\n1\n"),
                    metadata={"title_nl": "Nieuw", "rdf_mapping": {"fields": {"b": {}}}})
    assert client.get("/api/belfort/v1/datasets/nieuw", headers=admin_headers).status_code == 404


def test_the_cli_and_the_upload_take_a_mapping_as_json(tmp_path: Path, database_url: str, client: TestClient,
                                                      admin_headers: dict[str, str]) -> None:
    from click.testing import CliRunner

    from belfort.cli import main

    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    source = write(tmp_path / "a.csv", "naam,aantal\nKouter,3\n")
    runner = CliRunner()
    bad = runner.invoke(main, ["ingest", str(source), "--dataset", "tellingen",
                               "--rdf-mapping", '{"fields": {"naam": {"predicate": "foo:x"}}}', *where])
    assert bad.exit_code == 2 and "unknown prefix 'foo'" in bad.output
    good = runner.invoke(main, ["ingest", str(source), "--dataset", "tellingen",
                                "--rdf-mapping", json.dumps(GOOD), *where])
    assert good.exit_code == 0, good.output
    r = client.post("/api/belfort/v1/datasets/upload-test/ingest", content=b"naam,aantal\nKouter,3\n",
                    params={"rdf_mapping": json.dumps({"fields": {"straat": {"skip": True}}})},
                    headers={"Content-Type": "text/csv", **admin_headers})
    assert r.status_code == 400 and "fields.straat: names no field" in r.json()["message"]
    r = client.post("/api/belfort/v1/datasets/upload-test/ingest", content=b"naam,aantal\nKouter,3\n",
                    params={"rdf_mapping": json.dumps(GOOD)}, headers={"Content-Type": "text/csv", **admin_headers})
    assert r.status_code == 201, r.text
    assert client.get("/api/belfort/v1/datasets/upload-test").json()["rdf_mapping"]["class"] == ["sosa:Sensor"]
