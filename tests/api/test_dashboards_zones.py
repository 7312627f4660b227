"""The live push of a map of zones: counts written the moment after ``drukte-per-zone`` was
last read (its current file is looked up at most every ``BELFORT_LIVE_REFRESH_SECONDS``) still
reach the stream: the tiles of a change are computed once more when that time has passed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from belfort.dashboards.spec import parse_spec
from belfort.dashboards.store import save_dashboard
from belfort.dashboards.tiles import tile_data
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS
from belfort.streams.model import now_us
from belfort.twin.datasets import ensure_crowding_datasets
from tests.api.test_dashboards import Events
from tests.helpers import live_server
from tests.portal.test_dashboard_zone_map import SPEC
from tests.twin.conftest import MINUTE, feed, make_sensor, make_zone


@pytest.fixture
def site(platform: Platform) -> Iterator[tuple[str, Platform, str]]:
    make_zone(platform, "korenmarkt", area_m2=1000)  # capacity 2000
    ensure_crowding_datasets(platform)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    feed(platform, credential, "TP01", [(now_us() - k * MINUTE, 20.0) for k in range(15)])
    with platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC)
    settings = platform.settings
    settings.live_refresh_seconds = 1.0
    settings.dashboard_min_interval_seconds = 0.2
    settings.quota_per_address = settings.quota_per_key = 0
    with live_server(platform) as url:
        yield url, platform, credential


def korenmarkt(event: tuple[str, dict[str, Any], float]) -> float | None:
    shapes = event[1]["tiles"].get("zones", {}).get("shapes") or [{}]
    value: float | None = shapes[0].get("value")
    return value


def test_counts_written_just_after_a_read_still_reach_the_map(
        site: tuple[str, Platform, str]) -> None:
    url, platform, credential = site
    stream = Events(url + "/api/belfort/v1/dashboards/drukte/events")
    try:
        first = stream.wait_for(lambda e: e[0] == "tiles")
        assert korenmarkt(first) == 10  # 200 people of 2000
        tile = parse_spec(SPEC).tiles[0]
        assert tile_data(platform, ANONYMOUS, tile).shapes[0]["value"] == 10  # read just now
        now = now_us()
        feed(platform, credential, "TP01", [(now - k * MINUTE + 1, 140.0) for k in range(15)])
        written = time.monotonic()
        _, event, arrived = stream.wait_for(lambda e: (korenmarkt(e) or 0) >= 68, timeout=10)
        assert event["tiles"]["zones"]["shapes"][0]["level"]["label"]["nl"] == "te druk"
        assert arrived - written < 1.0 + 2.0  # the refresh time and a little
    finally:
        stream.close()
