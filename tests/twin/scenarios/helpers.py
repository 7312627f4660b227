"""A diamond of zones A–B–D and A–C–D in the database, counted at A and D."""

from __future__ import annotations

from datetime import datetime

from belfort.platform import Platform
from belfort.streams.model import to_us
from belfort.twin.scenarios.links import LinkSpec, replace_links
from tests.twin.conftest import HOUR, feed, make_sensor, make_zone

MONDAY_9 = to_us(datetime.fromisoformat("2026-11-23T09:00:00+01:00"))
WEEK = 7 * 24 * HOUR
WINDOW = {"start": "2026-11-23T09:00:00+01:00", "end": "2026-11-23T10:00:00+01:00"}


def diamond(platform: Platform, persons: float = 100_000.0, c_area: float = 10.0) -> None:
    """Zones a, b, c, d; links a–b, b–d (100 m), a–c, c–d (150 m), all 200 m wide; ``persons``
    counted entering a and d on the Monday at 9 a week before ``MONDAY_9``."""
    for zone in "abd":
        make_zone(platform, zone, area_m2=1000.0)
    make_zone(platform, "c", area_m2=c_area)
    with platform.db.session() as session:
        replace_links(session, platform.settings, [
            LinkSpec("ab", "a", "b", 200, 100), LinkSpec("bd", "b", "d", 200, 100),
            LinkSpec("ac", "a", "c", 200, 150), LinkSpec("cd", "c", "d", 200, 150)])
    for zone in "ad":
        credential = make_sensor(platform, f"S-{zone}", zone, "passages")
        feed(platform, credential, f"S-{zone}",
             [(MONDAY_9 - WEEK, persons, MONDAY_9 - WEEK + HOUR)])
