"""Issue 14, item 5 on the staff pages: stewards (and admins) see the pending requests of
their organisation's datasets, approve with constraints (an ODRL Agreement with an expiry)
or refuse with a reason; both sides see the result; every decision is in the audit trail."""

from __future__ import annotations

import datetime as dt
import html as htmllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AccessRequest, AuditEvent
from belfort.platform import Platform
from belfort.policy import access_requests
from belfort.policy.access import Action
from belfort.policy.evaluate import evaluate
from belfort.policy.policies import policies_for
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role, StaffRole
from belfort.portal.staff_access_requests import GHENT
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv
from tests.portal.test_access_request_pages import RITA, sign_in
from tests.portal.test_staff import csrf_of

LIST = "/staff/access-requests"
MOBILITEIT = "Mobiliteitsbedrijf Gent"
STEWARD = Principal(role=Role.READ, name="Sam Steward", kind=Kind.PERSON, subject="sam",
                    organisation="mobiliteitsbedrijf-gent",
                    staff_roles=frozenset({StaffRole.STEWARD}))
OTHER_STEWARD = Principal(role=Role.READ, name="Olga", kind=Kind.PERSON, subject="olga",
                          organisation="Stad Gent", staff_roles=frozenset({StaffRole.STEWARD}))


@pytest.fixture
def asked(platform: Platform, tmp_path: Path) -> dict[str, str]:
    """Two listed datasets of two organisations, and Rita's request for each."""
    add_organisations(platform, MOBILITEIT, "Stad Gent")
    for dataset_id, organisation in (("meldingen", MOBILITEIT), ("wijken", "Stad Gent")):
        ingest_file(platform, CLI_ADMIN, dataset_id, counts_csv(tmp_path, f"{dataset_id}.csv"),
                    metadata={"title_nl": dataset_id.title(), "classification": "confidential",
                              "restriction_reason": "privacy",
                              "classification_reason": "persoonsgegevens", "listed": True,
                              "organisation": organisation})
    found = {}
    with platform.db.session() as session:
        for dataset_id in ("meldingen", "wijken"):
            found[dataset_id] = access_requests.request_access(
                session, RITA, dataset_id, "dpv:ResearchAndDevelopment",
                "Onderzoek naar de spreiding per wijk.").id
    return found


def _row(platform: Platform, request_id: str) -> AccessRequest:
    with platform.db.session() as session:
        row = session.get(AccessRequest, request_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_public_and_readers_get_not_found(client: TestClient, platform: Platform,
                                              asked: dict[str, str]) -> None:
    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}/{asked['meldingen']}").status_code == 404
    sign_in(client, platform, RITA)
    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}/{asked['meldingen']}").status_code == 404


