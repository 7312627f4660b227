"""The staff page of a dataset's ODRL policies: staff only, CSRF protected; a policy is added,
edited and deleted as JSON-LD; a refused one comes back as typed with each problem's path in
the error summary; hostile input is refused or kept as text; every change is audited."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.policy import policies
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of

PAGE = "/staff/datasets/tellingen/policies"
CTX = "http://www.w3.org/ns/odrl.jsonld"
UID = "urn:belfort:policy:staff"


def source(**rule: Any) -> str:
    permission = {"target": "tellingen", "assignee": "urn:belfort:group:research",
                  "action": "aggregate", **rule}
    return json.dumps({"@context": CTX, "uid": UID, "permission": [permission]}, indent=2)


@pytest.fixture
def staff(client: TestClient, staff_token: str, platform: Platform, tmp_path: Path,
          ) -> TestClient:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen"})
    client.cookies.set("belfort_staff", staff_token)
    return client


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def _textarea(html: str) -> str:
    found = re.search(r'<textarea id="policy-source"[^>]*>(.*?)</textarea>', html, re.S)
    assert found
    return htmllib.unescape(found.group(1))


def test_the_public_gets_not_found(client: TestClient, platform: Platform,
                                   tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen"})
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, data={"csrf": "0" * 32, "source": source()}).status_code == 404


def test_add_edit_and_delete(staff: TestClient, platform: Platform) -> None:
    page = staff.get(PAGE)
    assert page.status_code == 200 and "nog geen beleidsregels" in page.text
    added = staff.post(PAGE, data={"csrf": csrf_of(page.text), "source": source(),
                                   "enabled": "yes"}, follow_redirects=False)
    assert added.status_code == 303, added.text
    shown = staff.get(added.headers["location"])
    assert UID in shown.text
    with platform.db.session() as session:
        assert policies.get_policy(session, UID).enabled
    edit = staff.get(PAGE, params={"edit": UID})
    assert json.loads(_textarea(edit.text))["uid"] == UID
    changed = staff.post(PAGE, data={"csrf": csrf_of(edit.text), "source": source(action="read")},
                         follow_redirects=False)
    assert changed.status_code == 303
    with platform.db.session() as session:
        stored = policies.get_policy(session, UID)
        assert not stored.enabled and "read" in stored.source
    refused = staff.post(PAGE + "/delete", data={"csrf": csrf_of(edit.text), "uid": UID})
    assert refused.status_code == 400
    deleted = staff.post(PAGE + "/delete", data={"csrf": csrf_of(edit.text), "uid": UID,
                                                 "confirm": "yes"}, follow_redirects=False)
    assert deleted.status_code == 303
    with platform.db.session() as session:
        assert policies.list_policies(session) == []
        audit = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                 if e.action.startswith("policy.")]
        actors = {e.actor for e in session.scalars(select(AuditEvent))
                  if e.action.startswith("policy.")}
    assert audit == ["policy.create", "policy.update", "policy.delete"]
    assert actors and all(a.startswith("key:") for a in actors)


@pytest.mark.parametrize("text, problem", [
    (source(constraint=[{"leftOperand": "purpose", "operator": "eq",
                         "rightOperand": "dpv:Nope"}]),
     "permission[0].constraint[0].rightOperand: unknown purpose"),
    (source(target="andere"), "niet over tellingen"),
    ("{not json", "not valid JSON"),
    ("<script>alert(1)</script>", "not valid JSON"),
    (source(assignee="<img src=x onerror=alert(1)>"), "permission[0].assignee"),
    (source(**{"dc:title": "x\u0000y"}), "control character"),
    (source(**{"dc:title": "x" * 1900}) + " " * 70_000, "bytes"),
])
def test_refused_policies_come_back_as_typed(staff: TestClient, text: str,
                                             problem: str) -> None:
    page = staff.get(PAGE)
    answer = staff.post(PAGE, data={"csrf": csrf_of(page.text), "source": text})
    assert answer.status_code == 400
    assert problem in _summary(answer.text)
    assert "<script>alert(1)</script>" not in answer.text
    assert "<img src=x" not in answer.text
    if len(text) < 10_000:
        assert _textarea(answer.text) == text.replace("\x00", "")


def test_a_form_without_its_csrf_token_is_refused(staff: TestClient,
                                                  platform: Platform) -> None:
    staff.get(PAGE)
    for path, data in ((PAGE, {"source": source()}),
                       (PAGE + "/delete", {"uid": UID, "confirm": "yes"})):
        assert staff.post(path, data={"csrf": "f" * 32, **data}).status_code == 403
    with platform.db.session() as session:
        assert policies.list_policies(session) == []


def test_unknown_dataset_and_foreign_policy(staff: TestClient) -> None:
    assert staff.get("/staff/datasets/nope/policies").status_code == 404
    assert staff.get("/staff/datasets/%3Cx%3E/policies").status_code == 404
    page = staff.get(PAGE)
    answer = staff.post(PAGE + "/delete", data={"csrf": csrf_of(page.text),
                                                "uid": "urn:belfort:policy:none",
                                                "confirm": "yes"})
    assert answer.status_code == 404


def test_the_dataset_staff_page_links_to_its_policies(staff: TestClient) -> None:
    page = staff.get("/staff/datasets/tellingen")
    assert page.status_code == 200
    assert 'href="/staff/datasets/tellingen/policies"' in page.text
