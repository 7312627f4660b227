""""Normal for this moment": percentiles per weekday × quarter-hour over earlier weeks, and
now against them."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from belfort.platform import Platform
from belfort.streams.model import now_us, to_us
from belfort.twin.normal import QUARTER_US, NormalCache, bucket, normals
from belfort.twin.occupancy import LOCAL
from belfort.twin.score import crowding_now
from tests.twin.conftest import feed, make_sensor, make_zone


def _same_moment_weeks_ago(weeks: int) -> int:
    """This quarter-hour's start, ``weeks`` weeks ago in Brussels wall-clock time."""
    now = datetime.now(LOCAL)
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    local = (start.replace(tzinfo=None) - timedelta(weeks=weeks)).replace(tzinfo=LOCAL)
    return to_us(local)


def test_now_is_compared_with_the_same_weekday_and_quarter_of_earlier_weeks(
        platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    first = make_sensor(platform, "TP01", "korenmarkt", "passages")
    second = make_sensor(platform, "TP02", "korenmarkt", "passages")
    history = [10.0, 20.0, 30.0, 40.0, 50.0]
    feed(platform, first, "TP01",
         [(_same_moment_weeks_ago(w), v) for w, v in zip(range(5, 0, -1), history, strict=True)]
         + [(_same_moment_weeks_ago(0), 45.0)]
         # another quarter-hour of the same days and another weekday: not this moment's normal
         + [(_same_moment_weeks_ago(w) + QUARTER_US * 3, 999.0) for w in range(1, 6)]
         + [(_same_moment_weeks_ago(w) - 24 * 4 * QUARTER_US, 999.0) for w in range(1, 6)])
    feed(platform, second, "TP02", [(_same_moment_weeks_ago(w), 5.0) for w in range(0, 6)])
    per_sensor, per_zone = normals(platform, now_us())
    tp01 = per_sensor["TP01"]
    expected = np.percentile(history, [10, 20, 50, 80, 90])
    assert tp01.now == 45.0 and tp01.weeks == 5
    assert tp01.percentiles == {f"p{q}": pytest.approx(e) for q, e in
                                zip((10, 20, 50, 80, 90), expected, strict=True)}
    assert (tp01.ratio, tp01.band) == (1.5, "p80-p90")
    zone = per_zone["korenmarkt"]  # both sensors summed per quarter-hour
    assert zone.now == 50.0 and zone.percentiles is not None
    assert zone.percentiles["p50"] == 35.0 and zone.band == "p80-p90"
    crowding = crowding_now(platform).to_dict()
    assert crowding["zones"][0]["normal"]["band"] == "p80-p90"
    assert crowding["sensors"]["TP01"]["band"] == "p80-p90"
    assert crowding["sensors"]["TP01"]["percentiles"]["p50"] == 30.0


def test_too_little_history_gives_no_normal(platform: Platform) -> None:
    make_zone(platform, "kouter")
    credential = make_sensor(platform, "TP06", "kouter", "passages")
    feed(platform, credential, "TP06", [(_same_moment_weeks_ago(1), 10.0),
                                        (_same_moment_weeks_ago(0), 12.0)])
    found = normals(platform, now_us())[0]["TP06"]
    assert (found.now, found.weeks, found.percentiles, found.band) == (12.0, 1, None, None)


def test_an_interval_is_spread_over_its_quarter_hours_and_levels_are_averaged() -> None:
    start = _same_moment_weeks_ago(1)
    data = {"sensor": np.array([0, 1, 1]), "start": np.array([start, start, start + 60_000_000]),
            "end": np.array([start + 4 * QUARTER_US, start, start + 60_000_000]),
            "value": np.array([100.0, 10.0, 30.0])}
    series, quarters, values, utc = bucket(data, np.array([False, True]))
    counts = values[series == 0]
    assert counts.tolist() == [25.0, 25.0, 25.0, 25.0]
    assert np.diff(quarters[series == 0]).tolist() == [1, 1, 1]
    assert utc[series == 0][0] == start
    assert values[series == 1].tolist() == [20.0]  # a level: the mean of 10 and 30


def test_now_is_fresh_while_the_history_is_kept(platform: Platform) -> None:
    platform.settings.twin_normal_cache_seconds = 3600
    make_zone(platform, "veldstraat")
    credential = make_sensor(platform, "TP02", "veldstraat", "passages")
    feed(platform, credential, "TP02", [(_same_moment_weeks_ago(w), 10.0 * w)
                                        for w in range(1, 4)])
    before = normals(platform, now_us())[0]["TP02"]
    assert before.now is None and before.weeks == 0  # nothing recent
    feed(platform, credential, "TP02", [(_same_moment_weeks_ago(0), 40.0)])
    after = normals(platform, now_us())[0]["TP02"]
    assert (after.now, after.weeks, after.band) == (40.0, 3, "boven p90")


def test_compacted_observations_still_make_the_normal(platform: Platform) -> None:
    from sqlalchemy import func, select

    from belfort.catalog.models import Observation
    from belfort.streams.compaction import compact

    make_zone(platform, "korenmarkt")
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    feed(platform, credential, "TP01",
         [(_same_moment_weeks_ago(w), 10.0 * w) for w in range(1, 6)]
         + [(_same_moment_weeks_ago(0), 60.0)])
    before = normals(platform, now_us())[0]["TP01"]
    compact(platform)
    with platform.db.session() as session:  # the history left the hot store for the lake
        assert session.scalar(select(func.count()).select_from(Observation)) == 1
    platform.component(NormalCache, NormalCache).forget()
    after = normals(platform, now_us())[0]["TP01"]
    assert after == before and after.weeks == 5 and after.band == "boven p90"
    # resent after compaction: in the hot store and in the lake, counted once
    feed(platform, credential, "TP01", [(_same_moment_weeks_ago(1), 10.0)])
    platform.component(NormalCache, NormalCache).forget()
    assert normals(platform, now_us())[0]["TP01"] == before
