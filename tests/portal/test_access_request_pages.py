"""Issue 14, items 5 and 7 on the portal, the requester's side: the transparency page's button
leads to a request form; a visitor who is not signed in is asked to sign in; a signed-in
person asks (CSRF protected; bad input refused with a message, nothing typed lost) and sees
their requests with their status."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AccessRequest, AuditEvent
from belfort.platform import Platform
from belfort.policy import access_requests
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role
from belfort.policy.sessions import start_session
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of

FORM = "/toegangsaanvragen/nieuw/meldingen"
MINE = "/toegangsaanvragen"
RITA = Principal(role=Role.READ, name="Rita Reader", kind=Kind.PERSON, subject="rita")
GOOD = {"purpose": "dpv:ResearchAndDevelopment",
        "purpose_text": "Onderzoek naar de spreiding van meldingen per wijk.",
        "message": "Ik heb enkel telpunt en aantal nodig."}


@pytest.fixture
def listed(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "meldingen", csv, metadata={
        "title_nl": "Meldingen", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "namen van melders", "listed": True})
    ingest_file(platform, CLI_ADMIN, "verborgen", csv, metadata={
        "title_nl": "Verborgen", "classification": "confidential",
        "restriction_reason": "privacy", "classification_reason": "onderzoek"})
    return platform


def sign_in(client: TestClient, platform: Platform, person: Principal = RITA) -> None:
    with platform.db.session() as session:
        client.cookies.set(STAFF_COOKIE, start_session(session, person, 3600))


def _post(client: TestClient, path: str, **fields: str) -> object:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={"csrf": token, **fields}, follow_redirects=False)


def _stored(platform: Platform) -> list[AccessRequest]:
    with platform.db.session() as session:
        return list(session.scalars(select(AccessRequest)))


def test_the_transparency_button_leads_to_the_form(client: TestClient, listed: Platform) -> None:
    page = client.get("/transparantie").text
    assert f'href="{FORM}"' in page


def test_a_visitor_is_asked_to_sign_in_and_comes_back(client: TestClient,
                                                      listed: Platform) -> None:
    page = client.get(FORM)
    assert page.status_code == 200
    assert "Meldingen" in page.text and 'name="purpose_text"' not in page.text
    # no provider configured here: the page says so instead of a dead button
    assert "niet ingesteld" in page.text
    assert client.get(MINE).status_code == 200


def test_unlisted_and_absent_datasets_are_the_same_404(client: TestClient,
                                                       listed: Platform) -> None:
    sign_in(client, listed)
    hidden = client.get("/toegangsaanvragen/nieuw/verborgen")
    absent = client.get("/toegangsaanvragen/nieuw/bestaat-niet")
    assert hidden.status_code == absent.status_code == 404
    assert "Verborgen" not in hidden.text


def test_a_person_asks_and_sees_the_request(client: TestClient, listed: Platform) -> None:
    sign_in(client, listed)
    form = client.get(FORM)
    assert form.status_code == 200 and 'name="purpose_text"' in form.text
    assert 'value="dpv:ResearchAndDevelopment"' in form.text
    sent = _post(client, FORM, **GOOD)
    assert sent.status_code == 303, sent.text  # type: ignore[attr-defined]
    [row] = _stored(listed)
    assert row.dataset_id == "meldingen" and row.requester_party == "urn:belfort:person:rita"
    assert row.reason == GOOD["purpose_text"] + "\n\n" + GOOD["message"]
    mine = client.get(sent.headers["location"])  # type: ignore[attr-defined]
    assert mine.status_code == 200
    assert "verstuurd" in mine.text and 'data-status="pending"' in mine.text
    assert "In behandeling" in mine.text and "telpunt en aantal" in mine.text
    with listed.db.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "access_request.create" in actions
    again = _post(client, FORM, **GOOD)
    assert again.status_code == 409 and "openstaande aanvraag" in again.text  # type: ignore


def test_the_form_needs_its_csrf_token(client: TestClient, listed: Platform) -> None:
    sign_in(client, listed)
    client.get(FORM)
    r = client.post(FORM, data={"csrf": "0" * 32, **GOOD})
    assert r.status_code == 403
    assert _stored(listed) == []


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea id="areq-{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, name
    return htmllib.unescape(found.group(1))


@pytest.mark.parametrize(("fields", "field_id", "words"), [
    ({"purpose": ""}, "areq-purpose", "Kies een doel"),
    ({"purpose": "dpv:Verzonnen"}, "areq-purpose", "Kies een doel"),
    ({"purpose_text": ""}, "areq-purpose-text", "minstens 10"),
    ({"purpose_text": "x" * 1001}, "areq-purpose-text", "Hoogstens 1.000"),
    ({"purpose_text": "Onderzoek <script>alert(1)</script> per wijk"}, "areq-purpose-text",
     "HTML of scripts"),
    ({"purpose_text": "Onderzoek met een NUL\x00-teken erin"}, "areq-purpose-text",
     "stuurteken"),
    ({"message": "m" * 5000}, "areq-message", "Hoogstens 900"),
    ({"message": "<img src=x onerror=alert(1)>"}, "areq-message", "HTML of scripts"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_typed_is_lost(
        client: TestClient, listed: Platform, fields: dict[str, str], field_id: str,
        words: str) -> None:
    sign_in(client, listed)
    typed = {**GOOD, **fields}
    r = _post(client, FORM, **typed)
    assert r.status_code == 400  # type: ignore[attr-defined]
    page = r.text  # type: ignore[attr-defined]
    assert f'href="#{field_id}"' in page and words in htmllib.unescape(page)
    assert "<script>alert" not in page and "<img src=x" not in page
    # what was typed comes back (without the NUL; an oversized text up to a margin)
    assert _textarea(page, "purpose-text") == typed["purpose_text"].replace("\x00", "")[:4000]
    assert _textarea(page, "message") == typed["message"][:3600]
    if typed["purpose"] == GOOD["purpose"]:
        assert 'value="dpv:ResearchAndDevelopment" selected' in page
    assert _stored(listed) == []


def test_the_english_form(client: TestClient, listed: Platform) -> None:
    sign_in(client, listed)
    page = client.get(FORM, params={"lang": "en"}).text
    assert "Ask for access to Meldingen" in page and "The purpose in your own words" in page


def test_my_requests_show_the_decisions(client: TestClient, listed: Platform) -> None:
    """Approved: its constraints and expiry; refused: the reason; nobody else's requests."""
    sign_in(client, listed)
    _post(client, FORM, **GOOD)
    [row] = _stored(listed)
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    with listed.db.session() as session:
        access_requests.decide(session, CLI_ADMIN, row.id, approve=True, approval=(
            access_requests.Approval(expires_at=until, fields=("telpunt", "aantal"),
                                     min_group_size=5, requests_per_day=50)))
    page = client.get(MINE).text
    assert 'data-status="approved"' in page and "Goedgekeurd" in page
    assert "<code>aantal</code>" in page and "alleen samenvattingen" in page
    assert "Verzoeken per dag" in page and ">50<" in page and ">5<" in page
    assert "X-Belfort-Purpose" in page
    # another person sees none of it
    sign_in(client, listed, Principal(role=Role.READ, name="Iemand", kind=Kind.PERSON,
                                      subject="iemand"))
    assert "Meldingen" not in client.get(MINE).text and row.id not in client.get(MINE).text


