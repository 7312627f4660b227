"""The staff page "Dashboards beheren": staff only, CSRF protected; a dashboard is created,
changed and deleted by its YAML; a refused spec comes back as typed with every problem in the
error summary; hostile input (markup, NUL bytes, oversized text) is refused or kept as text."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from fastapi.testclient import TestClient

from belfort.dashboards.store import get_dashboard
from belfort.errors import DashboardNotFound
from belfort.platform import Platform
from tests.portal.test_staff import csrf_of

LIST = "/staff/dashboards"
SPEC = "title: {nl: Drukte, en: Crowding}\ntiles:\n  - {id: a, type: kpi, title: A, stream: s-1}\n"


@pytest.fixture
def staff(client: TestClient, staff_token: str) -> TestClient:
    client.cookies.set("belfort_staff", staff_token)
    return client


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def _textarea(html: str) -> str:
    found = re.search(r'<textarea id="dash-spec"[^>]*>(.*?)</textarea>', html, re.S)
    assert found
    return htmllib.unescape(found.group(1))


def test_the_public_gets_not_found(client: TestClient) -> None:
    for path in (LIST, LIST + "/gent", LIST + "/gent/delete"):
        assert client.post(path, data={"csrf": "0" * 32, "source": SPEC, "id": "x"}
                           ).status_code == 404
    assert client.get(LIST).status_code == 404 and client.get(LIST + "/gent").status_code == 404


def test_create_change_and_delete(staff: TestClient, platform: Platform) -> None:
    page = staff.get(LIST)
    assert page.status_code == 200 and '/staff/dashboards/gent"' in page.text
    created = staff.post(LIST, data={"csrf": csrf_of(page.text), "id": "drukte", "source": SPEC},
                         follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].endswith("created=drukte")
    assert "Drukte" in staff.get("/dashboards/drukte").text
    edit = staff.get(LIST + "/drukte")
    assert _textarea(edit.text) == SPEC
    changed = staff.post(LIST + "/drukte", data={"csrf": csrf_of(edit.text),
                                                "source": SPEC.replace("Drukte", "Nu")},
                         follow_redirects=False)
    assert changed.status_code == 303
    with platform.db.session() as session:
        assert get_dashboard(session, "drukte").spec.title.nl == "Nu"
    edit = staff.get(LIST + "/drukte")
    refused = staff.post(LIST + "/drukte/delete", data={"csrf": csrf_of(edit.text)})
    assert refused.status_code == 400 and "Vink het vakje aan" in _summary(refused.text)
    deleted = staff.post(LIST + "/drukte/delete", data={"csrf": csrf_of(edit.text),
                                                        "confirm": "yes"}, follow_redirects=False)
    assert deleted.status_code == 303
    with pytest.raises(DashboardNotFound), platform.db.session() as session:
        get_dashboard(session, "drukte")
    assert staff.get("/dashboards/drukte").status_code == 404


def test_a_refused_spec_comes_back_as_typed_with_every_problem(staff: TestClient) -> None:
    edit = staff.get(LIST + "/gent")
    bad = "title: <b>T</b>\ntiles:\n  - {id: a, type: pie, title: A, stream: s}\n  - {id: B}\n"
    answer = staff.post(LIST + "/gent", data={"csrf": csrf_of(edit.text), "source": bad})
    assert answer.status_code == 400
    summary = _summary(answer.text)
    assert "tiles[0].type" in summary and "tiles[1].id" in summary
    assert _textarea(answer.text) == bad  # what was typed stays
    assert "<b>T</b>" not in answer.text  # … as text
    assert 'aria-invalid="true"' in answer.text and 'href="#dash-spec"' in answer.text


@pytest.mark.parametrize(("source", "problem"), [
    ("title: T\x00\ntiles: []", "NUL"),
    ("title: T\ntiles: []\n#" + "x" * 70_000, "KiB"),
    ("a: &a [1]\nb: *a", "alias"),
    ("<script>alert(1)</script>", "(spec)"),
])
def test_hostile_specs_are_refused_with_a_message(staff: TestClient, source: str,
                                                  problem: str) -> None:
    page = staff.get(LIST)
    answer = staff.post(LIST, data={"csrf": csrf_of(page.text), "id": "boos", "source": source})
    assert answer.status_code == 400
    assert problem in _summary(answer.text)
    assert "<script>alert(1)</script>" not in answer.text
    assert staff.get("/dashboards/boos").status_code == 404


@pytest.mark.parametrize(("dashboard_id", "text"), [
    ("gent", "Er is al een dashboard met de code gent."),
    ("Hoofd Letters", "De code mag alleen kleine letters"),
    ("<img src=x>", "De code mag alleen kleine letters"),
    ("", "De code mag alleen kleine letters"),
])
def test_a_wrong_or_taken_id_is_named(staff: TestClient, dashboard_id: str, text: str) -> None:
    page = staff.get(LIST)
    answer = staff.post(LIST, data={"csrf": csrf_of(page.text), "id": dashboard_id,
                                    "source": SPEC})
    assert answer.status_code == 400 and text in _summary(answer.text)
    assert "<img src=x>" not in answer.text


def test_a_form_without_its_csrf_token_is_refused(staff: TestClient) -> None:
    staff.get(LIST)
    for path, data in ((LIST, {"id": "x", "source": SPEC}), (LIST + "/gent", {"source": SPEC}),
                       (LIST + "/gent/delete", {"confirm": "yes"})):
        assert staff.post(path, data={"csrf": "f" * 32, **data}).status_code == 403
    assert staff.get("/dashboards/gent").status_code == 200
