"""A live dataset's event stream: its rows come and go (window, retention), so no page or
member is served ``immutable``; its view states an LDES retention policy
(``ldes:DurationAgoPolicy``) over the members' own time, which the members carry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.linked.ldes import Retention
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from belfort.streams.model import now_us
from tests.conftest import TEST_BASE
from tests.helpers import write
from tests.streams.test_live_datasets import register, send

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SECOND = 1_000_000
NT = {"Accept": "application/n-triples"}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    live_refresh_seconds=0, ldes_page_size=100, live_window_days=7,
                    stream_rollup_retention_days=400)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def _graph(answer: object) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=answer.text, format="nt")  # type: ignore[attr-defined]
    return graph


def _live(platform: Platform, rows: int = 250) -> None:
    credential = register(platform)
    start = now_us() - rows * SECOND
    send(platform, credential, "korenmarkt-1", [(start + i * SECOND, float(i))
                                                  for i in range(rows)])


def test_live_pages_and_members_are_never_immutable(platform: Platform,
                                                    client: TestClient) -> None:
    _live(platform)
    first = client.get("/ldes/sensorwaarnemingen/pages/1", headers=NT)
    assert first.status_code == 200, first.text
    assert 'rel="next"' in first.headers["link"]  # closed: a page follows
    assert first.headers["cache-control"] == "public, max-age=60"
    last = client.get("/ldes/sensorwaarnemingen/pages/3", headers=NT)
    assert last.status_code == 200 and "next" not in last.headers["link"]
    assert last.headers["cache-control"] == "public, max-age=5"
    member = next(str(o) for s, p, o in _graph(first) if str(p) == TREE + "member")
    answer = client.get(member.removeprefix(TEST_BASE), headers=NT)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert "immutable" not in first.headers["cache-control"] + answer.headers["cache-control"]


def test_a_file_datasets_closed_pages_stay_immutable(platform: Platform, client: TestClient,
                                                     tmp_path: Path) -> None:
    rows = "".join(f"teller-{i},{i}\n" for i in range(250))
    source = write(tmp_path / "t.csv", "teller,aantal\n" + rows)
    ingest_file(platform, CLI_ADMIN, "tellingen", source,
                metadata={"title_nl": "Tellingen", "record_key": ["teller"]})
    page = client.get("/ldes/tellingen/pages/1", headers=NT)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "public, max-age=31536000, immutable"
    entry = _graph(client.get("/ldes/tellingen", headers=NT))
    assert not list(entry.triples((None, rdflib.URIRef(LDES + "retentionPolicy"), None)))


@pytest.mark.parametrize(("dataset", "field", "duration"), [
    ("sensorwaarnemingen", "tijdstip", "P7D"),
    ("sensorwaarnemingen-per-uur", "periode_start", "P400D"),
])
def test_the_view_states_the_retention_over_the_members_time(
        platform: Platform, client: TestClient, dataset: str, field: str, duration: str) -> None:
    _live(platform, rows=20)
    time_path = rdflib.URIRef(f"{TEST_BASE}/def/{dataset}#{field}")
    view = rdflib.URIRef(f"{TEST_BASE}/ldes/{dataset}/pages/1")
    stream = rdflib.URIRef(f"{TEST_BASE}/catalog/datasets/{dataset}")
    for path in (f"/ldes/{dataset}", f"/ldes/{dataset}/pages/1"):
        answer = client.get(path, headers=NT)
        assert answer.status_code == 200, answer.text
        graph = _graph(answer)
        assert graph.value(stream, rdflib.URIRef(LDES + "timestampPath")) == time_path
        policy = graph.value(view, rdflib.URIRef(LDES + "retentionPolicy"))
        assert policy is not None, path
        assert graph.value(policy, rdflib.RDF.type) == rdflib.URIRef(LDES + "DurationAgoPolicy")
        value = graph.value(policy, rdflib.URIRef(TREE + "value"))
        assert (str(value), str(value.datatype)) == (duration, XSD + "duration")
    page = _graph(client.get(f"/ldes/{dataset}/pages/1", headers=NT))
    times = [o for _s, _p, o in page.triples((None, time_path, None))]
    assert times and all(str(t.datatype) == XSD + "dateTime" for t in times)


def test_retention_durations() -> None:
    assert Retention("tijdstip", 7).duration() == "P7D"
    assert Retention("tijdstip", 1.5).duration() == "PT36H"
    assert Retention("tijdstip", 0.001).duration() == "PT86S"
