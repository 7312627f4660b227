"""No secret in logs or error bodies: API keys (in headers and ``?apikey=``), OpenID Connect
tokens (good and forged), staff session cookies and the admin key typed into the sign-in
form, with every logger at DEBUG. (tests/secret_log_check.py checks the whole run's logs.)"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.helpers import counts_csv, staff_session
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, forged, mock_provider
from tests.secret_log_check import SECRET, SecretCollector

CLIENT_LOGGERS = ("httpx", "httpcore", "urllib3")  # the test's own client logs what it sent


@pytest.fixture(scope="module")
def idp() -> Iterator[MockProvider]:
    with mock_provider() as found:
        found.set_user("alice", roles=["belfort-admin"])
        yield found


@pytest.fixture
def settings(tmp_path: Path, database_url: str, idp: MockProvider) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID,
                    oidc_client_secret=CLIENT_SECRET)


def test_no_secret_in_logs_or_bodies(client: TestClient, platform: Platform, idp: MockProvider,
                                     admin_key: str, tmp_path: Path,
                                     caplog: pytest.LogCaptureFixture) -> None:
    ingest_file(platform, CLI_ADMIN, "open-data", counts_csv(tmp_path),
                metadata={"title_nl": "Open"})
    with platform.db.session() as session:
        reader = create_key(session, "lezer", Role.READ, expires_in_days=1).secret
        revoked = create_key(session, "weg", Role.ADMIN)
    with platform.db.session() as session:
        from belfort.policy.keys import revoke_key

        revoke_key(session, revoked.id)
    session_token = staff_session(platform, admin_key)
    good_token = idp.id_token("alice")
    bad_token = forged(idp.issuer, roles=["belfort-admin"])
    unknown_key = "bfk_" + "Z" * 43
    secrets = {"admin key": admin_key, "reader key": reader, "revoked key": revoked.secret,
               "unknown key": unknown_key, "good token": good_token, "forged token": bad_token,
               "session": session_token, "client secret": CLIENT_SECRET}
    paths = ["/api/belfort/v1/datasets", "/api/belfort/v1/audit",
             "/api/explore/v2.1/catalog/datasets/open-data/records?where=(((",
             "/api/records/1.0/search/?dataset=nope", "/staff"]
    caplog.set_level(logging.DEBUG)
    answers = []
    for secret in (admin_key, reader, revoked.secret, unknown_key, good_token, bad_token):
        for path in paths:
            answers.append(client.get(path, headers={"Authorization": f"Bearer {secret}"}))
            answers.append(client.get(path, headers={"X-API-Key": secret}))
            joiner = "&" if "?" in path else "?"
            answers.append(client.get(f"{path}{joiner}apikey={secret}"))
        # two different credentials at once: refused, without quoting either
        answers.append(client.get(paths[0], headers={"X-API-Key": secret},
                                  params={"apikey": unknown_key + "x"}))
    for cookie in (session_token, session_token[:-3] + "xyz"):
        client.cookies.set(STAFF_COOKIE, cookie)
        answers += [client.get("/staff"), client.get("/api/belfort/v1/audit"),
                    client.post("/staff/sign-in", data={"key": admin_key, "csrf": "forged"})]
        client.cookies.delete(STAFF_COOKIE)
    page = client.get("/staff")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    for key in (unknown_key, revoked.secret, admin_key):
        answers.append(client.post("/staff/sign-in", data={"key": key, "csrf": csrf},
                                   follow_redirects=False))
    answers.append(client.get(f"/staff/sign-in/callback?code={good_token}&state={bad_token}"))
    assert {a.status_code for a in answers} >= {200, 400, 401, 403}
    assert all(a.status_code < 500 for a in answers)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_info[1] if r.exc_info else ''}"
                       for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS))
    assert caplog.records, "nothing was logged at DEBUG: the check would be empty"
    for what, secret in secrets.items():
        assert secret not in logged, f"the {what} appears in the logs"
        for answer in answers:
            headers = {k: v for k, v in answer.headers.items() if k.lower() != "set-cookie"}
            assert secret not in answer.text, (what, answer.request.url.path, answer.text[:300])
            assert secret not in str(headers), (what, answer.request.url.path)
    assert not SECRET.search(logged)


def test_the_run_wide_check_finds_a_logged_secret() -> None:
    collector = SecretCollector()
    logger = logging.getLogger("belfort.test-secret-check")
    logger.addHandler(collector)
    logger.propagate = False
    try:
        logger.warning("refused key %s", "bfk_" + "a" * 43)
        logger.warning("token %s", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9." + "s" * 40)
        logger.warning("a short bfk_wrong is no secret")
        logging.getLogger("httpx").addHandler(collector)
        logging.getLogger("httpx").warning("GET /?apikey=%s", "bfk_" + "b" * 43)
    finally:
        logger.removeHandler(collector)
        logging.getLogger("httpx").removeHandler(collector)
        logger.propagate = True
    assert len(collector.findings) == 2 and "bfk_aaaaaaaa" in collector.findings[0]
    assert "aaaaaaaaaaaaaaaaaaaa" not in "".join(collector.findings)  # names it, never prints it
