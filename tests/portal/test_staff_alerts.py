"""The staff page "Drukte-alarmen": alerts with explanation and advice, acknowledged with a
button (audited); rules added and removed, advice written through forms with the CSRF token;
refused input comes back with the reason (400) and the typed values; hostile advice is shown
as text; the public does not learn the page exists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.twin.alerts import rules
from belfort.twin.alerts.evaluate import evaluate
from belfort.twin.occupancy import Estimate
from belfort.twin.score import Crowding, ZoneCrowding
from tests.portal.test_staff import csrf_of
from tests.twin.conftest import make_zone

PAGE = "/staff/alerts"
HOSTILE = "<script>alert(1)</script>Omleiden via de Graslei"


@pytest.fixture
def staff(client: TestClient, staff_token: str, platform: Platform) -> TestClient:
    make_zone(platform, "korenmarkt")
    client.cookies.set("belfort_staff", staff_token)
    return client


def _post(staff: TestClient, path: str, **values: str) -> object:
    page = staff.get(PAGE)
    return staff.post(path, data={"csrf": csrf_of(page.text), **values}, follow_redirects=False)


def _crowding(score: int) -> Crowding:
    at = now_us()
    zone = ZoneCrowding("korenmarkt", "Korenmarkt", True, 1000, 2000, "{}",
                        Estimate(score * 20.0, "passages", 3, at), None, score)
    return Crowding(at, [zone], score, score, zone, {})


def test_rules_advice_and_acknowledgement_through_the_page(staff: TestClient,
                                                          platform: Platform) -> None:
    added = _post(staff, PAGE + "/rules", zone="korenmarkt", kind="score_above",
                  level="warning", threshold="70", clear_below="60", min_minutes="5",
                  horizon_hours="", webhook_url="", emails="")
    assert added.status_code == 303  # type: ignore[attr-defined]
    advice = _post(staff, PAGE + "/advice", advice_zone="korenmarkt", advice_level="warning",
                   nl=HOSTILE, en="Divert via the Graslei")
    assert advice.status_code == 303  # type: ignore[attr-defined]
    with platform.db.session() as session:
        [rule] = rules.list_rules(session)
    assert (rule.threshold, rule.clear_below, rule.min_minutes) == (70, 60, 5)
    assert len(evaluate(platform, b"k", crowding=_crowding(95)).raised) == 0  # 5 min first
    later = now_us() + 6 * 60_000_000
    crowding = _crowding(95)
    raised = evaluate(platform, b"k", now_us=later, crowding=crowding).raised
    assert len(raised) == 1
    page = staff.get(PAGE)
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Omleiden via de Graslei" in page.text
    assert "<script>alert(1)" not in page.text
    assert "De drukte-score van Korenmarkt was 95" in page.text
    acked = _post(staff, f"{PAGE}/{raised[0]}/acknowledge")
    assert acked.status_code == 303  # type: ignore[attr-defined]
    assert "gezien door key:" in staff.get(PAGE).text
    english = staff.get(PAGE + "?lang=en").text
    assert "Divert via the Graslei" in english and "seen by key:" in english
    removed = _post(staff, f"{PAGE}/rules/{rule.id}/remove")
    assert removed.status_code == 303  # type: ignore[attr-defined]
    with platform.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
        assert rules.list_rules(session) == []
    for action in ("alert_rule.add", "alert_advice.set", "alert.raise", "alert.acknowledge",
                   "alert_rule.remove"):
        assert action in actions


@pytest.mark.parametrize(("values", "words"), [
    ({"threshold": "101"}, "threshold"),
    ({"threshold": "veel"}, "threshold"),
    ({"threshold": ""}, "threshold"),
    ({"kind": "<b>x</b>"}, "kind"),
    ({"zone": "nergens"}, "nergens"),
    ({"webhook_url": "http://127.0.0.1/x"}, "internal"),
    ({"emails": "geen adres"}, "emails"),
    ({"threshold": "7\x000"}, "threshold"),
])
def test_refused_rules_come_back_with_the_reason(staff: TestClient, platform: Platform,
                                                 values: dict[str, str], words: str) -> None:
    form = {"zone": "korenmarkt", "kind": "score_above", "level": "warning", "threshold": "70",
            "clear_below": "", "min_minutes": "", "horizon_hours": "", "webhook_url": "",
            "emails": "", **values}
    answer = _post(staff, PAGE + "/rules", **form)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert 'class="error-summary" role="alert"' in text and words in text
    assert "<b>x</b>" not in text
    with platform.db.session() as session:
        assert rules.list_rules(session) == []


def test_refused_advice_and_forged_forms(staff: TestClient) -> None:
    for nl in ("", "x" * 2001, "a\x01b"):
        answer = _post(staff, PAGE + "/advice", advice_zone="korenmarkt",
                       advice_level="warning", nl=nl, en="")
        assert answer.status_code == 400  # type: ignore[attr-defined]
    forged = staff.post(PAGE + "/rules", data={"csrf": "forged", "zone": "korenmarkt"})
    assert forged.status_code == 403
    assert _post(staff, f"{PAGE}/999/acknowledge").status_code == 404  # type: ignore[attr-defined]


def test_the_public_does_not_learn_the_page_exists(client: TestClient) -> None:
    assert client.get(PAGE).status_code == 404
