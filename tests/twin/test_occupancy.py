"""Occupancy per zone from its sensors: passages × dwell time (Little's law), entries − exits
with drift correction, occupancy sensors directly; stale sensors count for nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.twin.occupancy import LOCAL, estimate_all, quiet_start_us
from belfort.twin.score import crowding_now, label, score_of
from tests.twin.conftest import HOUR, MINUTE, feed, make_sensor, make_zone


def test_passages_become_occupancy_by_little_s_law(platform: Platform) -> None:
    make_zone(platform, "korenmarkt", area_m2=1000)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    now = now_us()
    # 60 passers-by a minute for half an hour: 1 person/s; 600 s dwell → 600 people
    feed(platform, credential, "TP01", [(now - k * MINUTE, 60.0) for k in range(30)])
    found = estimate_all(platform, {}, now)["korenmarkt"]
    assert found.method == "passages" and found.sensors == 1
    assert found.occupancy == pytest.approx(600.0)
    assert estimate_all(platform, {"korenmarkt": 300.0}, now)["korenmarkt"].occupancy == \
        pytest.approx(300.0)
    crowding = crowding_now(platform, now)
    zone = crowding.zones[0]
    assert zone.score == 30 and zone.density == pytest.approx(0.6)  # 600 of 2000 at 2/m²
    assert crowding.centre_score == 30


def test_an_hourly_count_counts_with_its_share_of_the_window(platform: Platform) -> None:
    make_zone(platform, "kouter", area_m2=1000)
    credential = make_sensor(platform, "TP06", "kouter", "passages")
    now = now_us()
    feed(platform, credential, "TP06", [(now - 70 * MINUTE, 3600.0, now - 10 * MINUTE)])
    # 3600 in an hour = 1 person/s whichever 15 minutes of it are taken
    assert estimate_all(platform, {}, now)["kouter"].occupancy == pytest.approx(600.0)


def test_a_stale_sensor_counts_for_nothing(platform: Platform) -> None:
    make_zone(platform, "graslei")
    credential = make_sensor(platform, "TP04", "graslei", "passages")
    now = now_us()
    feed(platform, credential, "TP04", [(now - 5 * HOUR, 500.0)])
    found = estimate_all(platform, {}, now)["graslei"]
    assert found.occupancy is None and found.sensors == 0
    assert crowding_now(platform, now).zones[0].score is None


def test_entries_minus_exits_never_go_below_zero_and_restart_at_the_quiet_hour(
        platform: Platform) -> None:
    local_hour = datetime.now(LOCAL).hour
    platform.settings.twin_quiet_hour = (local_hour + 12) % 24  # about 12 h ago
    now = now_us()
    since = quiet_start_us(now, platform.settings.twin_quiet_hour)
    assert now - 13 * HOUR < since <= now - 11 * HOUR
    make_zone(platform, "vrijdagmarkt", area_m2=1000)
    door_in = make_sensor(platform, "in-1", "vrijdagmarkt", "entries")
    door_out = make_sensor(platform, "out-1", "vrijdagmarkt", "exits")
    feed(platform, door_in, "in-1", [
        (since - 30 * MINUTE, 5000.0),  # before the reset: forgotten
        (since + 2 * HOUR, 100.0),
        (since + 4 * HOUR, 300.0),
        (now - 5 * MINUTE, 50.0),
    ])
    feed(platform, door_out, "out-1", [
        (since + 1 * HOUR, 80.0),  # more out than in so far: drift, clamped at 0
        (since + 3 * HOUR, 40.0),
        (now - 4 * MINUTE, 10.0),
    ])
    # 0 (clamped) → +100 → −40 = 60 → +300 = 360 → +50 = 410 → −10 = 400
    found = estimate_all(platform, {}, now)["vrijdagmarkt"]
    assert (found.method, found.occupancy) == ("entries-exits", 400.0)
    assert crowding_now(platform, now).zones[0].score == 20


def test_occupancy_sensors_are_read_directly_and_win(platform: Platform) -> None:
    make_zone(platform, "sint-baafsplein", area_m2=500)
    camera = make_sensor(platform, "cam-1", "sint-baafsplein", "occupancy")
    counter = make_sensor(platform, "TP05", "sint-baafsplein", "passages")
    now = now_us()
    feed(platform, camera, "cam-1", [(now - 20 * MINUTE, 100.0), (now - 2 * MINUTE, 900.0)])
    feed(platform, counter, "TP05", [(now - MINUTE, 10.0)])
    found = estimate_all(platform, {}, now)["sint-baafsplein"]
    assert (found.method, found.occupancy) == ("occupancy", 900.0)
    assert crowding_now(platform, now).zones[0].score == 90  # 900 of 1000


def test_scores_bands_and_the_centre_is_its_busiest_zone(platform: Platform) -> None:
    assert [score_of(o, 1000) for o in (0, 330, 335, 670, 675, 2000, -5)] == \
        [0, 33, 34, 67, 68, 100, 0]
    assert [label(s) for s in (0, 33, 34, 67, 68, 100)] == \
        ["rustig", "rustig", "druk", "druk", "te druk", "te druk"]
    make_zone(platform, "korenmarkt", area_m2=1000)  # capacity 2000
    make_zone(platform, "sint-pietersplein", area_m2=9000)  # capacity 18000
    make_zone(platform, "dampoort", area_m2=1000, centre=False)
    now = now_us()
    for sensor, zone, value in (("c1", "korenmarkt", 1500.0), ("c2", "sint-pietersplein", 900.0),
                                ("c3", "dampoort", 2000.0)):
        feed(platform, make_sensor(platform, sensor, zone, "occupancy"), sensor,
             [(now - MINUTE, value)])
    crowding = crowding_now(platform, now)
    scores = {z.id: z.score for z in crowding.zones}
    assert scores == {"korenmarkt": 75, "sint-pietersplein": 5, "dampoort": 100}
    # the centre: its busiest zone (dampoort is not in the centre)
    assert crowding.centre_score == 75 and crowding.busiest is not None
    assert crowding.busiest.id == "korenmarkt"
    assert crowding.centre_weighted == 12  # (1500 + 900) / (2000 + 18000)
