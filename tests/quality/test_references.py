"""Consistency across datasets (issue 17, item 1): an ``exists`` rule requires every value of a
field to occur in another dataset's published key field. Checked when saved — unknown,
unpublished or unreadable datasets, unknown keys, mismatched types and hostile values are a
422 naming the rule — and run by the one engine over both published versions; a referenced
dataset that is later withdrawn leaves the rule out of the run instead of failing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import change_dataset_state, ingest_file
from belfort.quality import hook

BASE = "/api/belfort/v1/datasets"
TELPUNTEN = "id;naam;sinds\nkorenmarkt;Korenmarkt;2020-01-01\nveldstraat;Veldstraat;2021-03-01\n"
TELLINGEN = ("telpunt;aantal;code\nkorenmarkt;120;1\nveldstraat;80;2\nkorenmarkt;95;1\n"
             "graslei;40;3\n;10;1\n")
RULE = {"type": "exists", "id": "telpunt-bestaat", "field": "telpunt", "dataset": "telpunten",
        "key": "id"}


def _ingest(platform: Platform, tmp_path: Path, dataset_id: str, text: str,
            **metadata: str) -> None:
    path = tmp_path / f"{dataset_id}.csv"
    path.write_text(text, encoding="utf-8")
    ingest_file(platform, CLI_ADMIN, dataset_id, path,
                metadata={"title_nl": dataset_id.title(), **metadata})
    hook.wait(platform)


@pytest.fixture
def two(platform: Platform, tmp_path: Path) -> Platform:
    _ingest(platform, tmp_path, "telpunten", TELPUNTEN)
    _ingest(platform, tmp_path, "tellingen", TELLINGEN)
    return platform


def test_a_value_missing_from_the_other_dataset_fails(
        client: TestClient, two: Platform, admin_headers: dict[str, str], tmp_path: Path) -> None:
    r = client.put(f"{BASE}/tellingen/quality/rules", json={"rules": [RULE]},
                   headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["rules"] == [RULE]
    _ingest(two, tmp_path, "tellingen", TELLINGEN)  # a new version: measured with the rule
    body = client.get(f"{BASE}/tellingen/quality").json()
    [result] = [x for x in body["rules"] if x["id"] == "telpunt-bestaat"]
    # 5 rows: graslei is not a telpunt; the empty telpunt is completeness's business
    assert result["dimension"] == "consistency" and result["failing"] == 1
    assert [e["values"] for e in result["examples"]] == [{"telpunt": "graslei"}]


def test_numbers_compare_with_text_keys_as_text(
        client: TestClient, two: Platform, admin_headers: dict[str, str], tmp_path: Path) -> None:
    _ingest(two, tmp_path, "codes", "code;omschrijving\n1;een\n2;twee\n")
    rule = {"type": "exists", "field": "code", "dataset": "codes", "key": "code"}
    assert client.put(f"{BASE}/tellingen/quality/rules", json={"rules": [rule]},
                      headers=admin_headers).status_code == 200
    _ingest(two, tmp_path, "tellingen", TELLINGEN)
    body = client.get(f"{BASE}/tellingen/quality").json()
    [result] = [x for x in body["rules"] if x["id"] == "exists:code"]
    assert result["failing"] == 1  # code 3


def test_a_rule_is_refused_when_saved_not_at_run_time(
        client: TestClient, two: Platform, admin_headers: dict[str, str], tmp_path: Path) -> None:
    _ingest(two, tmp_path, "ontwerp", TELPUNTEN.replace("korenmarkt", "x"))
    ingest_file(two, CLI_ADMIN, "klad", tmp_path / "ontwerp.csv",
                metadata={"title_nl": "Klad"}, draft=True)  # never published
    url = f"{BASE}/tellingen/quality/rules"
    cases = [
        ({**RULE, "dataset": "bestaat-niet"}, "no published dataset 'bestaat-niet'"),
        ({**RULE, "dataset": "klad"}, "no published dataset 'klad'"),
        ({**RULE, "dataset": "../versions"}, "no published dataset"),
        ({**RULE, "dataset": "x" * 150}, "no published dataset"),
        ({**RULE, "dataset": "x" * 5000}, "more than 2,000"),
        ({**RULE, "key": "onbekend"}, "has no field 'onbekend'"),
        ({**RULE, "field": "onbekend"}, "unknown field 'onbekend'"),
        ({**RULE, "key": "sinds"}, None),  # a date key against a text field: compared as text
        ({k: v for k, v in RULE.items() if k != "key"}, 'needs "field", "dataset" and "key"'),
        ({**RULE, "dataset": ["telpunten"]}, 'needs "field", "dataset" and "key"'),
        ({"type": "required", "field": "telpunt", "dataset": "telpunten"}, "belong to an exists"),
    ]
    for rule, message in cases:
        r = client.put(url, json={"rules": [rule]}, headers=admin_headers)
        if message is None:
            assert r.status_code == 200, r.text
            continue
        assert r.status_code == 422, (rule, r.text)
        assert r.json()["error"] == "invalid_quality_rule", (rule, r.text)
        assert message in r.json()["message"], (rule, r.text)
    # many references: refused by the rule limit or found missing, never a 500
    many = [{**RULE, "id": f"r{i}", "dataset": f"d{i}"} for i in range(40)]
    assert client.put(url, json={"rules": many}, headers=admin_headers).status_code == 422


def test_a_withdrawn_reference_leaves_the_rule_out_of_the_run(
        client: TestClient, two: Platform, admin_headers: dict[str, str], tmp_path: Path) -> None:
    assert client.put(f"{BASE}/tellingen/quality/rules", json={"rules": [RULE]},
                      headers=admin_headers).status_code == 200
    change_dataset_state(two, CLI_ADMIN, "telpunten", "archived")
    _ingest(two, tmp_path, "tellingen", TELLINGEN)
    body = client.get(f"{BASE}/tellingen/quality").json()
    assert body["status"] == "ok" and body["version"] == 2
    assert "telpunt-bestaat" not in {x["id"] for x in body["rules"]}
    # the rule set keeps it: saving again says what is wrong
    assert client.get(f"{BASE}/tellingen/quality/rules",
                      headers=admin_headers).json()["rules"] == [RULE]