def test_a_steward_sees_the_requests_of_their_organisation_only(
        client: TestClient, platform: Platform, asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    page = client.get(LIST)
    assert page.status_code == 200
    assert f"{LIST}/{asked['meldingen']}" in page.text
    assert f"{LIST}/{asked['wijken']}" not in page.text
    assert client.get(f"{LIST}/{asked['wijken']}").status_code == 404
    form = client.get(f"{LIST}/{asked['wijken']}")
    assert form.status_code == 404
    # the API answers the same for this steward
    with platform.db.session() as session:
        seen = access_requests.list_requests(session, STEWARD)
    assert [r.dataset_id for r in seen] == ["meldingen"]


def _approve_form(client: TestClient, request_id: str, **changes: Any) -> Any:
    page = client.get(f"{LIST}/{request_id}")
    assert page.status_code == 200, page.text
    data: dict[str, Any] = {"csrf": csrf_of(page.text), "mode": "read",
                            "fields": ["telpunt", "aantal"], "row_filter": "",
                            "threshold": "10", "per_day": "",
                            "expires": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
                            "note": ""}
    data.update(changes)
    return client.post(f"{LIST}/{request_id}/approve", data=data, follow_redirects=False)


def test_the_form_has_sensible_defaults(client: TestClient, platform: Platform,
                                        asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    page = client.get(f"{LIST}/{asked['meldingen']}").text
    assert 'name="mode" value="read" checked' in page
    assert 'name="export" value="yes">' in page  # export off by default
    assert 'name="threshold" inputmode="numeric" value="10"' in page
    # the city's date (Brussels), not the machine's: they differ around midnight
    default = (dt.datetime.now(GHENT).date() + dt.timedelta(days=90)).isoformat()
    assert f'value="{default}"' in page
    for f in ("telpunt", "tijdstip", "aantal"):  # every field, as nothing narrower was asked
        assert f'name="fields" value="{f}" checked' in page


def test_a_steward_approves_with_constraints_and_both_sides_see_it(
        client: TestClient, platform: Platform, asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    r = _approve_form(client, asked["meldingen"], mode="aggregate", threshold="3",
                      row_filter='telpunt = "Korenmarkt"', per_day="40",
                      note="Tot het einde van het project.")
    assert r.status_code == 303, r.text
    row = _row(platform, asked["meldingen"])
    assert row.status == "approved" and row.decided_by == "person:sam"
    assert row.expires_at is not None and row.expires_at.date() == (
        dt.date.today() + dt.timedelta(days=60))
    with platform.db.session() as session:
        stored = policies_for(session, "meldingen", RITA.parties)
        actions = [(e.action, e.actor) for e in session.scalars(select(AuditEvent))]
    assert ("access_request.approved", "person:sam") in actions
    grant = evaluate(stored, RITA, Action.AGGREGATE,
                     purpose="dpv:ResearchAndDevelopment", counter=lambda *_: 0)
    assert grant is not None and grant.min_group_size == 3
    assert grant.fields == frozenset({"telpunt", "aantal"})
    assert grant.row_filter is not None and "Korenmarkt" in str(grant.row_filter)
    assert not grant.allows(Action.EXPORT)
    listing = client.get(r.headers["location"]).text
    assert "in het auditspoor" in listing and 'data-status="approved"' in listing
    detail = client.get(f"{LIST}/{asked['meldingen']}").text
    assert "Tot het einde van het project." in detail
    assert f'action="{LIST}/{asked["meldingen"]}/approve"' not in detail  # decided once
    sign_in(client, platform, RITA)
    mine = client.get("/toegangsaanvragen").text
    assert 'data-status="approved"' in mine and "Tot het einde van het project." in mine
    assert "Korenmarkt" in mine and ">40<" in mine


def test_another_organisations_steward_cannot_decide(
        client: TestClient, platform: Platform, asked: dict[str, str]) -> None:
    sign_in(client, platform, OTHER_STEWARD)
    page = client.get(f"{LIST}/{asked['wijken']}")
    assert page.status_code == 200
    token = csrf_of(page.text)
    r = client.post(f"{LIST}/{asked['meldingen']}/refuse", data={"csrf": token,
                                                                  "reason": "nee"})
    assert r.status_code == 404
    assert _row(platform, asked["meldingen"]).status == "pending"


def test_a_steward_refuses_with_a_reason(client: TestClient, platform: Platform,
                                         asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    page = client.get(f"{LIST}/{asked['meldingen']}")
    token = csrf_of(page.text)
    empty = client.post(f"{LIST}/{asked['meldingen']}/refuse",
                        data={"csrf": token, "reason": "  "})
    assert empty.status_code == 400 and 'href="#areq-refusal"' in empty.text
    r = client.post(f"{LIST}/{asked['meldingen']}/refuse", follow_redirects=False,
                    data={"csrf": token, "reason": "Gebruik de open wijkcijfers."})
    assert r.status_code == 303
    row = _row(platform, asked["meldingen"])
    assert row.status == "refused" and row.decision_reason == "Gebruik de open wijkcijfers."
    with platform.db.session() as session:
        events = [(e.action, e.actor) for e in session.scalars(select(AuditEvent))]
    assert ("access_request.refused", "person:sam") in events
    again = client.post(f"{LIST}/{asked['meldingen']}/refuse",
                        data={"csrf": token, "reason": "Nog eens."})
    assert again.status_code == 409


def test_decisions_need_the_csrf_token(client: TestClient, platform: Platform,
                                       asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    client.get(LIST)
    r = client.post(f"{LIST}/{asked['meldingen']}/refuse",
                    data={"csrf": "0" * 32, "reason": "Gebruik de open wijkcijfers."})
    assert r.status_code == 403
    assert _row(platform, asked["meldingen"]).status == "pending"


@pytest.mark.parametrize(("changes", "field_id"), [
    ({"fields": []}, "areq-fields"),
    ({"fields": ["bestaat_niet"]}, "areq-fields"),
    ({"mode": "aggregate", "threshold": "1"}, "areq-threshold"),
    ({"mode": "aggregate", "threshold": "tien"}, "areq-threshold"),
    ({"per_day": "-3"}, "areq-per-day"),
    ({"expires": "morgen"}, "areq-expires"),
    ({"expires": "2020-01-01"}, "areq-expires"),
    ({"expires": "2099-01-01"}, "areq-expires"),
    ({"expires": "2027-01-01\x00"}, "areq-expires"),
    ({"row_filter": "aantal >>> 3"}, "areq-row-filter"),
    ({"row_filter": "<script>alert(1)</script>"}, "areq-row-filter"),
    ({"row_filter": "x" * 5000}, "areq-row-filter"),
    ({"note": "nul\x00teken"}, "areq-note"),
])
def test_a_bad_approval_changes_nothing_and_keeps_what_was_typed(
        client: TestClient, platform: Platform, asked: dict[str, str],
        changes: dict[str, Any], field_id: str) -> None:
    sign_in(client, platform, STEWARD)
    r = _approve_form(client, asked["meldingen"], **{"per_day": "7", **changes})
    assert r.status_code == 400, r.text
    assert f'href="#{field_id}"' in r.text
    assert "<script>alert" not in r.text
    if "per_day" not in changes:
        assert 'name="per_day" inputmode="numeric" value="7"' in r.text
    row = _row(platform, asked["meldingen"])
    assert row.status == "pending" and row.policy_uid is None
    with platform.db.session() as session:
        assert policies_for(session, "meldingen", RITA.parties) == []


def test_the_english_staff_pages(client: TestClient, platform: Platform,
                                 asked: dict[str, str]) -> None:
    sign_in(client, platform, STEWARD)
    assert "Access requests" in client.get(LIST, params={"lang": "en"}).text
    page = htmllib.unescape(client.get(f"{LIST}/{asked['meldingen']}",
                                       params={"lang": "en"}).text)
    assert "Approve, with conditions" in page and "Reason for refusal" in page


@pytest.mark.parametrize("reason", ["", "nul\x00teken in de reden", "<script>alert(1)</script>",
                                    "r" * 5000])
def test_a_bad_refusal_changes_nothing_and_keeps_what_was_typed(
        client: TestClient, platform: Platform, asked: dict[str, str], reason: str) -> None:
    sign_in(client, platform, STEWARD)
    token = csrf_of(client.get(f"{LIST}/{asked['meldingen']}").text)
    r = client.post(f"{LIST}/{asked['meldingen']}/refuse", data={"csrf": token,
                                                                  "reason": reason})
    assert r.status_code == 400 and 'href="#areq-refusal"' in r.text
    assert "<script>alert" not in r.text
    kept = r.text.split('id="areq-refusal"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert htmllib.unescape(kept) == reason.replace("\x00", "")[:4000]
    assert _row(platform, asked["meldingen"]).status == "pending"
