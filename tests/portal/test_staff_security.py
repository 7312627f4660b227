"""Staff sessions, cookies and page headers (issue 11, item 12): the cookie holds a session
token that sign-out ends, the CSRF token is bound to the session by the server's secret,
cookies are Secure behind a trusted TLS proxy, and no page can be framed."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import revoke_key
from belfort.portal.render import STAFF_COOKIE
from belfort.portal.staff import CSRF_COOKIE


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def sign_in(client: TestClient, key: str, **kwargs: object) -> str:
    token = csrf_of(client.get("/staff", **kwargs).text)  # type: ignore[arg-type]
    response = client.post(
        "/staff/sign-in", data={"csrf": token, "key": key}, follow_redirects=False, **kwargs
    )  # type: ignore[arg-type]
    assert response.status_code == 303, response.text[:300]
    return str(client.cookies.get(STAFF_COOKIE))


def is_staff(client: TestClient) -> bool:
    return 'type="password"' not in client.get("/staff").text


def test_the_cookie_is_a_session_not_the_key_and_sign_out_ends_it(
    client: TestClient, admin_key: str
) -> None:
    """The probe: the cookie held the admin key, so signing out only forgot it in this
    browser; whoever had copied the cookie stayed signed in."""
    cookie = sign_in(client, admin_key)
    assert cookie and admin_key not in cookie and is_staff(client)
    page = client.get("/staff")
    out = client.post("/staff/sign-out", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set(STAFF_COOKIE, cookie)  # the copied cookie, replayed
    assert not is_staff(client)


def test_a_session_ends_when_it_expires_or_its_key_is_revoked(
    platform: Platform, admin_key: str
) -> None:
    # four seconds: a sign-in and a page on a loaded machine (parallel tests) once took
    # longer than the one second this test used to allow
    platform.settings.staff_session_hours = 4 / 3600
    with TestClient(create_app(platform)) as client:
        started = time.monotonic()
        sign_in(client, admin_key)
        assert is_staff(client), f"signed out after {time.monotonic() - started:.1f} s"
        time.sleep(max(0.0, 4.2 - (time.monotonic() - started)))
        assert not is_staff(client)
    platform.settings.staff_session_hours = 8
    with TestClient(create_app(platform)) as client:
        sign_in(client, admin_key)
        with platform.db.session() as session:
            from belfort.policy.keys import list_keys

            revoke_key(session, list_keys(session)[0][0])
        assert not is_staff(client)


def test_sign_in_cookie_lifetime_follows_the_setting(platform: Platform, admin_key: str) -> None:
    platform.settings.staff_session_hours = 2
    with TestClient(create_app(platform)) as client:
        token = csrf_of(client.get("/staff").text)
        response = client.post(
            "/staff/sign-in", data={"csrf": token, "key": admin_key}, follow_redirects=False
        )
        assert "Max-Age=7200" in response.headers["set-cookie"]


def test_a_forged_csrf_pair_is_refused(client: TestClient, admin_key: str) -> None:
    """The probe: any value was accepted as long as cookie and form agreed, so a page that can
    set a cookie on a sibling subdomain could forge both."""
    client.cookies.set(CSRF_COOKIE, "a" * 32)
    forged = client.post(
        "/staff/sign-in", data={"csrf": "a" * 32, "key": admin_key}, follow_redirects=False
    )
    assert forged.status_code == 403
    client.cookies.clear()
    sign_in(client, admin_key)
    page = client.get("/staff")
    nonce = client.cookies.get(CSRF_COOKIE)
    assert nonce and csrf_of(page.text) != nonce  # the form's token is not the cookie's value
    forged = client.post(
        "/staff/uploads",
        data={"csrf": nonce, "dataset": "x"},
        files={"file": ("a.csv", b"a\n1\n", "text/csv")},
    )
    assert forged.status_code == 403


def test_a_csrf_token_is_bound_to_its_session(client: TestClient, admin_key: str) -> None:
    sign_in(client, admin_key)
    old_token = csrf_of(client.get("/staff").text)
    client.post("/staff/sign-out", data={"csrf": old_token}, follow_redirects=False)
    sign_in(client, admin_key)  # a new session: the old session's forms no longer post
    refused = client.post(
        "/staff/uploads",
        data={"csrf": old_token, "dataset": "x"},
        files={"file": ("a.csv", b"a\n1\n", "text/csv")},
    )
    assert refused.status_code == 403


HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def set_cookies(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/staff", headers=headers)
    return [v for k, v in response.headers.multi_items() if k == "set-cookie"]


def test_cookies_are_secure_behind_a_trusted_tls_proxy(platform: Platform) -> None:
    """The probe: behind a TLS-terminating proxy the request's scheme is http, so the cookie
    was never Secure. X-Forwarded-Proto counts only from a trusted proxy."""
    platform.settings.trusted_proxies = "testclient"  # the test client's address is the proxy
    with TestClient(create_app(platform)) as client:
        cookies = set_cookies(client, HTTPS_PROXY)
        assert cookies and all("Secure" in c for c in cookies)
        assert not any("Secure" in c for c in set_cookies(client, {}))  # plain http: not Secure


def test_an_untrusted_forwarded_proto_is_ignored(client: TestClient) -> None:
    assert not any("Secure" in c for c in set_cookies(client, HTTPS_PROXY))


def test_secure_cookies_can_be_forced(platform: Platform) -> None:
    platform.settings.secure_cookies = True
    with TestClient(create_app(platform)) as client:
        cookies = set_cookies(client, {})
        assert cookies and all("Secure" in c for c in cookies)


@pytest.mark.parametrize("path", ["/", "/staff", "/datasets", "/no-such-page", "/api", "/sparql"])
def test_html_pages_cannot_be_framed_and_have_a_csp(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html"), path
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "script-src 'self'" in csp
        and "unsafe-inline" not in csp
    )
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_map_tile_server_is_the_only_outside_source(platform: Platform) -> None:
    platform.settings.map_tile_url = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    with TestClient(create_app(platform)) as client:
        csp = client.get("/").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.org;" in csp


def test_the_language_cookie_follows_the_same_rule(platform: Platform) -> None:
    platform.settings.trusted_proxies = "testclient"
    with TestClient(create_app(platform)) as client:
        answer = client.get("/?lang=en", headers=HTTPS_PROXY)
        assert "Secure" in answer.headers["set-cookie"]
        assert "Secure" not in client.get("/?lang=en").headers["set-cookie"]
