"""The forecasts over HTTP: per sensor (as readable as its observations) and per zone, the
model registry, and bad input (4xx, never 500)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import trained_city

API = "/api/belfort/v1"


@pytest.fixture
def forecasts(platform: Platform) -> dict[str, Any]:
    return trained_city(platform)


def test_zone_and_sensor_forecasts_name_their_model(
        client: TestClient, forecasts: dict[str, Any]) -> None:
    zone = client.get(f"{API}/zones/korenmarkt/forecast")
    assert zone.status_code == 200, zone.text
    body = zone.json()
    assert body["zone"] == "korenmarkt" and body["model"]["version"] == forecasts["version"]
    assert body["made"] and body["interval_level"] == 0.8 and body["withheld"] is None
    assert 47 <= len(body["points"]) <= 48  # from the current hour on
    assert body["model"]["backtest_mase"] is not None and "accuracy" in body["model"]
    sensor = client.get(f"{API}/sensors/TP00/forecast", params={"hours": 6}).json()
    assert sensor["sensor"] == "TP00" and len(sensor["points"]) == 6
    assert sensor["unit"] == "count per hour"
    listed = client.get(f"{API}/forecast-models").json()["models"]
    assert [m["version"] for m in listed] == [forecasts["version"]]
    one = client.get(f"{API}/forecast-models/{forecasts['version']}").json()
    assert one["status"] == "active" and one["training_data"]["sensors"] == 2
    assert "TP00" not in zone.text + str(listed)  # the registry names no sensor


def test_before_any_model_the_answer_says_why(client: TestClient, platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    body = client.get(f"{API}/zones/korenmarkt/forecast").json()
    assert body["points"] == [] and "belfort twin train" in body["withheld"]
    assert client.get(f"{API}/forecast-models").json() == {"models": []}


def test_a_sensor_feeding_a_hidden_dataset_has_no_forecast_for_others(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.streams.sensors import SensorSpec, register_sensor
    from tests.helpers import counts_csv
    path = counts_csv(platform.settings.data_dir.parent)
    ingest_file(platform, CLI_ADMIN, "geheime-tellingen", path, metadata={
        "title_nl": "Geheim", "classification": "internal",
        "restriction_reason": "privacy", "classification_reason": "bevat namen"})
    with platform.db.session() as session:
        register_sensor(session, SensorSpec("geheim-1", "geheim-1", "passantenteller", "count",
                                            dataset_id="geheime-tellingen"))
    url = f"{API}/sensors/geheim-1/forecast"
    assert client.get(url).status_code == 404
    allowed = client.get(url, headers=admin_headers)
    assert allowed.status_code == 200 and allowed.json()["sensor"] == "geheim-1"
    assert "no-store" in allowed.headers["cache-control"]


@pytest.mark.parametrize("hours", ["0", "49", "-1", "99999999999999999999999999", "abc",
                                   "<script>alert(1)</script>", "1.5", "%00"])
def test_bad_hours_are_400(client: TestClient, platform: Platform, hours: str) -> None:
    make_zone(platform, "korenmarkt")
    for url in (f"{API}/zones/korenmarkt/forecast", f"{API}/sensors/TP00/forecast"):
        answer = client.get(f"{url}?hours={hours}")
        assert answer.status_code == 400, (url, hours, answer.text)


@pytest.mark.parametrize("name", ["bestaat-niet", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                                  "a%00b", "x" * 5000, "..%2F..%2Fetc", "%F0%9F%92%A5"])
def test_unknown_or_hostile_ids_are_404(client: TestClient, name: str) -> None:
    for url in (f"{API}/zones/{name}/forecast", f"{API}/sensors/{name}/forecast",
                f"{API}/forecast-models/{name}",
                f"{API}/forecast-models/gbm-20261206T220000Z-abcd"):
        answer = client.get(url)
        assert answer.status_code == 404, (url, answer.text)
        assert "<script>" not in answer.text
