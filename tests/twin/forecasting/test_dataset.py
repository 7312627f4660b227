"""The zones' forecasts as a dataset: ``drukteverwachting-per-zone`` through the Opendatasoft
APIs, one row per zone and hour, naming the model version."""

from __future__ import annotations

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.twin.forecasting.dataset import DATASET
from tests.twin.forecasting.helpers import trained_city


def test_the_zone_forecasts_are_readable_through_the_opendatasoft_apis(
        client: TestClient, platform: Platform) -> None:
    made = trained_city(platform)
    v2 = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}/records",
                    params={"limit": 100, "order_by": "tijdstip"})
    assert v2.status_code == 200, v2.text
    body = v2.json()
    assert 47 <= body["total_count"] <= 48
    first = body["results"][0]
    assert first["zone"] == "korenmarkt" and first["model"] == made["version"]
    assert first["uren_vooruit"] == 0 and first["onder"] <= first["score"] <= first["boven"]
    v1 = client.get("/api/records/1.0/search/", params={"dataset": DATASET, "rows": 1})
    assert v1.status_code == 200 and v1.json()["nhits"] == body["total_count"]
    meta = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}").json()
    assert "Drukteverwachting" in str(meta)
