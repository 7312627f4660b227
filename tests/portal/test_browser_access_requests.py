"""Issue 14, item 5 end to end in a real browser (Debian's Chromium) against a real local
OpenID Connect provider: a person who is no member of staff finds a dataset on the
transparency page, signs in at the provider, asks for access; a steward of the dataset's
organisation signs in and approves with constraints; the person can now read the dataset
through the API — only the granted fields, only for the stated purpose — and could not
before. The pages are axe-clean and work at 390 px; nothing loads from the internet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import add_organisations, counts_csv, live_server
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, mock_provider
from tests.portal.conftest import PHONE, assert_no_axe_violations

ORGANISATION = "Mobiliteitsbedrijf Gent"
RECORDS = "/api/explore/v2.1/catalog/datasets/meldingen/records"
PURPOSE = "dpv:ResearchAndDevelopment"


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    with mock_provider() as found:
        found.set_user("rita", name="Rita Onderzoeker")  # no role at all: a member of the public
        found.set_user("sam", name="Sam Steward", roles=["belfort-steward"],
                       organisation="mobiliteitsbedrijf-gent")
        yield found


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET, quota_per_address=0, quota_per_key=0)


@pytest.fixture
def listed(platform: Platform, tmp_path: Path) -> Platform:
    add_organisations(platform, ORGANISATION)
    ingest_file(platform, CLI_ADMIN, "meldingen", counts_csv(tmp_path), metadata={
        "title_nl": "Meldingen openbaar domein", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "namen van melders", "listed": True,
        "organisation": ORGANISATION})
    return platform


def _context(chromium: Any, base: str, idp: MockProvider, **options: Any) -> tuple[Any, list[str]]:
    context = chromium.new_context(**options)
    context.set_default_timeout(15_000)
    outside: list[str] = []
    allowed = {base, idp.issuer}

    def route(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if f"{parts.scheme}://{parts.netloc}" in allowed:
            route.continue_()
        else:  # the mock provider's own page asks a CDN for its style sheet; Belfort never may
            outside.append(f"{route.request.frame.url} -> {route.request.url}")
            route.abort("blockedbyclient")

    context.route("**/*", route)
    return context, outside


def _at_provider(page: Any, idp: MockProvider, sub: str) -> None:
    page.wait_for_url(f"{idp.issuer}/oauth2/authorize*")
    page.fill('input[name="sub"]', sub)
    page.click('button[type="submit"]:has-text("Authorize")')


def _read(base: str, token: str, purpose: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if purpose:
        headers["X-Belfort-Purpose"] = purpose
    return httpx.get(base + RECORDS, headers=headers, timeout=15)


def test_a_person_asks_a_steward_approves_and_the_person_reads(
        chromium: Any, listed: Platform, idp: MockProvider) -> None:
    rita_token = idp.id_token("rita")
    with live_server(listed) as base:
        before = _read(base, rita_token, PURPOSE)
        assert before.status_code == 404, before.text  # nothing granted yet

        # the person, on a phone: transparency page → form → sign in → back → ask
        person, outside = _context(chromium, base, idp, viewport=PHONE)
        try:
            page = person.new_page()
            page.goto(f"{base}/transparantie")
            # counts per reason (issue 17, item 6) above the list: accessible, no sideways scroll
            assert "in voorbereiding" in page.inner_text("#per-reason + p + .table-scroll")
            assert_no_axe_violations(page, "transparency page, on a phone")
            counts = page.locator("#per-reason + p + .table-scroll table").bounding_box()
            assert counts is not None and counts["x"] + counts["width"] <= PHONE["width"]
            page.click('a[href="/toegangsaanvragen/nieuw/meldingen"]')
            page.wait_for_url(f"{base}/toegangsaanvragen/nieuw/meldingen")
            assert_no_axe_violations(page, "request form, signed out")
            page.click('a[href^="/staff/sign-in/oidc?next="]')
            _at_provider(page, idp, "rita")
            page.wait_for_url(f"{base}/toegangsaanvragen/nieuw/meldingen")
            page.wait_for_selector("#areq-purpose-text")
            assert "Rita Onderzoeker" in page.inner_text("main")
            assert_no_axe_violations(page, "request form, signed in")
            # a mistake first: the message says what to correct, nothing typed is lost
            page.select_option("#areq-purpose", PURPOSE)
            page.fill("#areq-purpose-text", "kort")
            page.fill("#areq-message", "Telpunt en aantal volstaan.")
            page.click('form[action="/toegangsaanvragen/nieuw/meldingen"] button[type="submit"]')
            page.wait_for_selector(".error-summary")
            assert page.input_value("#areq-message") == "Telpunt en aantal volstaan."
            assert page.input_value("#areq-purpose") == PURPOSE
            assert_no_axe_violations(page, "request form with an error")
            page.fill("#areq-purpose-text", "Onderzoek naar meldingen per wijk voor een thesis.")
            page.click('form[action="/toegangsaanvragen/nieuw/meldingen"] button[type="submit"]')
            page.wait_for_url(f"{base}/toegangsaanvragen?sent=*")
            assert page.locator('[data-status="pending"]').count() == 1
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"my requests scroll sideways at 390 px: {width}"
            assert_no_axe_violations(page, "my requests")
        finally:
            person.close()

        # the steward of the dataset's organisation signs in and approves, with constraints
        steward, outside_staff = _context(chromium, base, idp)
        try:
            page = steward.new_page()
            page.goto(f"{base}/staff")
            page.click('a[href="/staff/sign-in/oidc"]')
            _at_provider(page, idp, "sam")
            page.wait_for_url(f"{base}/staff")
            page.click('a[href="/staff/access-requests"]')
            page.wait_for_url(f"{base}/staff/access-requests")
            assert_no_axe_violations(page, "stewards' list")
            page.click("text=Meldingen openbaar domein")
            page.wait_for_selector("#areq-expires")
            assert_no_axe_violations(page, "one request")
            for held_back in ("tijdstip", "bezettingsgraad", "open"):
                page.uncheck(f'input[name="fields"][value="{held_back}"]')
            page.fill("#areq-note", "Tot het einde van de thesis.")
            page.click("form[action$='/approve'] button[type='submit']")
            page.wait_for_url(f"{base}/staff/access-requests?decided=*")
            assert page.locator('[data-status="approved"]').count() == 1
        finally:
            steward.close()

        # the person sees the approval with its constraints and expiry …
        person, outside_again = _context(chromium, base, idp, viewport=PHONE)
        try:
            page = person.new_page()
            page.goto(f"{base}/toegangsaanvragen")
            page.click('a[href^="/staff/sign-in/oidc?next="]')
            _at_provider(page, idp, "rita")
            page.wait_for_url(f"{base}/toegangsaanvragen")
            page.wait_for_selector('[data-status="approved"]')
            shown = page.inner_text("main")
            assert "Tot het einde van de thesis." in shown
            assert page.inner_text("dd.areq-granted-fields") == "telpunt, aantal"
            assert_no_axe_violations(page, "my requests, approved")
        finally:
            person.close()

        # … and reads the granted fields through the API, for the stated purpose only
        after = _read(base, rita_token, PURPOSE)
        assert after.status_code == 200, after.text
        rows = after.json()["results"]
        assert rows and all(set(r) == {"telpunt", "aantal"} for r in rows)
        assert _read(base, rita_token, None).status_code == 404
        assert _read(base, rita_token, "dpv:Marketing").status_code == 404
        assert _read(base, idp.id_token("sam"), PURPOSE).status_code == 404  # nobody else

    for blocked in (outside, outside_staff, outside_again):
        assert not [u for u in blocked if u.startswith(base)], blocked
