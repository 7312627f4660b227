"""Staff sign-in through the OpenID Connect provider (belfort.portal.staff_oidc), over HTTP
against a real local provider: code + PKCE (S256) + state + nonce, a person's staff
session, a reader without a staff role, and every way the callback can be wrong."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import Kind, Role, StaffRole
from belfort.policy.sessions import principal_of_session
from belfort.portal.render import STAFF_COOKIE
from belfort.portal.staff_oidc import FLOW_COOKIE
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, mock_provider


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    with mock_provider() as found:
        found.set_user("alice", name="Alice Admin", roles=["belfort-admin", "belfort-steward"])
        found.set_user("rita", name="Rita <b>Reader</b>", groups=["burgers"])
        yield found


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET)


def _begin(client: TestClient) -> str:
    started = client.get("/staff/sign-in/oidc", follow_redirects=False)
    assert started.status_code == 303, started.text
    return started.headers["location"]


def _at_provider(authorize: str, sub: str) -> str:
    """What the person does at the provider: picks ``sub``; returns the callback URL."""
    answer = httpx.post(authorize, data={"sub": sub}, timeout=10, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == TEST_BASE
    return f"{parts.path}?{parts.query}"


def test_an_admin_person_signs_in_with_code_pkce_state_and_nonce(client: TestClient,
                                                                 platform: Platform) -> None:
    authorize = _begin(client)
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["response_type"] == ["code"] and asked["client_id"] == [CLIENT_ID]
    assert asked["code_challenge_method"] == ["S256"] and asked["redirect_uri"] == [
        f"{TEST_BASE}/staff/sign-in/callback"]
    assert len(asked["state"][0]) >= 20 and len(asked["nonce"][0]) >= 20
    flow_cookie = client.cookies[FLOW_COOKIE]
    payload = flow_cookie.split(".")[0]
    flow = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(flow["verifier"].encode()).digest())
    assert asked["code_challenge"] == [challenge.rstrip(b"=").decode()]
    assert flow["state"] == asked["state"][0] and flow["nonce"] == asked["nonce"][0]

    back = client.get(_path(_at_provider(authorize, "alice")))
    assert back.status_code == 200, back.text
    assert 'http-equiv="refresh"' in back.text and "Alice Admin" in back.text
    token = client.cookies[STAFF_COOKIE]
    with platform.db.session() as session:
        person = principal_of_session(session, token)
    assert person is not None and person.kind == Kind.PERSON and person.subject == "alice"
    assert person.role == Role.ADMIN and person.staff_roles == {StaffRole.STEWARD}
    staff = client.get("/staff")
    assert staff.status_code == 200 and 'action="/staff/uploads"' in staff.text
    # signing out ends the person's session too
    csrf = staff.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/staff/sign-out", data={"csrf": csrf}, follow_redirects=False)
    with platform.db.session() as session:
        assert principal_of_session(session, token) is None


def test_a_person_without_a_staff_role_is_a_reader(client: TestClient, platform: Platform) -> None:
    authorize = _begin(client)
    assert client.get(_path(_at_provider(authorize, "rita"))).status_code == 200
    with platform.db.session() as session:
        person = principal_of_session(session, client.cookies[STAFF_COOKIE])
    assert person is not None and person.role == Role.READ and person.groups == {"burgers"}
    page = client.get("/staff")
    assert page.status_code == 200 and "Rita &lt;b&gt;Reader&lt;/b&gt;" in page.text
    assert "<b>Reader</b>" not in page.text and 'action="/staff/uploads"' not in page.text
    assert client.post("/staff/uploads", data={"csrf": "x"}).status_code in (403, 404)


def test_the_admin_key_sign_in_stays(client: TestClient, admin_key: str) -> None:
    page = client.get("/staff")
    assert 'href="/staff/sign-in/oidc"' in page.text and 'name="key"' in page.text


def test_a_callback_that_does_not_match_the_sign_in_is_refused(client: TestClient,
                                                               idp: MockProvider) -> None:
    authorize = _begin(client)
    callback = _path(_at_provider(authorize, "alice"))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    wrong_state = client.get(f"/staff/sign-in/callback?code={code}&state=forged")
    assert wrong_state.status_code == 400 and STAFF_COOKIE not in client.cookies
    state = parse_qs(urlsplit(callback).query)["state"][0]
    refused = client.get(f"/staff/sign-in/callback?error=access_denied&state={state}")
    assert refused.status_code == 400
    # another browser (no flow cookie), or a tampered one
    other = TestClient(client.app)
    assert other.get(callback).status_code == 400
    cookie = client.cookies[FLOW_COOKIE]
    client.cookies.set(FLOW_COOKIE, cookie[:-4] + "AAAA", path="/staff/sign-in")
    assert client.get(callback).status_code == 400
    assert STAFF_COOKIE not in client.cookies


def test_a_replayed_code_or_a_foreign_nonce_is_refused(client: TestClient,
                                                       idp: MockProvider) -> None:
    authorize = _begin(client)
    callback = _path(_at_provider(authorize, "alice"))
    assert client.get(callback).status_code == 200
    client.cookies.delete(STAFF_COOKIE)
    _begin(client)  # a new sign-in in this browser …
    flow_state = parse_qs(urlsplit(_begin(client)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]  # … answered with the old code
    assert client.get(f"/staff/sign-in/callback?code={code}&state={flow_state}").status_code == 400
    # a code the provider issued for another nonce (an attacker's own sign-in)
    asked = parse_qs(urlsplit(_begin(client)).query)
    foreign = authorize.split("?")[0] + "?" + "&".join(
        f"{k}={v[0]}" for k, v in {**asked, "nonce": ["attackers-nonce"]}.items())
    answer = client.get(_path(_at_provider(foreign, "alice")))
    assert answer.status_code == 401 and STAFF_COOKIE not in client.cookies


@pytest.mark.parametrize("query", ["code=%00&state=%00", "code=" + "x" * 5000 + "&state=x",
                                   "code=<script>alert(1)</script>&state=<script>",
                                   "", "state=&code="])
def test_hostile_callbacks_are_a_clear_400(client: TestClient, query: str) -> None:
    _begin(client)
    answer = client.get(f"/staff/sign-in/callback?{query}")
    assert answer.status_code == 400, answer.text
    assert "<script>alert" not in answer.text


def test_without_a_provider_there_is_no_such_sign_in(tmp_path: Path, database_url: str) -> None:
    from belfort.app import create_app

    bare = Platform(Settings(data_dir=tmp_path / "bare", database_url=database_url,
                             public_url=TEST_BASE))
    try:
        with TestClient(create_app(bare)) as c:
            assert c.get("/staff/sign-in/oidc", follow_redirects=False).status_code == 404
            assert c.get("/staff/sign-in/callback?code=x&state=y").status_code == 404
            assert "/staff/sign-in/oidc" not in c.get("/staff").text
    finally:
        bare.close()
