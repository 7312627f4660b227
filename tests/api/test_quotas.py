"""Quotas per client address and per API key, with Opendatasoft's 429 body and headers."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from belfort.api.app import create_app
from belfort.api.quotas import FixedWindowCounter
from belfort.platform import Platform


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
