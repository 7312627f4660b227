"""Cache-Control (belfort.api.caching): public only for the public's answers; staff and
key-holders get private, no-store on every cached route family."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import write

CSV = ("telpunt;aantal;locatie\n"
       "Korenmarkt;120;51.0547,3.7215\n"
       "Veldstraat;80;51.0510,3.7220\n")
# route families that send a public Cache-Control to the public (path template → how it is asked for)
FAMILIES = {
    "map.svg": ("/datasets/{id}/map.svg", {}),
    "map.geojson": ("/datasets/{id}/map.geojson", {}),
    "explore redirect": ("/explore/dataset/{id}/map/", {}),
    "dataset vocabulary": ("/def/{id}", {"Accept": "text/turtle"}),
    "event stream": ("/ldes/{id}", {}),
}


@pytest.fixture
def data(platform: Platform, tmp_path: Path) -> Platform:
    source = write(tmp_path / "t.csv", CSV)
    for dataset_id, extra in (("open-data", {}), ("intern", {"classification": "internal",
                                                            "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})):
        ingest_file(platform, CLI_ADMIN, dataset_id, source, metadata={"title_nl": dataset_id, **extra},
                    overrides={"locatie": "geopoint"})
    return platform


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_public_for_the_public_private_for_staff(client: TestClient, data: Platform, admin_key: str, staff_token: str,
                                                 family: str) -> None:
    template, headers = FAMILIES[family]
    public = client.get(template.format(id="open-data"), headers=headers, follow_redirects=False)
    assert public.status_code in (200, 301), (family, public.status_code, public.text[:200])
    assert public.headers["cache-control"].startswith("public"), family
    vary = {v.strip().lower() for v in public.headers["vary"].split(",")}
    assert {"authorization", "x-api-key"} <= vary  # a shared cache never gives this to a key-holder

    # staff with the portal's cookie, and an admin key, on an internal dataset
    client.cookies.set("belfort_staff", staff_token)
    try:
        by_cookie = client.get(template.format(id="intern"), headers=headers, follow_redirects=False)
    finally:
        client.cookies.clear()
    by_key = client.get(template.format(id="intern"), follow_redirects=False,
                        headers={**headers, "Authorization": f"Bearer {admin_key}"})
    for name, r in (("cookie", by_cookie), ("key", by_key)):
        if r.status_code == 404:  # routes that read only the one kind of credential
            continue
        assert r.status_code in (200, 301), (family, name, r.status_code)
        assert r.headers["cache-control"] == "private, no-store", (family, name)
    assert 200 <= min(by_cookie.status_code, by_key.status_code) < 400, family  # one of them is staff's way in


def test_api_answers_to_a_key_are_private(client: TestClient, data: Platform, admin_key: str) -> None:
    for path in ("/api/explore/v2.1/catalog/datasets/intern/records", "/api/records/1.0/search/?dataset=intern",
                 f"/api/belfort/v1/datasets/intern/records?apikey={admin_key}"):
        r = client.get(path, headers={} if "apikey" in path else {"Authorization": f"Bearer {admin_key}"})
        assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store", path


def test_staff_portal_pages_are_private(client: TestClient, data: Platform, staff_token: str) -> None:
    assert "cache-control" not in client.get("/datasets/open-data").headers
    client.cookies.set("belfort_staff", staff_token)
    try:
        for path in ("/datasets/intern", "/datasets", "/staff"):
            r = client.get(path)
            assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store", path
    finally:
        client.cookies.clear()
