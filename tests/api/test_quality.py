"""``/api/belfort/v1/datasets/{id}/quality``: the latest report, its history and the rules —
through the gate (404 for what a caller may not see, held-back fields left out) — and the
rules refused when saved (422 naming the rule), including hostile and oversized bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import classify_field, ingest_file
from belfort.quality import hook
from tests.quality.conftest import write_parkings

BASE = "/api/belfort/v1/datasets"


@pytest.fixture
def parkings(platform: Platform, tmp_path: Path) -> str:
    ingest_file(
        platform, CLI_ADMIN, "parkings", write_parkings(tmp_path), metadata={"title_nl": "Parkings"}
    )
    hook.wait(platform)
    return "parkings"


RULES = {
    "rules": [
        {"type": "required", "field": "naam"},
        {"type": "check", "id": "bezetting-past", "where": "bezetting <= capaciteit"},
        {"type": "pattern", "field": "postcode", "value": "[0-9]{4}"},
    ]
}


def test_latest_report_per_dimension_and_rule(client: TestClient, parkings: str) -> None:
    r = client.get(f"{BASE}/{parkings}/quality")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dataset"] == parkings and body["version"] == 1 and body["status"] == "ok"
    assert set(body["dimensions"]) == {
        "completeness",
        "validity",
        "uniqueness",
        "consistency",
        "timeliness",
    }
    naam = next(x for x in body["rules"] if x["id"] == "missing:naam")
    assert naam["checked"] == 6 and naam["failing"] == 1 and naam["share"] == round(1 / 6, 6)
    assert body["measured_at"]


def test_steward_replaces_rules_and_the_next_run_uses_them(
    client: TestClient,
    platform: Platform,
    parkings: str,
    admin_headers: dict[str, str],
    tmp_path: Path,
) -> None:
    r = client.put(f"{BASE}/{parkings}/quality/rules", json=RULES, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["rules"]] == [
        "required:naam",
        "bezetting-past",
        "pattern:postcode",
    ]
    assert r.json()["inferred"] is False
    assert (
        client.get(f"{BASE}/{parkings}/quality/rules", headers=admin_headers).json()["rules"]
        == r.json()["rules"]
    )
    ingest_file(platform, CLI_ADMIN, parkings, write_parkings(tmp_path))
    hook.wait(platform)
    body = client.get(f"{BASE}/{parkings}/quality", params={"history": "true"}).json()
    assert body["version"] == 2
    past = next(x for x in body["rules"] if x["id"] == "bezetting-past")
    assert past["failing"] == 1 and past["examples"][0]["values"] == {
        "bezetting": "700",
        "capaciteit": "450",
    }
    assert [h["version"] for h in body["history"]] == [1, 2]
    history = client.get(f"{BASE}/{parkings}/quality/history", params={"limit": 1}).json()
    assert [h["version"] for h in history["reports"]] == [2]
    assert set(history["reports"][0]["scores"]) == set(body["dimensions"])


def test_bad_rules_are_422_naming_the_rule(
    client: TestClient, parkings: str, admin_headers: dict[str, str]
) -> None:
    url = f"{BASE}/{parkings}/quality/rules"
    cases = [
        (
            {"rules": [{"type": "check", "id": "kapot", "where": "bezetting <<= capaciteit"}]},
            "kapot",
        ),
        ({"rules": [{"type": "check", "where": "onbekend > 1"}]}, "unknown field 'onbekend'"),
        (
            {"rules": [{"type": "pattern", "field": "naam", "value": "(?<=a)b"}]},
            "regular expression",
        ),
        (
            {
                "rules": [
                    {"type": "required", "field": "naam", "id": f"r{i}"} for i in range(10_000)
                ]
            },
            "at most 200 rules",
        ),
        (
            {
                "rules": [
                    {
                        "type": "check",
                        "where": "naam = '" + "'; DROP TABLE datasets; --" * 200 + "'",
                    }
                ]
            },
            "characters",
        ),
    ]
    for body, words in cases:
        r = client.put(url, json=body, headers=admin_headers)
        assert r.status_code == 422, (body, r.text[:300])
        assert r.json()["error"] == "invalid_quality_rule" and words in r.json()["message"]
    for raw in (b"not json", b"[]", b'{"rules": [], "meer": 1}', b"[" * 100_000):
        r = client.put(
            url, content=raw, headers={**admin_headers, "Content-Type": "application/json"}
        )
        assert r.status_code == 400, raw[:20]
    r = client.put(url, content=b"x" * 5_000_000, headers=admin_headers)
    assert r.status_code == 413
    # the rules kept are the inferred ones: nothing half-saved
    assert client.get(url, headers=admin_headers).json()["inferred"] is True


def test_rules_are_public_but_replaced_by_staff_only(client: TestClient, parkings: str) -> None:
    r = client.get(f"{BASE}/{parkings}/quality/rules")
    assert r.status_code == 200 and "updated_by" not in r.json()
    assert {x["id"] for x in r.json()["rules"]} >= {"required:id", "required:soort"}
    assert client.put(f"{BASE}/{parkings}/quality/rules", json=RULES).status_code == 401


def test_a_restricted_dataset_is_404_and_a_held_back_field_is_left_out(
    client: TestClient, platform: Platform, tmp_path: Path, admin_headers: dict[str, str]
) -> None:
    ingest_file(
        platform,
        CLI_ADMIN,
        "geheim",
        write_parkings(tmp_path),
        metadata={
            "title_nl": "Geheim",
            "classification": "confidential",
            "restriction_reason": "privacy", "classification_reason": "test",
        },
    )
    ingest_file(
        platform, CLI_ADMIN, "open", write_parkings(tmp_path), metadata={"title_nl": "Open"}
    )
    classify_field(platform, CLI_ADMIN, "open", "naam", "confidential")
    hook.wait(platform)
    client.put(
        f"{BASE}/open/quality/rules",
        headers=admin_headers,
        json={
            "rules": [
                {"type": "check", "where": "naam != 'Kouter'"},
                {"type": "maximum", "field": "bezetting", "value": 500},
            ]
        },
    )
    from belfort.quality.run import measure

    measure(platform, "open", trigger="cli")
    absent = client.get(f"{BASE}/bestaat-niet/quality")
    hidden = client.get(f"{BASE}/geheim/quality")
    assert hidden.status_code == absent.status_code == 404
    assert client.get(f"{BASE}/geheim/quality", headers=admin_headers).status_code == 200
    public = client.get(f"{BASE}/open/quality").text
    assert "naam" not in public and "Kouter" not in public and "Sint-Michiels" not in public
    assert '"maximum:bezetting"' in public and "700" in public
    assert "naam" not in client.get(f"{BASE}/open/quality/rules").text
    staff = client.get(f"{BASE}/open/quality", headers=admin_headers).text
    assert "naam" in staff and "Kouter" in staff


def test_not_measured_yet_is_said(client: TestClient, platform: Platform, tmp_path: Path) -> None:
    platform.settings.quality_on_publish = False
    ingest_file(
        platform, CLI_ADMIN, "nieuw", write_parkings(tmp_path), metadata={"title_nl": "Nieuw"}
    )
    body = client.get(f"{BASE}/nieuw/quality").json()
    assert body["status"] == "not_measured" and body["rules"] == []
    assert json.dumps(body)
