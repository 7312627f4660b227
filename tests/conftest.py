"""Shared fixtures.

``platform`` runs each test that uses it twice: on SQLite and on the throw-away
PostgreSQL cluster that ``scripts/test`` starts (BELFORT_TEST_POSTGRES_URL). When
BELFORT_REQUIRE_POSTGRES=1 (as in CI), a missing cluster is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.settings import Settings
from tests.helpers import staff_session

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
GHENT_DATA = SHARED_DIR / "data" / "ghent"

pytest_plugins = ["tests.ghent_fixtures", "tests.secret_log_check"]  # no secret in any log

POSTGRES_URL = os.environ.get("BELFORT_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("BELFORT_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgres"]
TEST_BASE = "http://testserver"


def ghent_data() -> Path:
    """The real Ghent files from ../shared, or skip (they are never copied into the repo)."""
    if not GHENT_DATA.is_dir():
        pytest.skip(f"real Ghent data not present at {GHENT_DATA}")
    return GHENT_DATA


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite'}"
        return
    yield from _postgres_schema()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test cluster, for tests of what only PostgreSQL is for (several
    nodes on one database)."""
    yield from _postgres_schema()


def postgres_only() -> str:
    """The test cluster's URL, else skip (fail under BELFORT_REQUIRE_POSTGRES=1, as in CI)."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("BELFORT_REQUIRE_POSTGRES=1 but BELFORT_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL cluster (run scripts/test to start one)")
    return POSTGRES_URL


def _postgres_schema() -> Iterator[str]:
    url = postgres_only()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # TestClient's address: the one base of linked-data URIs, as BELFORT_PUBLIC_URL names it
    # in production (without it the base is the served address, never a request's Host)
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE)


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    p = Platform(settings)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


@pytest.fixture
def admin_key(platform: Platform) -> str:
    with platform.db.session() as session:
        return create_key(session, "test admin").secret


@pytest.fixture
def staff_token(platform: Platform, admin_key: str) -> str:
    """The portal's staff cookie for ``admin_key``: a signed-in session's token."""
    return staff_session(platform, admin_key)


@pytest.fixture
def admin_headers(admin_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_key}"}
