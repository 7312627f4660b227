"""The live crowding datasets: Ghent's gauge fields computed from the observations, their
catalogue entries made once with complete metadata, and the sources registered at start-up."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.catalog import store
from belfort.platform import Platform
from belfort.streams.live import live_registry
from belfort.streams.model import now_us
from belfort.twin.datasets import (
    GAUGE,
    PER_ZONE,
    GaugeSource,
    ZonesSource,
    ensure_crowding_datasets,
)
from tests.twin.conftest import MINUTE, box, feed, make_sensor, make_zone


def _busy(platform: Platform, per_minute: float) -> None:
    make_zone(platform, "korenmarkt", area_m2=1000)
    make_zone(platform, "kouter", area_m2=5000)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, per_minute) for k in range(15)])


def test_the_gauge_row_is_the_centre_s_score_with_its_explanation(platform: Platform) -> None:
    _busy(platform, 150.0)  # 2.5/s × 600 s = 1500 people of 2000: 75, te druk
    before = datetime.now(timezone.utc).replace(microsecond=0)
    table = GaugeSource().table(platform)
    row = table.to_pylist()[0]
    assert table.num_rows == 1
    assert row["status_druktemeter"] == 75
    assert row["toelichting_drukte"].startswith("Te druk: kom nu niet naar de binnenstad")
    assert "Korenmarkt (75/100, te druk)" in row["toelichting_drukte"]
    assert row["tijd_van_voltooien"] >= before
    zones = {r["zone"]: r for r in ZonesSource().table(platform).to_pylist()}
    assert zones["korenmarkt"]["score"] == 75 and zones["korenmarkt"]["label"] == "te druk"
    assert zones["korenmarkt"]["bezetting"] == 1500.0
    assert zones["korenmarkt"]["dichtheid"] == 1.5 and zones["korenmarkt"]["capaciteit"] == 2000
    assert zones["kouter"]["score"] is None  # no sensor: no estimate, not zero
    assert json.loads(zones["korenmarkt"]["geo_shape"]) == box()
    assert zones["korenmarkt"]["geo_point_2d"] == pytest.approx({"lat": 51.0545, "lon": 3.7213})


def test_quiet_and_unknown_say_so(platform: Platform) -> None:
    assert GaugeSource().table(platform).to_pylist()[0]["toelichting_drukte"].startswith(
        "Geen actuele tellingen")
    _busy(platform, 20.0)  # 200 people of 2000: 10
    row = GaugeSource().table(platform).to_pylist()[0]
    assert (row["status_druktemeter"], row["toelichting_drukte"][:23]) == (
        10, "Rustig in de binnenstad")


def test_the_mark_moves_with_new_observations_and_zones(platform: Platform) -> None:
    source = GaugeSource()
    first = source.mark(platform)
    assert source.mark(platform) in {first, source.mark(platform)}  # the same minute, or next
    make_zone(platform, "graslei")
    assert source.mark(platform) != first


def test_the_catalogue_entries_are_made_once_published_and_described(
        platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    assert ensure_crowding_datasets(platform) == [GAUGE, PER_ZONE]
    assert ensure_crowding_datasets(platform) == []
    with platform.db.session() as session:
        for dataset_id in (GAUGE, PER_ZONE):
            dataset = store.find_dataset(session, dataset_id)
            assert dataset is not None and dataset.state == "published"
            assert len(dataset.versions) == 1
            for field in ("title_nl", "title_en", "description_nl", "description_en",
                          "organisation", "licence", "spatial", "steward"):
                assert getattr(dataset, field), (dataset_id, field)
            assert dataset.themes and dataset.keywords and dataset.frequency == "continuous"
        gauge = store.find_dataset(session, GAUGE)
        assert gauge is not None
        names = [f["name"] for f in gauge.versions[0].table_schema["fields"]]
        assert names == ["status_druktemeter", "toelichting_drukte", "tijd_van_voltooien"]
    with TestClient(create_app(platform)) as client:
        for dataset_id in (GAUGE, PER_ZONE):
            fields = client.get(f"/api/datasets/1.0/{dataset_id}/").json()["fields"]
            assert all(f["label"] != f["name"] for f in fields), fields  # described
        types = {f["name"]: f["type"] for f in
                 client.get(f"/api/datasets/1.0/{PER_ZONE}/").json()["fields"]}
        assert (types["geo_point_2d"], types["geo_shape"]) == ("geo_point_2d", "geo_shape")


def test_the_sources_are_in_the_live_registry_after_start_up(platform: Platform) -> None:
    with TestClient(create_app(platform)):
        assert {GAUGE, PER_ZONE} <= set(live_registry(platform).ids())


def test_a_dataset_of_files_with_the_gauge_s_id_is_left_alone(
        client: TestClient, platform: Platform, tmp_path: Path) -> None:
    """Crowding's sources are registered at start-up; a city that publishes its own
    druktebarometer-info as a file keeps answering from that file."""
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file

    csv = tmp_path / "drukte.csv"
    csv.write_text("status_druktemeter,toelichting_drukte,tijd_van_voltooien\n"
                   "85,Te druk,2024-07-20T20:10:00Z\n20,Rustig,2024-07-20T08:00:00Z\n")
    ingest_file(platform, CLI_ADMIN, GAUGE, csv, metadata={"title_nl": "Druktebarometer"})
    assert GAUGE in live_registry(platform).ids()
    body = client.get("/api/records/1.0/search/?dataset=druktebarometer-info&q="
                      "&sort=tijd_van_voltooien&rows=1").json()
    assert body["nhits"] == 2 and body["records"][0]["fields"]["status_druktemeter"] == 85
    assert ensure_crowding_datasets(platform) == [PER_ZONE]  # the gauge's id is taken
    assert client.get("/api/records/1.0/search/?dataset=druktebarometer-info").json()[
        "nhits"] == 2
