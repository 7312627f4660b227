"""Zones: defined once, their area given or computed, capacity from density; bad ones
refused with every reason."""

from __future__ import annotations

import math
from typing import Any

import pytest

from belfort.errors import ZoneExists, ZoneInvalid, ZoneNotFound
from belfort.platform import Platform
from belfort.twin.zones import (
    ZoneSpec,
    add_zone,
    capacity,
    get_zone,
    list_zones,
    remove_zone,
    spec_from_mapping,
    zone_dict,
)
from tests.twin.conftest import box


def test_a_zone_is_added_listed_and_removed(platform: Platform) -> None:
    with platform.db.session() as session:
        add_zone(session, platform.settings, ZoneSpec("korenmarkt", "Korenmarkt", box(),
                                                      area_m2=3100, centre=True))
        add_zone(session, platform.settings, ZoneSpec("kouter", "Kouter", box(side_m=80),
                                                      density=1.5))
    with platform.db.session() as session:
        assert [z.id for z in list_zones(session)] == ["korenmarkt", "kouter"]
        korenmarkt = zone_dict(get_zone(session, "korenmarkt"), platform.settings)
        kouter = get_zone(session, "kouter")
        assert korenmarkt["area_m2"] == 3100 and not korenmarkt["area_computed"]
        assert korenmarkt["capacity"] == 6200  # 2 persons/m², the default
        assert kouter.area_computed and kouter.area_m2 == pytest.approx(6400, rel=0.01)
        assert capacity(kouter, platform.settings) == pytest.approx(1.5 * kouter.area_m2)
        remove_zone(session, "kouter")
    with platform.db.session() as session:
        assert [z.id for z in list_zones(session)] == ["korenmarkt"]
        with pytest.raises(ZoneNotFound):
            get_zone(session, "kouter")
        with pytest.raises(ZoneNotFound):
            remove_zone(session, "kouter")


def test_a_zone_id_is_taken_once(platform: Platform) -> None:
    with platform.db.session() as session:
        add_zone(session, platform.settings, ZoneSpec("graslei", "Graslei", box()))
    with platform.db.session() as session, pytest.raises(ZoneExists) as caught:
        add_zone(session, platform.settings, ZoneSpec("graslei", "Graslei", box()))
    assert caught.value.http_status == 409


@pytest.mark.parametrize(("changes", "expected"), [
    ({"id": "Korenmarkt!"}, "id:"),
    ({"id": "<script>"}, "id:"),
    ({"name": ""}, "name:"),
    ({"name": "a\x00b"}, "name:"),
    ({"name": "x" * 201}, "name:"),
    ({"area_m2": math.nan}, "area_m2: a finite number"),
    ({"area_m2": math.inf}, "area_m2: a finite number"),
    ({"area_m2": -5}, "area_m2: above 0"),
    ({"area_m2": 0}, "area_m2: above 0"),
    ({"area_m2": 1e12}, "area_m2: above 0"),
    ({"area_m2": "3100"}, "area_m2: a finite number"),
    ({"area_m2": True}, "area_m2: a finite number"),
    ({"density": 0}, "density"),
    ({"density": 50}, "density"),
    ({"dwell_seconds": -1}, "dwell_seconds"),
    ({"centre": "yes"}, "centre"),
    ({"geometry": None}, "type Polygon"),
])
def test_bad_zones_are_refused(platform: Platform, changes: dict[str, Any],
                               expected: str) -> None:
    fields = {"id": "korenmarkt", "name": "Korenmarkt", "geometry": box(), **changes}
    with platform.db.session() as session, pytest.raises(ZoneInvalid) as caught:
        add_zone(session, platform.settings, spec_from_mapping(fields))
    assert expected in str(caught.value), caught.value
    with platform.db.session() as session:
        assert list_zones(session) == []


def test_every_problem_is_listed_at_once(platform: Platform) -> None:
    with pytest.raises(ZoneInvalid) as caught:
        with platform.db.session() as session:
            add_zone(session, platform.settings, spec_from_mapping(
                {"id": "", "name": "", "geometry": {"type": "Polygon", "coordinates": []},
                 "area_m2": math.nan}))
    problems = caught.value.details["problems"]
    assert [p.split(":")[0] for p in problems] == ["id", "name", "area_m2", "geometry"]


def test_a_feature_s_properties_give_the_fields_and_unknown_keys_are_refused() -> None:
    spec = spec_from_mapping({"type": "Feature", "geometry": box(),
                              "properties": {"id": "kouter", "name": "Kouter", "centre": True}})
    assert (spec.id, spec.name, spec.centre) == ("kouter", "Kouter", True)
    with pytest.raises(ZoneInvalid, match="unknown field"):
        spec_from_mapping({"id": "kouter", "name": "Kouter", "geometry": box(), "capacity": 5})
    with pytest.raises(ZoneInvalid):
        spec_from_mapping(["not", "an", "object"])
