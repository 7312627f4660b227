"""Live datasets: observations answer through the gate, engine and every dialect seconds
after they are written, without ingesting a file — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.live_catalog import sync
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.snapshots import live_files
from belfort.streams.write import write_observations
from tests.conftest import TEST_BASE

MINUTE = 60_000_000
# v1: "sort=field" is newest first (Opendatasoft v1 sorts descending unless "-field")
V1 = "/api/records/1.0/search/?dataset=sensorwaarnemingen&sort=tijdstip&rows=1"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    live_refresh_seconds=0)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def register(platform: Platform, sensor_id: str = "korenmarkt-1", **extra: object) -> str:
    spec = SensorSpec(sensor_id, "Korenmarkt noord", "passantenteller", "count",
                      unit="personen", longitude=3.7215, latitude=51.0545, zone_id="korenmarkt",
                      **extra)  # type: ignore[arg-type]
    with platform.db.session() as session:
        return register_sensor(session, spec).credential


def send(platform: Platform, credential: str, sensor_id: str,
         values: list[tuple[int, float]]) -> None:
    device = devices(platform).authenticate(credential, sensor_id, "http")
    result = write_observations(platform, device, [
        ObservationIn(sensor_id, "count", at, value) for at, value in values])
    assert result.stored == len(values), result


def test_observations_answer_seconds_after_they_are_written_in_every_dialect(
        platform: Platform, client: TestClient) -> None:
    credential = register(platform)
    start = now_us() - 30 * MINUTE
    send(platform, credential, "korenmarkt-1", [(start + i * MINUTE, float(10 + i))
                                                 for i in range(3)])
    first = client.get(V1)
    assert first.status_code == 200, first.text
    record = first.json()["records"][0]
    assert record["fields"]["waarde"] == 12.0
    assert record["fields"]["sensor"] == "korenmarkt-1"
    assert record["fields"]["eenheid"] == "personen"
    assert record["fields"]["locatie"] == [51.0545, 3.7215]
    assert first.json()["nhits"] == 3

    # a new observation: the very next read shows it (refresh every 0 s in this test)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 99.0)])
    after = client.get(V1).json()
    assert after["nhits"] == 4 and after["records"][0]["fields"]["waarde"] == 99.0

    v2 = client.get("/api/explore/v2.1/catalog/datasets/sensorwaarnemingen/records",
                    params={"order_by": "tijdstip desc", "limit": 2}).json()
    assert v2["total_count"] == 4
    assert [r["waarde"] for r in v2["results"]] == [99.0, 12.0]

    native = client.get("/api/belfort/v1/datasets/sensorwaarnemingen/records",
                        params={"order_by": "-tijdstip", "limit": 1})
    assert native.status_code == 200, native.text
    assert native.json()["records"][0]["waarde"] == 99.0

    exported = client.get("/api/belfort/v1/datasets/sensorwaarnemingen/exports/csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(float(r["waarde"]) for r in rows) == [10.0, 11.0, 12.0, 99.0]

    ldes = client.get("/ldes/sensorwaarnemingen/pages/1", headers={"Accept": "text/turtle"})
    assert ldes.status_code == 200, ldes.text
    assert "99" in ldes.text and "korenmarkt-1" in ldes.text


def test_the_catalogue_rows_are_published_with_metadata_and_a_dictionary(
        platform: Platform, client: TestClient) -> None:
    register(platform)
    assert "sensorwaarnemingen" in sync(platform, force=True)
    assert sync(platform, force=True) == []  # idempotent
    listing = client.get("/api/explore/v2.1/catalog/datasets",
                         params={"limit": 50}).json()
    ids = {d["dataset_id"] for d in listing["results"]}
    assert {"sensorwaarnemingen", "sensorwaarnemingen-per-kwartier",
            "sensorwaarnemingen-per-uur", "sensorwaarnemingen-per-dag"} <= ids
    meta = client.get("/api/belfort/v1/datasets/sensorwaarnemingen").json()
    assert meta["state"] == "published" and meta["frequency"] == "continuous"
    assert meta["organisation"] == "Stad Gent" and meta["licence"]
    fields = client.get("/api/belfort/v1/datasets/sensorwaarnemingen/fields").json()
    described = {f["name"]: f for f in fields["fields"]}
    assert described["waarde"]["title_nl"] == "Waarde"


def test_a_read_while_nothing_changed_builds_no_snapshot(platform: Platform,
                                                          client: TestClient) -> None:
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 1.0)])
    assert client.get(V1).status_code == 200
    files = live_files(platform)
    built = files.builds
    for _ in range(5):
        assert client.get(V1).json()["nhits"] == 1
    assert files.builds == built
    send(platform, credential, "korenmarkt-1", [(now_us() - 2 * MINUTE, 2.0)])
    assert client.get(V1).json()["nhits"] == 2
    assert files.builds == built + 1


def test_two_processes_share_the_live_file(platform: Platform, settings: Settings) -> None:
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 5.0)])
    other = Platform(settings)
    try:
        with TestClient(create_app(platform)) as one, TestClient(create_app(other)) as two:
            assert one.get(V1).json()["nhits"] == 1
            assert two.get(V1).json()["nhits"] == 1
            assert live_files(other).builds == 0  # the first process's file was there already
            send(platform, credential, "korenmarkt-1", [(now_us() - 3 * MINUTE, 6.0)])
            assert two.get(V1).json()["nhits"] == 2  # written through the other process
            built = live_files(platform).builds
            assert one.get(V1).json()["nhits"] == 2
            assert live_files(platform).builds == built  # the second process's file
    finally:
        other.close()


def test_the_gate_still_decides(platform: Platform, client: TestClient,
                                admin_headers: dict[str, str]) -> None:
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 5.0)])
    sync(platform, force=True)
    changed = client.patch("/api/belfort/v1/datasets/sensorwaarnemingen",
                           json={"classification": "internal",
                                 "restriction_reason": "privacy",
                                 "classification_reason": "test"}, headers=admin_headers)
    assert changed.status_code == 200, changed.text
    assert client.get(V1).status_code == 404
    staff = client.get(V1, headers=admin_headers)
    assert staff.status_code == 200 and staff.json()["nhits"] == 1
    assert "private" in staff.headers.get("cache-control", "")


def test_kept_answers_and_validators_move_with_the_rows(platform: Platform,
                                                       client: TestClient) -> None:
    """Every cache between the engine and the client: the v1 answer cache, the engine's
    result cache, the LDES page ETag — a new observation is a new answer."""
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - 2 * MINUTE, 7.0)])
    v2 = "/api/explore/v2.1/catalog/datasets/sensorwaarnemingen/records?order_by=tijdstip%20desc"
    for _ in range(3):  # kept by now: v1 answers, the engine's results
        assert client.get(V1).json()["nhits"] == 1
        assert client.get(v2).json()["total_count"] == 1
    page = client.get("/ldes/sensorwaarnemingen/pages/1", headers={"Accept": "text/turtle"})
    assert "hit" in client.get(V1).headers.get("cache-status", "")
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 8.0)])
    assert client.get(V1).json()["nhits"] == 2
    assert client.get(v2).json()["total_count"] == 2
    again = client.get("/ldes/sensorwaarnemingen/pages/1", headers={
        "Accept": "text/turtle", "If-None-Match": page.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != page.headers["etag"]


@pytest.mark.parametrize("mark", ["../../etc/passwd", "a\x00b", "<script>x</script>", "x" * 5000,
                                  ".hidden", ""])
def test_a_hostile_mark_names_a_file_inside_the_live_directory(mark: str) -> None:
    from belfort.streams.snapshots import file_name

    name = file_name(mark)
    assert name.endswith(".parquet") and "/" not in name and "\x00" not in name
    assert not name.startswith(".") and len(name) <= 110


class _Rows:
    """A live source of another helper's kind: only ``mark`` and ``table`` (the protocol)."""

    dataset_id = "drukte-test"

    def __init__(self) -> None:
        self.value = 1

    def mark(self, platform: Platform) -> str:
        return f"v{self.value}"

    def table(self, platform: Platform) -> Any:
        import pyarrow as pa

        return pa.table({"score": pa.array([self.value], pa.int64())})


