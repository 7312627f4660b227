"""Who the caller is: one function reads the presented key for the quota middleware, the
cache rule and authentication alike (issue 11, item 4)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform

DATASETS = "/api/belfort/v1/datasets"


def scope_of(headers: dict[str, str] | None = None, query: str = "") -> dict[str, object]:
    return {
        "type": "http",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({}, "", None),
        ({"Authorization": "Bearer  bfk_a "}, "", "bfk_a"),
        ({"Authorization": "Apikey bfk_a"}, "", "bfk_a"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "", None),  # not a key scheme: not read
        ({"X-API-Key": " bfk_a"}, "", "bfk_a"),
        ({}, "apikey=bfk_a", "bfk_a"),
        ({}, "apikey=bfk%5Fa", "bfk_a"),
        ({}, "%61pikey=bfk_a", "bfk_a"),  # an encoded name is still the key parameter
        ({}, "apikey=&apikey=", None),  # empty values present nothing
        ({"Authorization": "Bearer "}, "", None),
        (
            {"Authorization": "Bearer", "X-API-Key": "junk"},
            "",
            "junk",
        ),  # empty bearer: the other key
        ({}, "apikey=junk&apikey=", "junk"),
        (
            {"Authorization": "Bearer bfk_a", "X-API-Key": "bfk_a"},
            "apikey=bfk_a",
            "bfk_a",
        ),  # agreeing
    ],
)
def test_the_presented_key(headers: dict[str, str], query: str, expected: str | None) -> None:
    from belfort.api.caller import presented_key

    assert presented_key(scope_of(headers, query)) == expected


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"Authorization": "Bearer bfk_a", "X-API-Key": "bfk_b"}, ""),
        ({"X-API-Key": "bfk_a"}, "apikey=bfk_b"),
        ({}, "apikey=bfk_a&apikey=bfk_b"),
    ],
)
def test_conflicting_keys_are_refused(headers: dict[str, str], query: str) -> None:
    from belfort.api.caller import presented_key
    from belfort.errors import ConflictingKeys

    with pytest.raises(ConflictingKeys):
        presented_key(scope_of(headers, query))


@pytest.mark.parametrize(
    "trick",
    [
        {"headers": {"Authorization": "Bearer ", "X-API-Key": "junk"}},
        {"headers": {"Authorization": "Bearer", "X-API-Key": "bfk_junk"}},
        {"params": [("apikey", "junk"), ("apikey", "")]},
        {"params": [("apikey", ""), ("apikey", "bfk_junk")]},
        {"headers": {"X-API-Key": " "}, "params": [("apikey", "junk")]},
    ],
)
def test_a_junk_key_does_not_escape_the_per_address_quota(
    platform: Platform, trick: dict[str, object]
) -> None:
    """The probe: a junk key beside an empty one was served as anonymous but counted under the
    (unlimited) key quota. Now a junk key is refused (401) and counted by address, so the
    address's quota still ends in 429."""
    platform.settings.quota_per_address = 2
    platform.settings.quota_per_key = 0  # unlimited: the bucket the trick aimed for
    with TestClient(create_app(platform)) as client:
        statuses = [client.get(DATASETS, **trick).status_code for _ in range(3)]  # type: ignore[arg-type]
        assert statuses == [401, 401, 429]
        assert client.get(DATASETS).status_code == 429  # the same address, plainly


def test_a_junk_key_is_refused_on_every_route_that_reads_keys(client: TestClient) -> None:
    for path in (
        DATASETS,
        "/api/records/1.0/search/?dataset=x",
        "/api/explore/v2.1/catalog/datasets",
    ):
        answer = client.get(path, params=[("apikey", "junk"), ("apikey", "")])
        assert answer.status_code == 401, (path, answer.status_code)


def test_conflicting_keys_are_a_400(client: TestClient, admin_key: str) -> None:
    answer = client.get(
        DATASETS, headers={"Authorization": f"Bearer {admin_key}", "X-API-Key": "bfk_other"}
    )
    assert answer.status_code == 400 and "API key" in answer.text
    answer = client.get(DATASETS, params=[("apikey", admin_key), ("apikey", "bfk_other")])
    assert answer.status_code == 400


def test_a_valid_key_counts_under_the_key_quota_however_it_is_sent(
    platform: Platform, admin_key: str
) -> None:
    platform.settings.quota_per_address = 1
    platform.settings.quota_per_key = 3
    with TestClient(create_app(platform)) as client:
        ways = [
            {"headers": {"Authorization": f"Bearer {admin_key}"}},
            {"headers": {"Authorization": "Bearer ", "X-API-Key": admin_key}},
            {"params": [("apikey", admin_key), ("apikey", "")]},
            {"headers": {"X-API-Key": admin_key}},
        ]
        statuses = [client.get(DATASETS, **way).status_code for way in ways]  # type: ignore[arg-type]
        assert statuses == [200, 200, 200, 429]
        assert client.get(DATASETS).status_code == 200  # the address's own quota is untouched


def test_a_made_up_forwarded_for_does_not_escape_the_address_quota(platform: Platform) -> None:
    """A sibling of the probe: with BELFORT_TRUST_FORWARDED_FOR the quota counted by the
    *first* X-Forwarded-For entry, which the client writes (a proxy appends after it), so a
    new made-up address per request was a new quota."""
    platform.settings.quota_per_address = 2
    platform.settings.trust_forwarded_for = True
    with TestClient(create_app(platform)) as client:
        statuses = [
            client.get(DATASETS, headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.7"})
            for n in range(3)
        ]
        assert [s.status_code for s in statuses] == [200, 200, 429]
        other = client.get(DATASETS, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.8"})
        assert other.status_code == 200  # another client behind the same proxy: its own quota
