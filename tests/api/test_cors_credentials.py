"""``BELFORT_CORS_CREDENTIAL_ORIGINS`` (belfort.api.cors): for those exact origins the API
echoes the origin and allows credentials (with ``Vary: Origin``); every other origin gets
Opendatasoft's ``*`` without credentials, as before; pages stay same-origin."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.helpers import counts_csv

TRUSTED = "https://apps.stad.gent"
READS = ["/api/explore/v2.1/catalog/datasets", "/api/belfort/v1/datasets",
         "/api/belfort/v1/datasets/open-data/records", "/api/records/1.0/search/?dataset=open-data"]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    cors_credential_origins=f" {TRUSTED}/ , https://dashboards.stad.gent")


@pytest.fixture
def data(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "open-data", counts_csv(tmp_path),
                metadata={"title_nl": "Open"})
    return platform


def _vary(headers: object) -> set[str]:
    return {v.strip().lower() for v in headers.get("vary", "").split(",")}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", READS)
def test_a_configured_origin_gets_credentials(client: TestClient, data: Platform,
                                              path: str) -> None:
    answer = client.get(path, headers={"Origin": TRUSTED})
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == TRUSTED
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "origin" in _vary(answer.headers)
    assert "x-ratelimit-limit" in answer.headers["access-control-expose-headers"].lower()


def test_a_configured_origins_preflight_allows_credentials(client: TestClient,
                                                           data: Platform) -> None:
    answer = client.options("/api/belfort/v1/datasets", headers={
        "Origin": TRUSTED, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == TRUSTED
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "origin" in _vary(answer.headers)


@pytest.mark.parametrize("origin", ["https://evil.example", "https://apps.stad.gent.evil.example",
                                    "http://apps.stad.gent", "https://APPS.stad.gent:443", "null",
                                    "https://apps.stad.gent/<script>"])
def test_other_origins_are_unchanged(client: TestClient, data: Platform, origin: str) -> None:
    answer = client.get("/api/belfort/v1/datasets", headers={"Origin": origin})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    pre = client.options("/api/belfort/v1/datasets", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET"})
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in pre.headers


def test_pages_stay_same_origin_even_for_a_configured_origin(client: TestClient,
                                                             data: Platform) -> None:
    for path in ("/", "/staff", "/datasets/open-data"):
        answer = client.get(path, headers={"Origin": TRUSTED})
        assert "access-control-allow-origin" not in answer.headers, path
        assert "access-control-allow-credentials" not in answer.headers, path


def test_without_the_setting_no_origin_gets_credentials(tmp_path: Path, database_url: str) -> None:
    from belfort.app import create_app

    bare = Platform(Settings(data_dir=tmp_path / "bare", database_url=database_url))
    try:
        with TestClient(create_app(bare)) as c:
            answer = c.get("/api/belfort/v1/datasets", headers={"Origin": TRUSTED})
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in answer.headers
    finally:
        bare.close()


def test_bad_settings_are_refused() -> None:
    for bad in ("*", "apps.stad.gent", "https://apps.stad.gent/path", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            Settings(cors_credential_origins=bad)
