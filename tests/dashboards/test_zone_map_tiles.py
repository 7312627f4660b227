"""A map of zones coloured by crowding: its data read through the gate and the engine from the
live dataset ``drukte-per-zone`` (each zone's shape, score and band), restricted data empty
for the public, fields checked against the dataset when the dashboard is saved (422, with the
path) and again when the tile is drawn. On both databases."""

from __future__ import annotations

import pytest

from belfort.catalog import store
from belfort.dashboards.spec import parse_spec
from belfort.dashboards.store import save_dashboard
from belfort.dashboards.tiles import tile_data
from belfort.errors import DashboardInvalid
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, Principal, Role
from belfort.streams.model import now_us
from belfort.twin.datasets import ensure_crowding_datasets, register_live_sources
from tests.twin.conftest import MINUTE, box, feed, make_sensor, make_zone

STAFF = Principal(Role.ADMIN, "k1", "staff")
BANDS = ("[{upto: 33, colour: green, label: {nl: rustig, en: quiet}}, {upto: 67, colour: orange,"
         " label: {nl: druk, en: busy}}, {colour: red, label: {nl: te druk, en: too busy}}]")


def spec(**fields: str) -> str:
    base = {"id": "zones", "type": "map", "title": "Z", "dataset": "drukte-per-zone",
            "geometry": "geo_shape", "value": "score", "label": "naam", "bands": BANDS,
            "time": "tijd_van_voltooien"}
    base.update(fields)
    lines = "".join(f"    {k}: {v}\n" for k, v in base.items() if v != "")
    return "title: T\ntiles:\n  -\n" + lines


def zone_tile(**fields: str) -> object:
    return parse_spec(spec(**fields)).tiles[0]


@pytest.fixture
def zones(platform: Platform) -> Platform:
    """Two zones: the Korenmarkt counted (1500 of 2000 people: 75, te druk), the Kouter not."""
    register_live_sources(platform)
    make_zone(platform, "korenmarkt", area_m2=1000)
    make_zone(platform, "kouter", area_m2=5000)
    ensure_crowding_datasets(platform)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 150.0) for k in range(15)])
    return platform


def test_each_zone_has_its_shape_score_and_band(zones: Platform) -> None:
    data = tile_data(zones, ANONYMOUS, zone_tile())  # type: ignore[arg-type]
    assert data.state == "ok"
    found = {s["name"]: s for s in data.shapes}
    assert set(found) == {"Korenmarkt", "Kouter"}
    assert found["Korenmarkt"]["value"] == 75
    assert found["Korenmarkt"]["level"] == {"colour": "red",
                                            "label": {"nl": "te druk", "en": "too busy"}}
    assert found["Korenmarkt"]["geometry"] == box()
    assert found["Kouter"]["value"] is None and found["Kouter"]["level"] is None  # unknown
    assert data.time is not None and data.time.endswith("Z")
    assert data.to_dict()["shapes"] == data.shapes


def test_the_query_filters_and_orders_the_zones(zones: Platform) -> None:
    data = tile_data(zones, ANONYMOUS, zone_tile(  # type: ignore[arg-type]
        query="{where: score is not null, order_by: score desc}"))
    assert [s["name"] for s in data.shapes] == ["Korenmarkt"]


def test_the_map_follows_the_counts(zones: Platform) -> None:
    credential = make_sensor(zones, "TP02", "kouter", "passages")
    now = now_us()
    feed(zones, credential, "TP02", [(now - k * MINUTE, 100.0) for k in range(15)])
    zones.settings.live_refresh_seconds = 0  # type: ignore[misc]
    data = tile_data(zones, ANONYMOUS, zone_tile())  # type: ignore[arg-type]
    kouter = next(s for s in data.shapes if s["name"] == "Kouter")
    assert kouter["value"] == 10 and kouter["level"]["label"]["nl"] == "rustig"


def test_a_restricted_dataset_shows_nothing_to_the_public(zones: Platform) -> None:
    with zones.db.session() as session:
        dataset = store.find_dataset(session, "drukte-per-zone")
        assert dataset is not None
        store.update_metadata(session, dataset, {
            "classification": "internal", "restriction_reason": "privacy",
                                          "classification_reason": "test"})
    public = tile_data(zones, ANONYMOUS, zone_tile())  # type: ignore[arg-type]
    staff = tile_data(zones, STAFF, zone_tile())  # type: ignore[arg-type]
    assert public.state == "empty" and public.shapes == [] and public.problem is None
    assert staff.state == "ok" and len(staff.shapes) == 2
    missing = tile_data(zones, ANONYMOUS, zone_tile(dataset="nothing-here"))  # type: ignore[arg-type]
    assert public.to_dict() == {**missing.to_dict(), "id": "zones"}


@pytest.mark.parametrize(("fields", "path", "words"), [
    ({"geometry": "naam"}, "tiles[0].geometry", "not a geometry"),
    ({"geometry": "vorm"}, "tiles[0].geometry", "no field 'vorm'"),
    ({"value": "naam"}, "tiles[0].value", "not a number"),
    ({"value": "drukte"}, "tiles[0].value", "no field 'drukte'"),
    ({"label": "naaam"}, "tiles[0].label", "no field 'naaam'"),
    ({"time": "wanneer"}, "tiles[0].time", "no field 'wanneer'"),
    ({"dataset": "druktebarometer-info", "value": "status_druktemeter", "label": "",
      "time": ""}, "tiles[0].geometry", "no geometry field"),
])
def test_fields_the_dataset_does_not_have_are_refused_when_saved(
        zones: Platform, fields: dict[str, str], path: str, words: str) -> None:
    with pytest.raises(DashboardInvalid) as caught, zones.db.session() as session:
        save_dashboard(session, "kaart", spec(**fields))
    assert caught.value.http_status == 422
    found = {p["path"]: p["message"] for p in caught.value.details["problems"]}
    assert path in found and words in found[path], found
    with zones.db.session() as session:
        saved = save_dashboard(session, "kaart", spec())  # the right fields: saved
    assert saved.revision == 1


def test_a_dataset_that_is_not_there_yet_may_be_named_and_draws_empty(platform: Platform
                                                                      ) -> None:
    with platform.db.session() as session:
        save_dashboard(session, "kaart", spec(dataset="komt-nog", value="whatever"))
    data = tile_data(platform, STAFF, zone_tile(dataset="komt-nog"))  # type: ignore[arg-type]
    assert data.state == "empty" and data.shapes == []


def test_a_wrong_field_found_when_drawn_is_an_empty_tile_with_the_reason_for_staff(
        zones: Platform) -> None:
    tile = zone_tile(value="label")  # text, not a number: saved before the dataset existed
    staff = tile_data(zones, STAFF, tile)  # type: ignore[arg-type]
    public = tile_data(zones, ANONYMOUS, tile)  # type: ignore[arg-type]
    assert staff.state == "empty" and staff.problem and "not a number" in staff.problem
    assert public.state == "empty" and public.problem is None


def test_shapes_beyond_the_size_budget_keep_their_value_and_band(
        zones: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    from belfort.dashboards import tiles

    monkeypatch.setattr(tiles, "MAX_SHAPE_TEXT", 250)  # about one of these squares
    data = tile_data(zones, ANONYMOUS, zone_tile(  # type: ignore[arg-type]
        query="{order_by: naam}"))
    assert [s["name"] for s in data.shapes] == ["Korenmarkt", "Kouter"]
    assert data.shapes[0]["geometry"] == box() and data.shapes[1]["geometry"] is None
    assert data.shapes[0]["value"] == 75 and data.shapes[1]["value"] is None
