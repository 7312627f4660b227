"""Scoped, expiring API keys (belfort.policy.keys): role read/write/admin, an organisation,
an expiry; an expired or revoked key is refused (401) and ends its staff sessions; the
``belfort keys create`` options and their bad input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import update

from belfort.catalog.models import ApiKey, utcnow
from belfort.cli import main
from belfort.errors import InvalidRequest, Unauthorized
from belfort.platform import Platform
from belfort.policy.keys import authenticate, create_key, revoke_key
from belfort.policy.principals import Kind, Role
from belfort.policy.sessions import principal_of_session, start_session
from belfort.portal.render import STAFF_COOKIE


def test_a_scoped_key_carries_its_role_and_organisation(platform: Platform) -> None:
    with platform.db.session() as session:
        created = create_key(session, "De Lijn app", Role.WRITE, organisation="de-lijn",
                             expires_in_days=30)
    with platform.db.session() as session:
        principal = authenticate(session, created.secret)
        stored = session.get(ApiKey, created.id)
    assert principal is not None and principal.role == Role.WRITE and principal.kind == Kind.KEY
    assert principal.organisation == "de-lijn" and not principal.is_admin
    assert stored is not None and stored.expires_at is not None
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)


def test_admin_keys_work_as_before(platform: Platform) -> None:
    with platform.db.session() as session:
        created = create_key(session, "beheer")
    with platform.db.session() as session:
        principal = authenticate(session, created.secret)
        assert principal is not None and principal.is_admin and principal.organisation is None
        assert session.get(ApiKey, created.id).expires_at is None  # type: ignore[union-attr]


def _expire(platform: Platform, key_id: str) -> None:
    with platform.db.session() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id)
                        .values(expires_at=utcnow() - timedelta(seconds=1)))


def test_an_expired_key_is_refused_and_its_sessions_end(platform: Platform,
                                                        client: TestClient) -> None:
    with platform.db.session() as session:
        created = create_key(session, "kort", Role.ADMIN, expires_in_days=1)
    with platform.db.session() as session:
        principal = authenticate(session, created.secret)
        assert principal is not None
        token = start_session(session, principal, 3600)
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/api/belfort/v1/audit", headers=headers).status_code == 200
    _expire(platform, created.id)
    answer = client.get("/api/belfort/v1/audit", headers=headers)
    assert answer.status_code == 401 and "expired" in answer.json()["message"]
    assert created.secret not in answer.text
    with platform.db.session() as session, pytest.raises(Unauthorized):
        authenticate(session, created.secret)
    with platform.db.session() as session:
        assert principal_of_session(session, token) is None
    client.cookies.set(STAFF_COOKIE, token)
    assert 'name="key"' in client.get("/staff").text  # the sign-in form again


def test_revoking_a_key_ends_its_staff_sessions(platform: Platform) -> None:
    with platform.db.session() as session:
        created = create_key(session, "tijdelijk")
    with platform.db.session() as session:
        principal = authenticate(session, created.secret)
        assert principal is not None
        token = start_session(session, principal, 3600)
    with platform.db.session() as session:
        revoke_key(session, created.id)
    with platform.db.session() as session:
        assert principal_of_session(session, token) is None
        assert session.scalar(__import__("sqlalchemy").text(
            "SELECT count(*) FROM staff_sessions")) == 0


@pytest.mark.parametrize(("days", "organisation"), [
    (0, None), (-1, None), (100_000, None), (None, ""), (None, "x" * 201),
    (None, "<script>alert(1)</script>"), (None, "org\x00nul"),
])
def test_bad_scopes_are_refused(platform: Platform, days: int | None,
                                organisation: str | None) -> None:
    with platform.db.session() as session, pytest.raises(InvalidRequest):
        create_key(session, "x", Role.READ, organisation=organisation, expires_in_days=days)


def _cli(tmp_path: Path, database_url: str, *args: str):  # type: ignore[no-untyped-def]
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    return CliRunner().invoke(main, [*args, *where], catch_exceptions=False)


def test_the_cli_creates_scoped_expiring_keys(tmp_path: Path, database_url: str) -> None:
    made = _cli(tmp_path, database_url, "keys", "create", "lezer", "--role", "read",
                "--organisation", "stad-gent", "--expires-in", "7")
    assert made.exit_code == 0, made.output
    assert "read" in made.output and "stad-gent" in made.output
    listed = _cli(tmp_path, database_url, "keys", "list").output
    assert "read" in listed and "stad-gent" in listed and "expires" in listed
    for bad in (["--role", "superuser"], ["--expires-in", "0"], ["--expires-in", "abc"],
                ["--organisation", "<b>x</b>"], ["--organisation", "a\x00b"]):
        refused = _cli(tmp_path, database_url, "keys", "create", "x", *bad)
        assert refused.exit_code != 0 and "Traceback" not in refused.output, bad


def test_key_comparison_is_constant_time_in_python() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "belfort" / "policy" / "keys.py"
    assert "hmac.compare_digest" in source.read_text()