def test_any_live_source_answers_through_the_read_path(platform: Platform,
                                                       client: TestClient) -> None:
    import pyarrow as pa

    from belfort.schema import Field, TableSchema
    from belfort.streams.live import live_registry
    from belfort.streams.live_catalog import publish_live_dataset

    source = _Rows()
    metadata = {"title_nl": "Drukte (test)", "organisation": "Stad Gent", "frequency": "continuous",
                "licence": "https://creativecommons.org/licenses/by/4.0/"}
    assert publish_live_dataset(platform, "drukte-test", metadata,
                                pa.schema([("score", pa.int64())]),
                                TableSchema((Field("score", "integer"),)))
    assert not publish_live_dataset(platform, "drukte-test", metadata,
                                    pa.schema([("score", pa.int64())]),
                                    TableSchema((Field("score", "integer"),)))
    live_registry(platform).add(source)
    url = "/api/records/1.0/search/?dataset=drukte-test&rows=1"
    assert client.get(url).json()["records"][0]["fields"]["score"] == 1
    source.value = 42
    assert client.get(url).json()["records"][0]["fields"]["score"] == 42


def test_readers_keep_the_last_snapshot_while_the_next_one_is_built(platform: Platform) -> None:
    import threading

    gate_open = threading.Event()
    started = threading.Event()

    class Slow(_Rows):
        def table(self, platform: Platform) -> Any:
            if self.value > 1:
                started.set()
                assert gate_open.wait(10)
            return super().table(platform)

    source = Slow()
    files = live_files(platform)
    first = files.current(source)
    source.value = 2
    builder = threading.Thread(target=files.current, args=(source,))
    builder.start()
    assert started.wait(10)
    began = time.perf_counter()
    assert files.current(source) == first  # not blocked behind the build
    assert time.perf_counter() - began < 1
    gate_open.set()
    builder.join(10)
    assert files.current(source) != first and files.builds == 2


