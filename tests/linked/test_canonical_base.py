"""Issue 11, item 1: no request header builds or evicts a SPARQL store, and linked-data URIs
do not depend on who asks. Without ``BELFORT_PUBLIC_URL`` the base is the address Belfort
serves on (``BELFORT_HOST`` / ``BELFORT_PORT``), never the caller's ``Host``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.linked.store import linked_data
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv

DATASETS = "SELECT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> } ORDER BY ?d"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
HOSTS = ["evil.example", "a.invalid", "b.invalid:81", "127.0.0.2", "x" * 60 + ".example",
         "c.invalid"]


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[Platform]:
    """A platform as `belfort serve --host 127.0.0.1 --port 8123` runs it, without a public URL."""
    served_on = {"public_url": None, "host": "127.0.0.1", "port": 8123}
    platform = Platform(settings.model_copy(update=served_on))
    ingest_file(platform, CLI_ADMIN, "alfa", counts_csv(tmp_path), metadata={"title_nl": "Alfa"})
    try:
        yield platform
    finally:
        platform.close()


def test_settings_name_one_base() -> None:
    assert Settings(host="127.0.0.1", port=8123).canonical_base_url == "http://127.0.0.1:8123"
    assert Settings(host="127.0.0.1", port=80).canonical_base_url == "http://127.0.0.1"
    assert Settings(host="::1", port=8000).canonical_base_url == "http://[::1]:8000"
    wildcard = Settings(host="0.0.0.0", port=8000).canonical_base_url
    assert wildcard.startswith("http://") and "0.0.0.0" not in wildcard
    public = Settings(host="0.0.0.0", port=8000, public_url="https://data.stad.gent/")
    assert public.canonical_base_url == "https://data.stad.gent"


def test_made_up_host_headers_build_one_store_and_the_same_uris(served: Platform) -> None:
    answers = []
    with TestClient(create_app(served)) as client:
        for host in HOSTS:
            headers = {"Host": host}
            datasets = client.get("/sparql", params={"query": DATASETS}, headers=headers)
            graphs = client.get("/sparql", params={"query": GRAPHS}, headers=headers)
            dcat = client.get("/catalog", headers={**headers, "Accept": "application/n-triples"})
            assert datasets.status_code == graphs.status_code == dcat.status_code == 200
            answers.append((datasets.content, graphs.content, dcat.content))
    assert all(a == answers[0] for a in answers)
    assert linked_data(served).stores_built == 1
    assert b"http://127.0.0.1:8123/catalog/datasets/alfa" in answers[0][0]
    assert b"http://127.0.0.1:8123/graphs/catalog" in answers[0][1]
    for host in HOSTS:
        assert host.encode() not in b"".join(answers[0])


def test_other_linked_views_ignore_the_host_header(served: Platform) -> None:
    with TestClient(create_app(served)) as client:
        seen = []
        for host in ("evil.example", "other.invalid"):
            headers = {"Host": host}
            turtle = {**headers, "Accept": "text/turtle"}
            ldes = client.get("/ldes/alfa", headers=turtle)
            record = client.get("/catalog/datasets/alfa", headers=turtle)
            v2 = client.get("/api/explore/v2.1/catalog/datasets/alfa/records",
                            params={"include_links": "true", "limit": 1}, headers=headers)
            security = client.get("/.well-known/security.txt", headers=headers)
            for r in (ldes, record, v2, security):
                assert r.status_code == 200, (r.request.url, r.text[:300])
                assert host not in r.text
            seen.append((ldes.text, record.text, v2.text))
        assert seen[0] == seen[1]
        assert "http://127.0.0.1:8123/" in seen[0][1]
