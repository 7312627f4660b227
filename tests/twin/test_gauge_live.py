"""Ghent's crowd gauge, unchanged: its own call, cross-origin, answers with the score of
observations written seconds before."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.score import crowding_now
from tests.twin.conftest import MINUTE, feed, make_sensor, make_zone

GAUGE_CALL = ("/api/records/1.0/search/?dataset=druktebarometer-info&q="
              "&sort=tijd_van_voltooien&rows=1")
ORIGIN = {"Origin": "https://stad.gent"}


def _gauge(client: TestClient) -> dict[str, object]:
    answer = client.get(GAUGE_CALL, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["access-control-allow-origin"] in ("*", ORIGIN["Origin"])
    fields: dict[str, object] = answer.json()["records"][0]["fields"]
    return fields


def _gauge_within(client: TestClient, score: int, seconds: float = 5.0) -> dict[str, object]:
    """The gauge's answer once it shows ``score`` (live files refresh within seconds), or
    the last answer after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        fields = _gauge(client)
        if fields["status_druktemeter"] == score or time.monotonic() > deadline:
            return fields
        time.sleep(0.2)


def test_the_gauge_call_answers_with_the_score_of_observations_just_written(
        client: TestClient, platform: Platform) -> None:
    make_zone(platform, "korenmarkt", area_m2=1000)  # capacity 2000
    ensure_crowding_datasets(platform)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    assert _gauge(client)["status_druktemeter"] == 0  # nothing counted yet
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 40.0) for k in range(15)])
    assert crowding_now(platform).centre_score == 20
    quiet = _gauge_within(client, 20)
    assert quiet["status_druktemeter"] == 20
    assert str(quiet["toelichting_drukte"]).startswith("Rustig in de binnenstad")
    # a crowd arrives: 170 a minute more over the same quarter-hour → 2000 of 2000
    feed(platform, credential, "TP01", [(now - k * MINUTE + 1, 160.0) for k in range(15)])
    assert crowding_now(platform).centre_score == 100
    busy = _gauge_within(client, 100)
    assert busy["status_druktemeter"] == 100
    assert str(busy["toelichting_drukte"]).startswith("Te druk: kom nu niet")
