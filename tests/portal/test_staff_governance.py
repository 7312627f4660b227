"""The governance staff pages: the worklist and a dataset's roles form with the "metadata
reviewed" button (staff only, CSRF protected, a refused role named next to its field), and
"Wie is verantwoordelijk?" on the dataset page (no private e-mail for the public)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.governance import roles
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv
from tests.portal.test_staff import csrf_of

PAGE = "/staff/governance/datasets/tellingen"


@pytest.fixture
def mobiliteit(platform: Platform, tmp_path: Path) -> Platform:
    add_organisations(platform, "Mobiliteitsbedrijf")
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "organisation": "Mobiliteitsbedrijf"})
    with platform.db.session() as session:
        roles.set_role(session, "admin", "organisation", "mobiliteitsbedrijf", "owner",
                       {"name": "Dienst Mobiliteit", "email": "geheim@stad.gent"})
    return platform


def test_roles_and_review_through_the_staff_pages(client: TestClient, mobiliteit: Platform,
                                                  staff_token: str) -> None:
    # the public: the owner's name, not the private e-mail; no staff pages
    public = client.get("/datasets/tellingen?lang=nl").text
    assert "Wie is verantwoordelijk?" in public and "Dienst Mobiliteit" in public
    assert "geheim@stad.gent" not in public
    assert client.get("/staff/governance").status_code == 404
    assert client.get(PAGE).status_code == 404
    client.cookies.set("belfort_staff", staff_token)
    work = client.get("/staff/governance?lang=en")
    assert work.status_code == 200 and "The data steward&#39;s worklist" in work.text
    page = client.get(PAGE).text
    assert "Dienst Mobiliteit" in page
    # a steward for this dataset with a public e-mail
    r = client.post(PAGE + "/roles/steward", data={
        "csrf": csrf_of(page), "name": "An Peeters", "email": "an@stad.gent",
        "email_public": "on"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    # a hostile name: refused, named next to its field, the typed text kept
    page = client.get(PAGE).text
    r = client.post(PAGE + "/roles/custodian", data={
        "csrf": csrf_of(page), "name": "Eve\r\nBcc: all@example.org", "email": ""})
    assert r.status_code == 400
    assert 'id="gov-custodian-name-error"' in r.text
    assert 'aria-invalid="true"' in r.text
    r = client.post(PAGE + "/roles/custodian", data={"csrf": "f" * 32, "name": "x"})
    assert r.status_code == 403  # no CSRF token, no change
    r = client.post(PAGE + "/roles/boss", data={"csrf": csrf_of(page), "name": "x"})
    assert r.status_code == 422
    # the review button
    r = client.post(PAGE + "/review", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Metadata last reviewed on" in client.get(PAGE + "?lang=en").text
    client.cookies.clear()
    shown = client.get("/datasets/tellingen?lang=en").text
    assert "An Peeters" in shown and "an@stad.gent" in shown  # public e-mail
    assert "geheim@stad.gent" not in shown and "Metadata last reviewed on" in shown
