"""Signing in through the provider from a page that is not /staff (issue 14, item 5: the
access-request form): ``/staff/sign-in/oidc?next=…`` continues there afterwards — only to the
staff pages and the access-request pages, never to another site or a scheme of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.portal.staff_oidc import next_page
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, mock_provider
from tests.portal.test_staff_oidc import _at_provider, _path


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    with mock_provider() as found:
        found.set_user("rita", name="Rita Reader")
        yield found


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET)


def _continues_to(client: TestClient, next_value: str | None) -> str:
    params = {"next": next_value} if next_value is not None else {}
    started = client.get("/staff/sign-in/oidc", params=params, follow_redirects=False)
    assert started.status_code == 303
    page = client.get(_path(_at_provider(started.headers["location"], "rita")))
    assert page.status_code == 200, page.text
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]*)"', page.text)
    assert found
    return found.group(1)


def test_a_sign_in_continues_to_the_access_request_form(client: TestClient) -> None:
    assert _continues_to(client, "/toegangsaanvragen/nieuw/meldingen") == (
        "/toegangsaanvragen/nieuw/meldingen")
    assert _continues_to(client, None) == "/staff"


@pytest.mark.parametrize("hostile", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "/toegangsaanvragen/../../evil", "/datasets?x=1", "/toegangsaanvragen\x00x",
    "/toegangsaanvragen/" + "a" * 400, '/staff" onload="alert(1)',
])
def test_anywhere_else_continues_to_staff(hostile: str) -> None:
    assert next_page(hostile) == "/staff"


def test_a_hostile_next_never_reaches_the_page(client: TestClient) -> None:
    assert _continues_to(client, "https://evil.example/") == "/staff"
