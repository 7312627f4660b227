"""Quotas per client address and per API key, with Opendatasoft's 429 body and headers."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.api.quotas import DatabaseWindowCounter, FixedWindowCounter
from belfort.app import create_app
from belfort.catalog.models import QuotaCount
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
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
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
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


def test_two_nodes_on_one_postgresql_count_one_quota(settings: Settings) -> None:
    """Two platforms (two nodes) on one catalogue database: with PostgreSQL the anonymous
    quota is counted in the database, so the second node refuses what the first used up;
    the embedded SQLite catalogue keeps counting per process, as before."""
    settings.quota_per_address = 4
    node_a, node_b = Platform(settings), Platform(settings)
    try:
        with TestClient(create_app(node_a)) as a, TestClient(create_app(node_b)) as b:
            answers = [c.get("/api/belfort/v1/datasets") for c in (a, b, a, b, a, b)]
            if node_a.db.shared:
                assert [r.status_code for r in answers] == [200] * 4 + [429] * 2
                assert [r.headers["x-ratelimit-remaining"] for r in answers[:4]] == ["3", "2", "1", "0"]
                with node_a.db.session() as session:  # callers are kept as hashes, never addresses
                    buckets = [row.bucket for row in session.scalars(select(QuotaCount))]
                assert buckets and all(len(bucket) == 64 and "testclient" not in bucket
                                       for bucket in buckets)
            else:
                assert [r.status_code for r in answers] == [200] * 6
    finally:
        node_a.close()
        node_b.close()


def test_the_database_counter_uses_fixed_windows_of_the_database_clock(settings: Settings) -> None:
    platform = Platform(settings)
    try:
        if not platform.db.shared:
            return  # the in-process counter is test_window_resets's
        counter = DatabaseWindowCounter(platform.db.engine, window=2)
        first, reset = counter.hit("addr:192.0.2.1")
        second, same_reset = counter.hit("addr:192.0.2.1")
        assert (first, second) == (1, 2) and reset == same_reset and reset % 2 == 0
        assert counter.hit("addr:192.0.2.2")[0] == 1
        time.sleep(max(reset - time.time(), 0) + 0.3)  # the database's clock is this machine's
        assert counter.hit("addr:192.0.2.1") == (1, reset + 2)
    finally:
        platform.close()


def test_a_busy_caller_is_counted_in_batches_until_half_its_limit(settings: Settings) -> None:
    """The local batch: below half the limit a node adds a caller's calls to the database
    ten at a time (limit 100); from half on every call goes there; two nodes together admit
    the limit and at most one batch each past it."""
    platform = Platform(settings)
    try:
        if not platform.db.shared:
            return  # the in-process counter needs no batch
        nodes = [DatabaseWindowCounter(platform.db.engine, window=3600) for _ in range(2)]
        database_calls = [0, 0]

        def hit(n: int) -> int:
            found = nodes[n].hit_locally("addr:192.0.2.9", 100)
            if found is None:
                database_calls[n] += 1
                found = nodes[n].hit("addr:192.0.2.9", 100)
            return found[0]

        counts = [hit(i % 2) for i in range(200)]
        admitted = sum(1 for c in counts if c <= 100)
        assert 100 <= admitted <= 100 + 2 * 10, admitted
        assert counts[:2] == [1, 2] and max(counts) >= 200 - 2 * 10
        assert sum(database_calls) < 200 - 40  # below half the limit: one call in ten or so
        with platform.db.session() as session:
            stored = session.scalars(select(QuotaCount.calls)).one()
        assert 200 - 2 * 10 <= stored <= 200  # what a node admitted from its batch last is unsent
    finally:
        platform.close()
