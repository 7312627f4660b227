"""The native JSON batch parser: Belfort's own names and SOSA/OSLO terms, defaults from the
device, per-item problems that leave the other items readable."""

from __future__ import annotations

import pytest

from belfort.errors import BatchTooLarge, InvalidRequest
from belfort.platform import Platform
from belfort.streams.model import ItemInvalid, ItemProblem, ObservationIn, now_us, parse_time
from belfort.streams.native import batch_items, parse_batch, parse_item
from belfort.streams.sensors import Device, SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations

DEVICE = Device("korenmarkt-1", "sensorwaarnemingen", "count", 0.0, 10_000.0)
T0 = "2026-12-06T10:00:00Z"
T1 = "2026-12-06T10:15:00Z"


def test_a_native_item_with_every_field() -> None:
    item = parse_item({"sensor_id": "korenmarkt-1", "property": "pedestrians",
                       "phenomenon_start": T0, "phenomenon_end": T1, "result_time": T1,
                       "value": 12, "quality": "suspect", "weight": 0.5}, DEVICE)
    assert item == ObservationIn("korenmarkt-1", "pedestrians", parse_time(T0), 12.0,
                                 parse_time(T1), parse_time(T1), "suspect", 0.5)


def test_missing_sensor_and_property_come_from_the_device() -> None:
    item = parse_item({"phenomenon_time": T0, "value": "7,5"}, DEVICE)
    assert (item.sensor_id, item.property, item.value) == ("korenmarkt-1", "count", 7.5)
    assert item.phenomenon_end_us is None and item.result_us is None


@pytest.mark.parametrize("when", [
    {"hasBeginning": T0, "hasEnd": T1},
    {"hasBeginning": {"inXSDDateTimeStamp": T0}, "hasEnd": {"inXSDDateTimeStamp": T1}},
    f"{T0}/{T1}",
])
def test_sosa_names_and_intervals(when: object) -> None:
    item = parse_item({
        "madeBySensor": "https://data.stad.gent/id/sensor/korenmarkt-1",
        "observedProperty": "https://example.org/property/pedestrians/",
        "phenomenonTime": when, "resultTime": T1, "hasSimpleResult": 3,
    }, DEVICE)
    assert (item.sensor_id, item.property) == ("korenmarkt-1", "pedestrians")
    assert (item.phenomenon_us, item.phenomenon_end_us) == (parse_time(T0), parse_time(T1))
    assert item.result_us == parse_time(T1) and item.value == 3.0


def test_has_result_as_a_quantity_value_and_uri_fragments() -> None:
    item = parse_item({"madeBySensor": {"@id": "urn:x#korenmarkt-1"},
                       "phenomenonTime": T0, "hasResult": {"numericValue": 4.25}}, DEVICE)
    assert (item.sensor_id, item.value) == ("korenmarkt-1", 4.25)


def test_bad_items_become_problems_at_their_place_and_others_are_kept() -> None:
    items: list[object] = [
        {"phenomenon_time": T0, "value": 1},
        "not an object",
        {"value": 1},
        {"phenomenon_time": "yesterday", "value": 1},
        {"phenomenon_time": T0, "value": "NaN"},
        {"phenomenon_time": T0, "value": 1e400},
        {"phenomenon_time": T0},
        {"phenomenon_time": T0, "value": 1, "weight": "half"},
        {"phenomenon_time": T0, "value": 1, "quality": 5},
        {"phenomenon_time": T0, "value": 1, "sensor_id": ["x"]},
        {"phenomenon_time": T0, "value": 1, "property": "x" * 10_000},
        {"phenomenon_time": T0, "value": {"nested": [[[1]]]}},
        {"phenomenon_time": T1, "value": 2},
    ]
    parsed = parse_batch(items, DEVICE)
    assert len(parsed) == len(items)
    assert isinstance(parsed[0], ObservationIn) and isinstance(parsed[-1], ObservationIn)
    problems = [(p.index, p.code) for p in parsed if isinstance(p, ItemProblem)]
    assert problems == [(1, "bad_item"), (2, "bad_time"), (3, "bad_time"), (4, "bad_value"),
                        (5, "bad_value"), (6, "bad_value"), (7, "bad_weight"),
                        (8, "bad_quality"), (9, "bad_sensor"), (10, "bad_property"),
                        (11, "bad_value")]


def test_the_batch_is_an_array_or_an_observations_object() -> None:
    assert batch_items([1, 2], 10) == [1, 2]
    assert batch_items({"observations": [1]}, 10) == [1]
    for bad in ({"items": []}, "text", 5, None, {"observations": {"a": 1}}):
        with pytest.raises(InvalidRequest):
            batch_items(bad, 10)
    with pytest.raises(BatchTooLarge):
        batch_items([{}] * 11, 10)


def test_the_common_item_reads_as_the_general_reading_does() -> None:
    for raw in ({"phenomenon_time": T0, "value": 3},
                {"sensor_id": "korenmarkt-1", "property": "count", "phenomenon_time": T0,
                 "value": 2.5},
                {"sensor_id": "other", "phenomenon_time": T0, "value": 1},
                {"property": "pedestrians", "phenomenon_time": f"{T0}/{T1}", "value": True},
                {"phenomenon_time": 1_765_000_000, "value": 1}):
        general = parse_item({**raw, "quality": "ok"}, DEVICE)  # "quality": the general path
        assert parse_item(raw, DEVICE) == general
    with pytest.raises(ItemInvalid):
        parse_item({"phenomenon_time": "not a time", "value": 1}, DEVICE)


def test_a_property_with_a_line_break_is_refused_by_the_write_path(platform: Platform) -> None:
    with platform.db.session() as session:
        credential = register_sensor(session, SensorSpec("k1", "K", "teller", "count")).credential
    device = devices(platform).authenticate(credential, None, "http")
    items = [ObservationIn("k1", name, now_us() - 1_000_000 * n, 1.0)
             for n, name in enumerate(("count\n", "count\x00", "count"), start=1)]
    result = write_observations(platform, device, items)
    assert [(p.index, p.code) for p in result.problems] == [(0, "bad_property"),
                                                             (1, "bad_property")]
    assert result.stored == 1
