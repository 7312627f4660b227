"""Quotas per client address and per API key, with Opendatasoft's 429 body and headers."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from belfort.api.quotas import FixedWindowCounter
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv


def test_quota_per_address_and_per_key(platform: Platform, admin_key: str) -> None:
    platform.settings.quota_per_address = 3
    platform.settings.quota_per_key = 5
    with TestClient(create_app(platform)) as client:
        answers = [client.get("/api/belfort/v1/datasets") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
        refused = answers[3]
        assert refused.headers["content-type"] == "application/json"
        body = refused.json()
        assert body["errorcode"] == 10002 and body["call_limit"] == 3
        assert body["limit_time_unit"] == "day" and body["reset_time"].endswith("Z")
        assert int(refused.headers["x-ratelimit-reset"]) > time.time()
        assert int(refused.headers["retry-after"]) >= 1
        # another caller (an API key) has its own, larger quota
        keyed = [client.get("/api/belfort/v1/datasets", headers={"Authorization": f"Bearer {admin_key}"})
                 for _ in range(6)]
        assert [a.status_code for a in keyed] == [200] * 5 + [429]
        assert keyed[0].headers["x-ratelimit-limit"] == "5"
        # the key also counts when sent Opendatasoft-style as ?apikey=
        assert client.get("/api/belfort/v1/datasets", params={"apikey": admin_key}).status_code == 429
        assert client.get("/health").status_code == 200  # never counted


def test_unlimited_by_default(client: TestClient) -> None:
    answers = [client.get("/api/belfort/v1/datasets") for _ in range(20)]
    assert all(a.status_code == 200 for a in answers)
    assert "x-ratelimit-limit" not in answers[0].headers


def test_window_resets() -> None:
    counter = FixedWindowCounter(window=0.2)
    first, reset = counter.hit("a")
    assert (first, counter.hit("a")[0]) == (1, 2)
    time.sleep(max(reset - time.time(), 0) + 0.01)
    assert counter.hit("a")[0] == 1


def test_a_public_key_is_an_anonymous_caller_counted_by_address(platform: Platform, tmp_path: Path) -> None:
    """Apps in the field embed one key in every copy (Ghent's widgets send the city's
    Opendatasoft key): listed in BELFORT_PUBLIC_API_KEYS it reads as anonymous, and its
    quota is the caller's address, not one shared bucket for the whole city."""
    ingest_file(platform, CLI_ADMIN, "open-data", counts_csv(tmp_path), metadata={"title_nl": "Open"})
    ingest_file(platform, CLI_ADMIN, "intern", counts_csv(tmp_path), metadata={
        "title_nl": "Intern", "classification": "internal", "classification_reason": "bevat namen"})
    platform.settings.public_api_keys = "widget-key-123, other"
    platform.settings.quota_per_address = 3
    platform.settings.quota_per_key = 100
    with TestClient(create_app(platform)) as client:
        records = "/api/explore/v2.1/catalog/datasets/open-data/records"
        answers = [client.get(records, params={"apikey": "widget-key-123"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["x-ratelimit-limit"] == "3"
    platform.settings.quota_per_address = 0
    with TestClient(create_app(platform)) as client:
        hidden = client.get("/api/explore/v2.1/catalog/datasets/intern/records", params={"apikey": "widget-key-123"})
        assert hidden.status_code == 404  # anonymous: restricted data stays hidden
        assert client.get(records, headers={"Authorization": "Apikey other"}).status_code == 200
        assert client.get(records, params={"apikey": "not-listed"}).status_code == 401
