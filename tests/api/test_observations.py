"""The native HTTP batch ingest, reading observations back and the sensors API: durable
answers, per-item errors with valid items kept, no duplicates on resend, malformed, hostile
and oversized bodies answered with a clear 4xx — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from belfort.app import create_app
from belfort.catalog.models import DeviceRefusal, Observation
from belfort.platform import Platform
from belfort.settings import Settings

API = "/api/belfort/v1"
SENSOR = {"id": "korenmarkt-1", "name": "Korenmarkt", "kind": "passantenteller",
          "observed_property": "count", "longitude": 3.7209, "latitude": 51.0545,
          "min_value": 0, "max_value": 10_000}


def _ago(minutes: int) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _register(client: TestClient, admin_headers: dict[str, str], **extra: Any) -> str:
    answer = client.post(f"{API}/sensors", json=SENSOR | extra, headers=admin_headers)
    assert answer.status_code == 201, answer.text
    credential: str = answer.json()["credential"]
    return credential


def _post(client: TestClient, credential: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(f"{API}/observations", content=raw, headers={
        "Authorization": f"Bearer {credential}", "Content-Type": "application/json", **headers})


def _count(platform: Platform) -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def test_a_batch_is_stored_read_back_and_a_resend_is_not_duplicated(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    credential = _register(client, admin_headers)
    batch = [{"phenomenon_time": _ago(60 - i), "value": i} for i in range(50)]
    answer = _post(client, credential, batch)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": 50, "stored": 50, "duplicates": 0, "suspect": 0,
                             "refused": 0, "errors": []}
    again = _post(client, credential, {"observations": batch})
    assert again.status_code == 200 and again.json()["duplicates"] == 50
    assert _count(platform) == 50
    back = client.get(f"{API}/sensors/korenmarkt-1/observations", params={"limit": 5})
    assert back.status_code == 200
    observations = back.json()["observations"]
    assert [o["value"] for o in observations] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert observations[0]["sensor_id"] == "korenmarkt-1"
    assert observations[0]["phenomenon_time"] == batch[0]["phenomenon_time"]
    window = client.get(f"{API}/sensors/korenmarkt-1/observations", params={
        "since": batch[10]["phenomenon_time"], "until": batch[20]["phenomenon_time"]})
    assert [o["value"] for o in window.json()["observations"]] == [float(i) for i in range(10, 20)]
    newest = client.get(f"{API}/sensors/korenmarkt-1/observations",
                        params={"limit": 1, "newest_first": "true"})
    assert newest.json()["observations"][0]["value"] == 49.0


def test_sosa_items_are_accepted(client: TestClient, admin_headers: dict[str, str]) -> None:
    credential = _register(client, admin_headers)
    answer = _post(client, credential, [{
        "madeBySensor": "https://data.stad.gent/id/sensor/korenmarkt-1",
        "observedProperty": "https://data.stad.gent/id/property/pedestrians",
        "phenomenonTime": {"hasBeginning": _ago(30), "hasEnd": _ago(15)},
        "resultTime": _ago(14), "hasSimpleResult": 17, "weight": 0.9}])
    assert answer.status_code == 200, answer.text
    back = client.get(f"{API}/sensors/korenmarkt-1/observations",
                      params={"property": "pedestrians"}).json()["observations"]
    assert len(back) == 1 and back[0]["value"] == 17.0 and back[0]["weight"] == 0.9
    assert back[0]["phenomenon_end"] is not None


def test_bad_items_are_listed_and_valid_ones_kept(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    credential = _register(client, admin_headers)
    body = (b'[{"phenomenon_time": "' + _ago(5).encode() + b'", "value": 1},'
            b' {"phenomenon_time": "' + _ago(6).encode() + b'", "value": NaN},'
            b' {"phenomenon_time": "' + _ago(7).encode() + b'", "value": 1e400},'
            b' {"phenomenon_time": "' + _ago(8).encode() + b'", "value": "' + b"9" * 10_000_000
            + b'"},'
            b' {"phenomenon_time": "' + _ago(9).encode() + b'", "value": 1, '
            b'"property": "co\\u0000unt"},'
            b' {"phenomenon_time": "' + _ago(10).encode() + b'", "value": 1, '
            b'"sensor_id": "<script>alert(1)</script>"},'
            b' {"phenomenon_time": "2999-01-01T00:00:00Z", "value": 1},'
            b' {"phenomenon_time": "' + _ago(11).encode() + b'", "value": 99999},'
            b' [[[[1]]]],'
            b' {"phenomenon_time": "' + _ago(12).encode() + b'", "value": 2}]')
    answer = _post(client, credential, body)
    assert answer.status_code == 207, answer.text
    result = answer.json()
    assert (result["received"], result["stored"], result["suspect"]) == (10, 3, 1)
    assert [(e["index"], e["error"]) for e in result["errors"]] == [
        (1, "bad_value"), (2, "bad_value"), (3, "bad_value"), (4, "bad_property"),
        (5, "other_sensor"), (6, "time_in_future"), (8, "bad_item")]
    assert all(len(e["message"]) < 300 for e in result["errors"])
    assert "<script>" not in answer.text.replace("\\u003c", "<") or \
        answer.headers["content-type"].startswith("application/json")
    assert _count(platform) == 3


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[1, 2", b'{"observations": 5}', b'{"other": []}', b"\x00\xff\xfe",
    b"[" * 100_000 + b"]" * 100_000, b'"just a string"',
])
def test_a_body_that_is_not_a_batch_is_400(
        client: TestClient, platform: Platform, admin_headers: dict[str, str], body: bytes) -> None:
    credential = _register(client, admin_headers)
    answer = _post(client, credential, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
    assert _count(platform) == 0


def test_wrong_content_type_is_415(client: TestClient, admin_headers: dict[str, str]) -> None:
    credential = _register(client, admin_headers)
    for media in ("text/csv", "application/x-www-form-urlencoded", "multipart/form-data"):
        answer = _post(client, credential, [], **{"Content-Type": media})
        assert answer.status_code == 415, (media, answer.text)


def test_unknown_missing_and_revoked_credentials_are_401_and_recorded(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    batch = [{"phenomenon_time": _ago(5), "value": 1}]
    assert _post(client, "bfd_unknown", batch).status_code == 401
    answer = client.post(f"{API}/observations", json=batch)
    assert answer.status_code == 401 and answer.json()["error"] == "device_refused"
    assert "www-authenticate" in answer.headers
    assert _post(client, "x" * 5000, batch).status_code == 401
    credential = _register(client, admin_headers)
    assert _post(client, credential, batch).status_code == 200
    revoked = client.post(f"{API}/sensors/korenmarkt-1/revoke", headers=admin_headers)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert _post(client, credential, batch).status_code == 401
    with platform.db.session() as session:
        reasons = set(session.scalars(select(DeviceRefusal.reason)))
    assert {"unknown_or_revoked", "no_credential", "bad_credential"} <= reasons
    assert _count(platform) == 1


def test_oversized_bodies_and_batches_are_413_and_nothing_stored(
        tmp_path: Any, database_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url,
                        stream_max_body_mb=0.5, stream_max_batch=100)
    platform = Platform(settings)
    try:
        with TestClient(create_app(platform)) as client:
            from belfort.policy.keys import create_key
            with platform.db.session() as session:
                key = create_key(session, "admin").secret
            credential = _register(client, {"Authorization": f"Bearer {key}"})
            big = [{"phenomenon_time": _ago(5), "value": 1, "note": "x" * 600_000}]
            answer = _post(client, credential, big)
            assert answer.status_code == 413 and answer.json()["error"] == "batch_too_large"

            def chunks() -> Any:  # no Content-Length: the limit is checked while reading
                yield b'[{"phenomenon_time": "' + _ago(5).encode() + b'", "value": 1, "n": "'
                for _ in range(100):
                    yield b"y" * 10_000
                yield b'"}]'
            streamed = client.post(f"{API}/observations", content=chunks(), headers={
                "Authorization": f"Bearer {credential}", "Content-Type": "application/json"})
            assert streamed.status_code == 413
            many = [{"phenomenon_time": _ago(i), "value": 1} for i in range(101)]
            answer = _post(client, credential, many)
            assert answer.status_code == 413 and "100" in answer.json()["message"]
            assert _post(client, credential, many[:100]).status_code == 200
            assert _count(platform) == 100
    finally:
        platform.close()


def test_a_device_over_its_rate_gets_429(tmp_path: Any, database_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url,
                        stream_device_rate=1.0)
    platform = Platform(settings)
    try:
        with TestClient(create_app(platform)) as client:
            from belfort.policy.keys import create_key
            with platform.db.session() as session:
                key = create_key(session, "admin").secret
            credential = _register(client, {"Authorization": f"Bearer {key}"})
            batch = [{"phenomenon_time": _ago(i), "value": 1} for i in range(11)]
            answer = _post(client, credential, batch)
            assert answer.status_code == 429 and int(answer.headers["retry-after"]) >= 1
            assert _count(platform) == 0
    finally:
        platform.close()


def test_the_sensors_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.post(f"{API}/sensors", json=SENSOR).status_code == 401
    credential = _register(client, admin_headers)
    assert credential.startswith("bfd_")
    listing = client.get(f"{API}/sensors")
    assert listing.status_code == 200 and [s["id"] for s in listing.json()["sensors"]] == [
        "korenmarkt-1"]
    assert credential not in listing.text and "credential" not in listing.text
    one = client.get(f"{API}/sensors/korenmarkt-1").json()
    assert one["location"] == {"type": "Point", "coordinates": [3.7209, 51.0545]}
    assert client.get(f"{API}/sensors/nope").status_code == 404
    assert client.get(f"{API}/sensors/%00x").status_code == 404
    assert client.get(f"{API}/sensors/nope/observations").status_code == 404
    taken = client.post(f"{API}/sensors", json=SENSOR, headers=admin_headers)
    assert taken.status_code == 422
    assert client.post(f"{API}/sensors/nope/revoke", headers=admin_headers).status_code == 404
    assert client.post(f"{API}/sensors/korenmarkt-1/revoke").status_code == 401


@pytest.mark.parametrize("body", [
    {"id": "bad id!", "name": "x", "kind": "y"},
    {"id": "ok", "name": 5, "kind": "y"},
    {"id": "ok", "name": "x\x00", "kind": "y"},
    {"id": "ok", "name": "x" * 100_000, "kind": "y"},
    {"id": "ok", "name": "x", "kind": "y", "longitude": "east"},
    {"id": "ok", "name": "x", "kind": "y", "longitude": 1e308, "latitude": 0},
    {"id": "ok", "name": "x", "kind": "y", "credential": "mine"},
    {"id": "ok", "name": "<script>alert(1)</script>", "kind": "y", "counting": "lots"},
])
def test_a_bad_registration_is_refused_with_its_problems(
        client: TestClient, admin_headers: dict[str, str], body: dict[str, Any]) -> None:
    answer = client.post(f"{API}/sensors", json=body, headers=admin_headers)
    assert answer.status_code in (400, 413, 422), answer.text
    assert answer.json()["error"] in ("sensor_invalid", "payload_too_large")
    assert client.get(f"{API}/sensors").json()["sensors"] == []


def test_bad_query_parameters_are_400(client: TestClient, admin_headers: dict[str, str]) -> None:
    _register(client, admin_headers)
    url = f"{API}/sensors/korenmarkt-1/observations"
    for params in ({"since": "yesterday"}, {"until": "\x00"}, {"limit": "-1"},
                   {"limit": "lots"}, {"since": "x" * 100}, {"property": "co\x00unt"},
                   {"property": "<script>"}, {"property": "count\n"}):
        assert client.get(url, params=params).status_code == 400, params


def test_observations_of_a_sensor_feeding_a_hidden_dataset_are_not_found(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from tests.helpers import counts_csv
    path = counts_csv(platform.settings.data_dir.parent)
    ingest_file(platform, CLI_ADMIN, "geheime-tellingen", path, metadata={
        "title_nl": "Geheim", "classification": "internal",
        "restriction_reason": "privacy", "classification_reason": "bevat namen"})
    _register(client, admin_headers, id="geheim-1", dataset_id="geheime-tellingen")
    url = f"{API}/sensors/geheim-1/observations"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=admin_headers).status_code == 200
    # the sensor is as absent as its dataset (its name and dataset id would say it exists)
    assert client.get(f"{API}/sensors/geheim-1").status_code == 404
    assert client.get(f"{API}/sensors/geheim-1", headers=admin_headers).status_code == 200
    listed = [s["id"] for s in client.get(f"{API}/sensors").json()["sensors"]]
    assert "geheim-1" not in listed
    listed = [s["id"] for s in client.get(f"{API}/sensors", headers=admin_headers).json()[
        "sensors"]]
    assert "geheim-1" in listed


def test_observations_read_back_after_compaction_and_a_resend_once(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    from belfort.streams.compaction import compact
    credential = _register(client, admin_headers)
    old = [{"phenomenon_time": _ago(600 - i), "value": i} for i in range(5)]  # past hot hours
    new = [{"phenomenon_time": _ago(10 - i), "value": 100 + i} for i in range(3)]
    assert _post(client, credential, old + new).status_code == 200
    assert compact(platform).compacted_rows == 5
    assert _count(platform) == 3  # the old ones are in the lake now
    resend = _post(client, credential, old[:2])  # compacted already: back in the hot store
    assert resend.status_code == 200
    url = f"{API}/sensors/korenmarkt-1/observations"
    values = [o["value"] for o in client.get(url).json()["observations"]]
    assert values == [0.0, 1.0, 2.0, 3.0, 4.0, 100.0, 101.0, 102.0]
    newest = client.get(url, params={"newest_first": "true", "limit": 6}).json()
    assert [o["value"] for o in newest["observations"]] == [102.0, 101.0, 100.0, 4.0, 3.0, 2.0]
    window = client.get(url, params={"since": old[1]["phenomenon_time"],
                                     "until": old[3]["phenomenon_time"]}).json()
    assert [o["value"] for o in window["observations"]] == [1.0, 2.0]
    assert client.get(url, params={"limit": 2}).json()["count"] == 2
