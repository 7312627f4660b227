"""Issue 14, item 3: the dataset page for a signed-in viewer limited to aggregates shows the
number of records per value under the threshold and says in words what was hidden (Dutch and
English); records, the map and downloads stay out of the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.portal.pages import STAFF_COOKIE
from tests import thresholds as t

PAGE = f"/datasets/{t.DATASET}"


@pytest.fixture
def viewer(client: TestClient, platform: Platform, tmp_path: Path,
           admin_headers: dict[str, str]) -> str:
    t.publish(platform, tmp_path)
    return t.aggregates_only_session(client, platform, admin_headers)


@pytest.mark.parametrize(("lang", "hidden", "only_counts"), [
    ("nl", "2 verborgen: waarden met minder dan 5 records", "alleen aantallen"),
    ("en", "2 hidden: values with fewer than 5 records", "only see counts"),
])
def test_the_page_shows_thresholded_counts_and_says_so(client: TestClient, viewer: str,
                                                       lang: str, hidden: str,
                                                       only_counts: str) -> None:
    client.cookies.set(STAFF_COOKIE, viewer)
    r = client.get(PAGE, params={"lang": lang})
    assert r.status_code == 200, r.text
    page = r.text
    assert hidden in page and only_counts in page
    assert "Centrum" in page and "Noord" in page  # released values, in the chart's table
    assert "Oost" not in page and "Zuid" not in page
    assert 'id="preview"' not in page and "map.svg" not in page and "/exports/" not in page
    r = client.get(PAGE, params={"lang": lang, "chart_x": "soort"})  # lawaai < k: both hidden
    assert r.status_code == 200 and hidden in r.text
    assert "lawaai" not in r.text and "afval" not in r.text


@pytest.mark.parametrize("asked", ["<script>alert(1)</script>", "wijk\x00", "x" * 5000,
                                   "aantal", "datum"])
def test_a_bad_or_unsuitable_field_falls_back_to_the_first_text_field(
        client: TestClient, viewer: str, asked: str) -> None:
    client.cookies.set(STAFF_COOKIE, viewer)
    r = client.get(PAGE, params={"chart_x": asked})
    assert r.status_code == 200, r.text
    assert "<script>alert" not in r.text and "Centrum" in r.text and "Oost" not in r.text


def test_records_and_the_map_stay_refused(client: TestClient, viewer: str) -> None:
    client.cookies.set(STAFF_COOKIE, viewer)
    for path in (f"{PAGE}/map.geojson", f"{PAGE}/map.svg"):
        r = client.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
        assert "Oost" not in r.text


def test_staff_see_the_records(client: TestClient, viewer: str, staff_token: str) -> None:
    client.cookies.set(STAFF_COOKIE, staff_token)
    page = client.get(PAGE, params={"lang": "en"}).text
    assert 'id="preview"' in page and "only see counts" not in page
    assert "Oost" in page