def test_a_refusal_shows_its_reason_and_a_pending_one_can_be_withdrawn(
        client: TestClient, listed: Platform, tmp_path: Path) -> None:
    ingest_file(listed, CLI_ADMIN, "tweede", counts_csv(tmp_path, "b.csv"), metadata={
        "title_nl": "Tweede", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "x",
        "listed": True})
    sign_in(client, listed)
    _post(client, FORM, **GOOD)
    _post(client, "/toegangsaanvragen/nieuw/tweede", **GOOD)
    rows = {r.dataset_id: r.id for r in _stored(listed)}
    with listed.db.session() as session:
        access_requests.decide(session, CLI_ADMIN, rows["meldingen"], approve=False,
                               reason="Gebruik de open <wijkcijfers>.")
    page = client.get(MINE).text
    assert 'data-status="refused"' in page and "Gebruik de open &lt;wijkcijfers&gt;." in page
    token = csrf_of(page)
    r = client.post(f"{MINE}/{rows['tweede']}/intrekken", data={"csrf": token},
                    follow_redirects=True)
    assert r.status_code == 200 and 'data-status="withdrawn"' in r.text
    assert client.post(f"{MINE}/{rows['meldingen']}/intrekken",
                       data={"csrf": token}).status_code == 409  # decided already
