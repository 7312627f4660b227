"""A real browser (Debian's Chromium) signs a person in on the staff pages through a real
local OpenID Connect provider: Belfort → provider (a cross-site page on ``localhost``) →
callback → /staff, with code + PKCE + state + nonce; nothing loads from the internet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from belfort.platform import Platform
from belfort.policy.principals import Kind, Role
from belfort.policy.sessions import principal_of_session
from belfort.portal.render import STAFF_COOKIE
from belfort.settings import Settings
from tests.helpers import live_server
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, mock_provider


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    with mock_provider() as found:
        found.set_user("alice", name="Alice Admin", roles=["belfort-admin"])
        found.set_user("rita", name="Rita Reader")
        yield found


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET, quota_per_address=0)


def _sign_in(chromium: Any, base: str, idp: MockProvider, sub: str) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context()
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
    page = context.new_page()
    page.goto(f"{base}/staff")
    page.click('a[href="/staff/sign-in/oidc"]')
    page.wait_for_url(f"{idp.issuer}/oauth2/authorize*")
    page.fill('input[name="sub"]', sub)
    page.click('button[type="submit"]:has-text("Authorize")')
    page.wait_for_url(f"{base}/staff")
    return context, page, outside


def test_a_browser_signs_an_admin_in_through_the_provider(chromium: Any, platform: Platform,
                                                          idp: MockProvider) -> None:
    with live_server(platform) as base:
        context, page, outside = _sign_in(chromium, base, idp, "alice")
        try:
            assert page.locator('form[action="/staff/uploads"]').count() == 1
            cookie = next(c for c in context.cookies() if c["name"] == STAFF_COOKIE)
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            with platform.db.session() as session:
                person = principal_of_session(session, cookie["value"])
            assert person is not None and person.kind == Kind.PERSON and person.role == Role.ADMIN
            page.click('form[action="/staff/sign-out"] button')
            page.wait_for_url(f"{base}/")
            with platform.db.session() as session:
                assert principal_of_session(session, cookie["value"]) is None
        finally:
            context.close()
    assert not [u for u in outside if u.startswith(base)], outside  # nothing from Belfort's pages


def test_a_browser_signs_a_reader_in(chromium: Any, platform: Platform, idp: MockProvider) -> None:
    with live_server(platform) as base:
        context, page, outside = _sign_in(chromium, base, idp, "rita")
        try:
            assert "Rita Reader" in page.inner_text("main")
            assert not [u for u in outside if u.startswith(base)], outside
            assert page.locator('form[action="/staff/uploads"]').count() == 0
        finally:
            context.close()
