"""A live dataset's records in the SPARQL store follow its rows: rebuilt from the current
snapshot at most every ``BELFORT_SPARQL_LIVE_REFRESH_SECONDS``, one rebuild at a time, the
answer cache moving on with the store's epoch; queries never wait for a rebuild."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.linked import store as store_module
from belfort.linked.store import dataset_graph, linked_data
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import update_dataset_metadata
from belfort.settings import Settings
from belfort.streams.live_catalog import sync
from belfort.streams.model import now_us
from tests.conftest import TEST_BASE
from tests.streams.test_live_datasets import register, send

MINUTE = 60_000_000
REFRESH = 1.5
MAPPING = {"other_fields": "skip",
           "fields": {"waarde": {"predicate": "http://www.w3.org/ns/sosa/hasSimpleResult"}}}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    live_refresh_seconds=0, sparql_live_refresh_seconds=REFRESH)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def _values(client: TestClient) -> list[float]:
    graph = dataset_graph(TEST_BASE, "sensorwaarnemingen")
    query = (f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ ?s "
             "<http://www.w3.org/ns/sosa/hasSimpleResult> ?v } } ORDER BY ?v")
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 200, answer.text
    return [float(b["v"]["value"]) for b in answer.json()["results"]["bindings"]]


def _live_dataset(platform: Platform, client: TestClient) -> str:
    credential = register(platform)
    start = now_us() - 30 * MINUTE
    send(platform, credential, "korenmarkt-1", [(start + i * MINUTE, float(i)) for i in range(3)])
    sync(platform, force=True)  # the live dataset's catalogue rows; staff give it a mapping
    update_dataset_metadata(platform, CLI_ADMIN, "sensorwaarnemingen", {"rdf_mapping": MAPPING})
    return credential


def test_posted_observations_reach_sparql_after_the_refresh(
        platform: Platform, client: TestClient) -> None:
    credential = _live_dataset(platform, client)
    assert _values(client) == [0.0, 1.0, 2.0]
    store = linked_data(platform).store()
    epoch = store.snapshot.epoch
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 7.0), (now_us(), 8.0)])
    began = time.monotonic()
    seen = _values(client)  # the graph as it was: a query does not rebuild it
    assert seen in ([0.0, 1.0, 2.0], [0.0, 1.0, 2.0, 7.0, 8.0])
    time.sleep(REFRESH)
    while seen != [0.0, 1.0, 2.0, 7.0, 8.0] and time.monotonic() - began < REFRESH + 30:
        time.sleep(0.1)
        seen = _values(client)  # the cached answer does not stay once the graph moved
    assert seen == [0.0, 1.0, 2.0, 7.0, 8.0]
    assert store.snapshot.epoch > epoch
    time.sleep(REFRESH)  # the round that rebuilt it also rebuilds the rollups' graphs
    with store._refreshing:  # and is over
        refreshes = store.live_refreshes
    time.sleep(2 * REFRESH + 0.2)
    assert _values(client) == [0.0, 1.0, 2.0, 7.0, 8.0]
    assert store.live_refreshes == refreshes  # nothing moved: checked, not rebuilt


def test_one_rebuild_at_a_time(platform: Platform, client: TestClient,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    credential = _live_dataset(platform, client)
    assert _values(client) == [0.0, 1.0, 2.0]
    store = linked_data(platform).store()
    store.stop_refresher()  # the threads below are the only ones to refresh
    send(platform, credential, "korenmarkt-1", [(now_us(), 9.0)])
    running, most = 0, 0
    guard = threading.Lock()
    slow = store_module.dataset_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.3)
        try:
            return slow(*args, **kwargs)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(store_module, "dataset_document", counted)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(store.refresh_live(force=True)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # one thread rebuilt every moved graph (the observations' and the rollups'), one after
    # another; the others found it busy and answered from the graphs as they were
    assert most == 1 and sorted(results)[:5] == [0, 0, 0, 0, 0] and results.count(0) == 5
    assert max(results) >= 1
    assert _values(client) == [0.0, 1.0, 2.0, 9.0]
