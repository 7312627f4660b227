"""The crowding alerts API: rules and advice (admin), alerts (signed in), acknowledgement
(operators), evaluation on demand — and every kind of bad input answered with a clear 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import Role
from belfort.streams.model import now_us
from tests.twin.conftest import MINUTE, feed, make_sensor, make_zone

RULES = "/api/belfort/v1/alert-rules"
ALERTS = "/api/belfort/v1/alerts"
ADVICE = "/api/belfort/v1/zones/korenmarkt/advice"


def _key(platform: Platform, role: Role) -> dict[str, str]:
    with platform.db.session() as session:
        return {"Authorization": f"Bearer {create_key(session, role.value, role).secret}"}


def _rule(**body: Any) -> dict[str, Any]:
    return {"zone": "korenmarkt", "kind": "score_above", "level": "warning", "threshold": 50,
            **body}


def test_rules_advice_alerts_and_acknowledgement_end_to_end(
        client: TestClient, platform: Platform, admin_headers: dict[str, str]) -> None:
    make_zone(platform, "korenmarkt", area_m2=1000)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    made = client.post(RULES, json=_rule(clear_below=40, min_minutes=0), headers=admin_headers)
    assert made.status_code == 201, made.text
    assert made.json()["clear_below"] == 40 and made.json()["active"] is False
    hostile = "<script>alert(1)</script> sluit de <b>Veldstraat</b>"
    put = client.put(f"{ADVICE}/warning", json={"nl": hostile, "en": "Divert via the Graslei"},
                     headers=admin_headers)
    assert put.status_code == 200, put.text
    assert put.json()["advice"]["warning"]["nl"] == hostile  # kept as written, escaped on pages
    assert client.get(ADVICE, headers=admin_headers).json()["advice"]["warning"]["en"] == \
        "Divert via the Graslei"
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 200.0) for k in range(15)])
    report = client.post(f"{ALERTS}/evaluate", headers=admin_headers)
    assert report.status_code == 200 and len(report.json()["raised"]) == 1, report.text
    reader = _key(platform, Role.READ)
    listed = client.get(ALERTS, headers=reader).json()["alerts"]
    assert len(listed) == 1 and listed[0]["advice"]["nl"] == hostile
    alert_id = listed[0]["id"]
    assert listed[0]["explanation"]["reliability"]["en"]
    # a reader may look, not acknowledge; an operator (write role) may
    assert client.post(f"{ALERTS}/{alert_id}/acknowledge", headers=reader).status_code == 403
    writer = _key(platform, Role.WRITE)
    acked = client.post(f"{ALERTS}/{alert_id}/acknowledge", headers=writer)
    assert acked.status_code == 200 and acked.json()["acknowledged_by"].startswith("key:")
    again = client.post(f"{ALERTS}/{alert_id}/acknowledge", headers=admin_headers).json()
    assert again["acknowledged_by"] == acked.json()["acknowledged_by"]  # the first is kept
    with platform.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert {"alert_rule.add", "alert_advice.set", "alert.raise"} <= set(actions)
    assert actions.count("alert.acknowledge") == 1
    assert client.get(f"{ALERTS}/{alert_id}", headers=reader).json()["state"] == "active"
    assert client.get(ALERTS, params={"state": "recent"}, headers=reader).json()["alerts"]
    rule_id = made.json()["id"]
    assert client.delete(f"{RULES}/{rule_id}", headers=admin_headers).status_code == 204
    assert client.delete(f"{RULES}/{rule_id}", headers=admin_headers).status_code == 404


def test_who_may_do_what(client: TestClient, platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    assert client.get(ALERTS).status_code == 401
    assert client.get(RULES).status_code == 401
    assert client.post(RULES, json=_rule()).status_code == 401
    assert client.post(f"{ALERTS}/evaluate").status_code == 401
    assert client.post(f"{ALERTS}/1/acknowledge").status_code == 401
    writer = _key(platform, Role.WRITE)
    assert client.post(RULES, json=_rule(), headers=writer).status_code == 403
    assert client.put(f"{ADVICE}/warning", json={"nl": "x"}, headers=writer).status_code == 403


@pytest.mark.parametrize(("body", "status", "words"), [
    (_rule(zone="nergens"), 404, "nergens"),
    (_rule(zone="<script>"), 404, "no zone"),
    (_rule(kind="score_below"), 400, "kind"),
    (_rule(level="panic"), 400, "level"),
    (_rule(threshold=0), 400, "threshold"),
    (_rule(threshold=101), 400, "threshold"),
    (_rule(threshold="70"), 400, "threshold"),
    (_rule(threshold=True), 400, "threshold"),
    (_rule(kind="deviation", threshold=1.0), 400, "threshold"),
    (_rule(threshold=70, clear_below=75), 400, "clear_below"),
    (_rule(min_minutes=-1), 400, "min_minutes"),
    (_rule(min_minutes=10**9), 400, "min_minutes"),
    (_rule(kind="forecast_above", horizon_hours=49), 400, "horizon_hours"),
    (_rule(horizon_hours=3), 400, "horizon_hours"),
    (_rule(webhook_url="http://127.0.0.1:8080/x"), 400, "internal"),
    (_rule(webhook_url="http://169.254.169.254/latest"), 400, "internal"),
    (_rule(webhook_url="file:///etc/passwd"), 400, "http"),
    (_rule(webhook_url="http://a\u0000b/"), 400, "webhook"),
    (_rule(emails=["not an address"]), 400, "emails"),
    (_rule(emails=["a@b.example\r\nBcc: x@y"]), 400, "emails"),
    (_rule(emails="ops@gent.be"), 400, "emails"),
    (_rule(surprise=1), 400, "surprise"),
    ([1, 2], 400, "object"),
])
def test_bad_rules_are_refused_clearly(client: TestClient, platform: Platform,
                                       admin_headers: dict[str, str], body: Any, status: int,
                                       words: str) -> None:
    make_zone(platform, "korenmarkt")
    answer = client.post(RULES, json=body, headers=admin_headers)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["message"]


def test_bad_bodies_and_advice_are_refused_clearly(client: TestClient, platform: Platform,
                                                   admin_headers: dict[str, str]) -> None:
    make_zone(platform, "korenmarkt")
    huge = client.post(RULES, content=b'{"zone": "' + b"x" * 20_000 + b'"}',
                       headers={**admin_headers, "Content-Type": "application/json"})
    assert huge.status_code == 413
    broken = client.post(RULES, content=b"{not json", headers=admin_headers)
    assert broken.status_code == 400
    for body, words in [({"nl": "x" * 2001}, "longer"), ({"nl": "a\x00b"}, "control"),
                        ({"en": "only English"}, "'nl'"), ({"nl": ""}, "'nl'"),
                        ({"nl": 5}, "'nl'"), ({"nl": "x", "fr": "y"}, "fr")]:
        answer = client.put(f"{ADVICE}/warning", json=body, headers=admin_headers)
        assert answer.status_code == 400, (body, answer.text)
        assert words in answer.json()["message"]
    assert client.put(f"{ADVICE}/panic", json={"nl": "x"},
                      headers=admin_headers).status_code == 400
    assert client.put("/api/belfort/v1/zones/nergens/advice/warning", json={"nl": "x"},
                      headers=admin_headers).status_code == 404
    assert client.get(ALERTS, params={"state": "old"}, headers=admin_headers).status_code == 400
    assert client.get(ALERTS, params={"limit": 0}, headers=admin_headers).status_code in (400,
                                                                                          422)
    assert client.get(f"{ALERTS}/999", headers=admin_headers).status_code == 404
    assert client.get(f"{ALERTS}/abc", headers=admin_headers).status_code in (400, 422)
    assert client.post(f"{ALERTS}/99999999999999999999/acknowledge",
                       headers=admin_headers).status_code in (400, 422)
    assert client.delete(f"{RULES}/0", headers=admin_headers).status_code in (400, 422)
