"""The ``Cache-Status`` header (belfort.cache_status): a response says whether a kept answer
served it, so that a benchmark (bench/api_bench.py) can refuse a figure meant to be cold."""

from __future__ import annotations

from fastapi.testclient import TestClient

from belfort.cache_status import any_hit
from belfort.platform import Platform

SEARCH = "/api/records/1.0/search/"


def test_v1_search_reports_a_kept_answer_only_when_one_served(
    client: TestClient, ghent: Platform
) -> None:
    params = {"dataset": "fietstelpalen-gent", "rows": 3, "q": "Stad"}
    first = client.get(SEARCH, params=params)
    assert first.status_code == 200
    assert (
        first.headers["cache-status"]
        == "belfort-answers; fwd=uri-miss, belfort-results; fwd=uri-miss"
    )
    assert not any_hit(first.headers["cache-status"])
    again = client.get(SEARCH, params=params)
    assert again.headers["cache-status"] == "belfort-answers; hit"
    assert any_hit(again.headers["cache-status"]) and again.content == first.content
    # another answer (the default format spelled out), the same question for the engine:
    # asked a second time it is materialised, a third time it is a kept result
    second = client.get(SEARCH, params={**params, "format": "json"})
    assert (
        second.headers["cache-status"]
        == "belfort-answers; fwd=uri-miss, belfort-results; fwd=uri-miss"
    )
    third = client.get(SEARCH, params={**params, "format": "json", "timezone": "UTC"})
    assert third.headers["cache-status"] == "belfort-answers; fwd=uri-miss, belfort-results; hit"
    assert third.json()["records"] == first.json()["records"]


def test_a_new_filter_is_never_a_hit(client: TestClient, ghent: Platform) -> None:
    for i in range(5):
        r = client.get(
            SEARCH, params={"dataset": "fietstelpalen-gent", "rows": 2, "q": f"naam:'x{i}' or Stad"}
        )
        assert r.status_code == 200 and not any_hit(r.headers["cache-status"]), r.headers[
            "cache-status"
        ]


def test_responses_that_consult_no_store_carry_no_header(client: TestClient) -> None:
    assert "cache-status" not in client.get("/health").headers
    assert "cache-status" not in client.get(SEARCH, params={"dataset": "no-such-dataset"}).headers
