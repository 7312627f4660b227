"""The demo's zones: one square per counting point, sized to its walkable area."""

from __future__ import annotations

import pytest

from belfort.demo.ghent_places import TELPUNTEN
from belfort.platform import Platform
from belfort.twin.demo_zones import demo_sensor_zones, demo_zones, load_demo_zones, zone_id_of
from belfort.twin.geometry import check_polygon
from belfort.twin.zones import list_zones


def test_demo_zones_are_squares_of_the_counting_points_area() -> None:
    zones = demo_zones()
    assert len(zones) == len(TELPUNTEN)
    by_id = {z.id: z for z in zones}
    assert by_id["korenmarkt"].centre and not by_id["dampoort-stationsplein"].centre
    assert zone_id_of("Zuid (Woodrow Wilsonplein)") == "zuid-woodrow-wilsonplein"
    assert zone_id_of("Sint-Baafsplein") == "sint-baafsplein"
    for point, zone in zip(TELPUNTEN, zones, strict=True):
        area = check_polygon(zone.geometry, max_vertices=10, max_km2=1)
        assert area == pytest.approx(point.netto_oppervlakte_m2, rel=0.005)
        assert zone.area_m2 == point.netto_oppervlakte_m2 and zone.name == point.naam
    assert demo_sensor_zones()["TP01"] == "korenmarkt"


def test_loading_them_twice_adds_them_once(platform: Platform) -> None:
    assert len(load_demo_zones(platform)) == len(TELPUNTEN)
    assert load_demo_zones(platform) == []
    with platform.db.session() as session:
        assert len(list_zones(session)) == len(TELPUNTEN)
