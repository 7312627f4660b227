"""The demo's zones: a square around each counting point of the demo (``TELPUNTEN``), its
area the point's net walkable area, its id the slug of its name (``korenmarkt``), in the city
centre when the point lies inside the festival perimeter (``feestzone``).

The replay registers the demo sensors ``TP01``… with ``zone_id`` = that slug and
``counting="passages"``.
"""

from __future__ import annotations

import math
import re
import unicodedata

from belfort.demo.ghent_places import TELPUNTEN, Telpunt
from belfort.platform import Platform
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.geometry import AUTHALIC_RADIUS_M
from belfort.twin.zones import ZoneSpec, add_zone, list_zones

METRES_PER_DEGREE = AUTHALIC_RADIUS_M * math.pi / 180


def zone_id_of(name: str) -> str:
    """The slug of a place name: "Zuid (Woodrow Wilsonplein)" → "zuid-woodrow-wilsonplein"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:100]


def _square(point: Telpunt) -> dict[str, object]:
    half = math.sqrt(point.netto_oppervlakte_m2) / 2
    dlat = half / METRES_PER_DEGREE
    dlon = half / (METRES_PER_DEGREE * math.cos(math.radians(point.lat)))
    west, east = round(point.lon - dlon, 7), round(point.lon + dlon, 7)
    south, north = round(point.lat - dlat, 7), round(point.lat + dlat, 7)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def demo_zones() -> list[ZoneSpec]:
    """One zone per demo counting point."""
    return [ZoneSpec(id=zone_id_of(p.naam), name=p.naam, geometry=_square(p),
                     area_m2=float(p.netto_oppervlakte_m2), centre=p.feestzone)
            for p in TELPUNTEN]


def demo_sensor_zones() -> dict[str, str]:
    """Demo sensor id (``TP01``…) → its zone id."""
    return {p.id: zone_id_of(p.naam) for p in TELPUNTEN}


def load_demo_zones(platform: Platform) -> list[str]:
    """Add the demo zones that are not there yet (and the crowding datasets); the ids
    added. Running it twice adds nothing."""
    with platform.db.session() as session:
        known = {z.id for z in list_zones(session)}
        added = []
        for spec in demo_zones():
            if spec.id not in known:
                add_zone(session, platform.settings, spec)
                added.append(spec.id)
    ensure_crowding_datasets(platform)
    return added