def test_the_portal_page_and_map_show_the_live_rows(platform: Platform,
                                                    client: TestClient) -> None:
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 17.0)])
    assert client.get(V1).status_code == 200  # the first read makes the new dataset live here
    page = client.get("/datasets/sensorwaarnemingen")
    assert page.status_code == 200 and "Korenmarkt noord" in page.text
    points = client.get("/datasets/sensorwaarnemingen/map.geojson")
    assert points.status_code == 200, points.text
    assert points.json()["features"][0]["geometry"]["coordinates"] == [3.7215, 51.0545]
    register(platform, "korenmarkt-2")
    send(platform, register(platform, "korenmarkt-3"), "korenmarkt-3",
         [(now_us() - MINUTE, 3.0)])
    again = client.get("/datasets/sensorwaarnemingen/map.geojson").json()
    assert len(again["features"]) == 2


def test_a_serving_process_publishes_datasets_another_process_registered(
        platform: Platform, settings: Settings) -> None:
    from belfort.catalog.models import Dataset
    from belfort.streams.compaction import start_compactor

    upkeep = start_compactor(platform)
    try:
        other = Platform(settings)  # registers, never reads
        try:
            register(other, "sluizeken-1", dataset_id="drukte-sluizeken")
        finally:
            other.close()
        deadline = time.monotonic() + 10
        found = None
        while found is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with platform.db.session() as session:
                found = session.get(Dataset, "drukte-sluizeken-per-uur")
        assert found is not None and found.state == "published"
    finally:
        upkeep.stop()


def test_a_failed_rebuild_serves_the_last_snapshot(platform: Platform) -> None:
    class Failing(_Rows):
        def table(self, platform: Platform) -> Any:
            if self.value > 1:
                raise OSError("a part file went away")
            return super().table(platform)

    source = Failing()
    files = live_files(platform)
    first = files.current(source)
    source.value = 2
    assert files.current(source) == first
    fresh = Failing()
    fresh.dataset_id = "nog-nooit-gebouwd"
    fresh.value = 2
    with pytest.raises(OSError):
        files.current(fresh)  # nothing to fall back on: the error is not hidden


@pytest.mark.parametrize("dataset", ["a\x00b", "<script>alert(1)</script>", "x" * 5000,
                                     "sensorwaarnemingen\n", "sensorwaarnemingen-per-uur\x00"])
def test_hostile_dataset_ids_are_a_clear_not_found(platform: Platform, client: TestClient,
                                                   dataset: str) -> None:
    register(platform)  # sensors exist: the not-found path asks whether they feed the id
    v1 = client.get("/api/records/1.0/search/", params={"dataset": dataset})
    assert v1.status_code in (400, 404), v1.text
    v2 = client.get("/api/explore/v2.1/catalog/datasets/" + quote(dataset, safe="") + "/records")
    assert v2.status_code in (400, 404), v2.text
    assert "<script>" not in v2.text


ROLLUP_V1 = "/api/records/1.0/search/?dataset=sensorwaarnemingen-{kind}&rows=10"


def test_rollups_are_at_least_as_protected_as_their_observations(
        platform: Platform, client: TestClient, admin_headers: dict[str, str]) -> None:
    """Counts per quarter-hour, hour and day of confidential observations are not open by
    default: raising the observations' classification raises every rollup below it (with the
    same reason, audited); a rollup opened again on its own is an explicit choice that stays."""
    credential = register(platform)
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 5.0)])
    sync(platform, force=True)
    for kind in ("per-kwartier", "per-uur", "per-dag"):
        assert client.get(ROLLUP_V1.format(kind=kind)).status_code == 200
    changed = client.patch("/api/belfort/v1/datasets/sensorwaarnemingen", headers=admin_headers,
                           json={"classification": "confidential",
                                 "restriction_reason": "privacy",
                                 "classification_reason": "rpersoonsgegevens"})
    assert changed.status_code == 200, changed.text
    for kind in ("per-kwartier", "per-uur", "per-dag"):
        assert client.get(ROLLUP_V1.format(kind=kind)).status_code == 404, kind
        rollup = client.get(f"/api/belfort/v1/datasets/sensorwaarnemingen-{kind}",
                            headers=admin_headers).json()
        assert rollup["classification"] == "confidential"
        assert rollup["classification_reason"] == "rpersoonsgegevens"
    audit = client.get("/api/belfort/v1/audit", headers=admin_headers,
                       params={"dataset": "sensorwaarnemingen-per-dag"}).json()["events"]
    assert any(e["action"] == "follow_classification" for e in audit), audit
    opened = client.patch("/api/belfort/v1/datasets/sensorwaarnemingen-per-dag",
                          headers=admin_headers, json={"classification": "open"})
    assert opened.status_code == 200, opened.text
    assert client.get(ROLLUP_V1.format(kind="per-dag")).status_code == 200
    again = client.patch("/api/belfort/v1/datasets/sensorwaarnemingen", headers=admin_headers,
                         json={"description_nl": "Waarnemingen van de tellers."})
    assert again.status_code == 200, again.text
    assert client.get(ROLLUP_V1.format(kind="per-dag")).status_code == 200  # the choice stays
    assert client.get(ROLLUP_V1.format(kind="per-uur")).status_code == 404
