"""Issue 14, item 3: the portal's dashboard tiles for a signed-in viewer limited to aggregates
show the thresholded figures and say in words what was hidden (Dutch and English)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.portal.pages import STAFF_COOKIE
from tests import thresholds as t
from tests.dashboards.test_tiles_thresholds import SPEC


@pytest.fixture
def viewer(client: TestClient, platform: Platform, tmp_path: Path,
           admin_headers: dict[str, str]) -> str:
    t.publish(platform, tmp_path)
    with platform.db.session() as session:
        save_dashboard(session, "meldingen", SPEC)
    return t.aggregates_only_session(client, platform, admin_headers)


@pytest.mark.parametrize(("lang", "all_hidden", "some_hidden"), [
    ("nl", "Verborgen: minder dan 5 records", "2 verborgen: groepen met minder dan 5 records"),
    ("en", "Hidden: fewer than 5 records", "2 hidden: groups with fewer than 5 records"),
])
def test_tiles_say_what_the_threshold_hid(client: TestClient, viewer: str, lang: str,
                                          all_hidden: str, some_hidden: str) -> None:
    client.cookies.set(STAFF_COOKIE, viewer)
    r = client.get("/dashboards/meldingen", params={"lang": lang})
    assert r.status_code == 200, r.text
    page = r.text
    assert all_hidden in page and some_hidden in page
    assert "Centrum" in page and "Noord" in page  # released bars, in the chart's table
    assert "Oost" not in page and "Zuid" not in page and "lawaai" not in page
    # the single tile page too, and its live-update texts for the browser
    one = client.get("/dashboards/meldingen/tiles/soorten", params={"lang": lang}).text
    assert all_hidden in one and "data-text-hidden-all" in one


def test_the_public_sees_no_data_not_a_threshold(client: TestClient, viewer: str) -> None:
    client.cookies.clear()
    page = client.get("/dashboards/meldingen", params={"lang": "en"}).text
    assert "Hidden: fewer than 5" not in page and "2 hidden: groups" not in page
    assert "No data yet." in page
    assert "Centrum" not in page
