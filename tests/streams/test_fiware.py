"""Reading the FIWARE IoT Agent JSON measures and Belfort's MQTT topics, without a broker;
the bridge's settings (broker URL, shared filters, client-id slots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from belfort.errors import MqttSettingsInvalid
from belfort.streams.fiware import PayloadInvalid, attrs_items, single_item
from belfort.streams.model import ItemProblem, ObservationIn, parse_time
from belfort.streams.mqtt import MqttBridge, claim_client_id, parse_broker_url, shared_filters
from belfort.streams.mqtt_topics import claimed_device, read_message
from belfort.streams.sensors import Device

NOW = parse_time("2026-04-01T12:00:00Z")
DEVICE = Device("teller-1", "sensorwaarnemingen", "count", None, None)


def test_time_instant_is_the_time_of_every_attribute() -> None:
    items = attrs_items("teller-1", {"count": 3, "TimeInstant": "2026-04-01T10:00:00+02:00",
                                     "temperature": "12,5"}, NOW, max_items=10)
    assert items == [ObservationIn("teller-1", "count", NOW - 4 * 3_600_000_000, 3.0),
                     ObservationIn("teller-1", "temperature", NOW - 4 * 3_600_000_000, 12.5)]
    epoch = attrs_items("teller-1", {"count": 1, "TimeInstant": 1_775_044_800_000}, 0,
                        max_items=10)
    assert [i.phenomenon_us for i in epoch if isinstance(i, ObservationIn)] == [NOW]


def test_a_bad_time_instant_refuses_every_attribute_and_bad_values_one_each() -> None:
    items = attrs_items("teller-1", {"count": 1, "other": 2, "TimeInstant": "soon"}, NOW,
                        max_items=10)
    assert [(i.index, i.code) for i in items if isinstance(i, ItemProblem)] == [
        (0, "bad_time"), (1, "bad_time")]
    mixed = attrs_items("teller-1", {"a": None, "b": [1], "c": {"d": 1}, "e": "NaN", "f": True,
                                     "g": 1e400, "h": 2}, NOW, max_items=10)
    assert [isinstance(i, ObservationIn) for i in mixed] == [False] * 4 + [True, False, True]
    assert attrs_items("teller-1", {"t": 1}, NOW, time_us=5, max_items=1)[0] == \
        ObservationIn("teller-1", "t", 5, 1.0)


@pytest.mark.parametrize(("body", "reason"), [
    ([1], "not_an_object"), ("x", "not_an_object"), ({}, "no_attributes"),
    ({"a": 1, "b": 2, "c": 3}, "too_many_items"),
])
def test_unreadable_measures(body: object, reason: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        attrs_items("teller-1", body, NOW, max_items=2)
    assert caught.value.reason == reason


def test_a_single_value_is_json_or_text() -> None:
    assert single_item("d", "count", b" 17 ", NOW, max_bytes=100) == \
        ObservationIn("d", "count", NOW, 17.0)
    assert single_item("d", "count", b"3,5", NOW, max_bytes=100) == \
        ObservationIn("d", "count", NOW, 3.5)
    problem = single_item("d", "count", b"<b>x</b>", NOW, max_bytes=100)
    assert isinstance(problem, ItemProblem) and problem.code == "bad_value"
    with pytest.raises(PayloadInvalid):
        single_item("d", "count", b"1" * 101, NOW, max_bytes=100)
    with pytest.raises(PayloadInvalid):
        single_item("d", "count", b"\xff\xfe", NOW, max_bytes=100)


def test_topics() -> None:
    fiware = read_message("/json/KEY/teller-1/attrs", b'{"count": 4}', NOW, max_bytes=1000,
                          max_items=10)
    assert (fiware.channel, fiware.credential, fiware.device_id) == \
        ("fiware-mqtt", "KEY", "teller-1")
    assert fiware.items(DEVICE) == [ObservationIn("teller-1", "count", NOW, 4.0)]
    native = read_message("belfort/v1/sensors/teller-1/observations",
                          b'{"credential": "KEY", "observations": [{"value": 2, '
                          b'"phenomenon_time": "2026-04-01T12:00:00Z"}, {"value": 1}, 7]}', NOW,
                          max_bytes=1000, max_items=10)
    items = native.items(DEVICE)
    assert items[0] == ObservationIn("teller-1", "count", NOW, 2.0)
    assert [(i.index, i.code) for i in items[1:] if isinstance(i, ItemProblem)] == [
        (1, "bad_time"), (2, "bad_item")]
    for topic in ("/json/KEY/teller-1/cmd", "json/KEY/teller-1/attrs", "belfort/v2/x",
                  "/json/KEY/teller-1/attrs/a/b"):
        with pytest.raises(PayloadInvalid):
            read_message(topic, b"{}", NOW, max_bytes=1000, max_items=10)
    assert claimed_device("/json/KEY/teller-1/attrs/x") == "teller-1"
    assert claimed_device("elsewhere") == "?"


def test_broker_url_filters_and_client_id_slots(tmp_path: Path) -> None:
    broker = parse_broker_url("mqtts://bridge:s%40cret@broker.gent.be")
    assert (broker.host, broker.port, broker.tls, broker.username, broker.password) == \
        ("broker.gent.be", 8883, True, "bridge", "s@cret")
    assert parse_broker_url("mqtt://127.0.0.1").port == 1883
    for bad in ("http://x", "mqtt://", "mqtt://x:99999", "127.0.0.1:1883"):
        with pytest.raises(MqttSettingsInvalid):
            parse_broker_url(bad)
    assert shared_filters("/json/+/+/attrs, a/#", "belfort") == [
        "$share/belfort//json/+/+/attrs", "$share/belfort/a/#"]
    assert shared_filters("a/#", "") == ["a/#"]
    first, held = claim_client_id(tmp_path, "belfort-x")
    second, also = claim_client_id(tmp_path, "belfort-x")
    assert (first, second) == ("belfort-x-0", "belfort-x-1")
    held.close()  # the process that held slot 0 is gone: the next one takes it over
    third, again = claim_client_id(tmp_path, "belfort-x")
    assert third == "belfort-x-0"
    also.close()
    again.close()


@pytest.mark.parametrize("base", ["../../etc/evil", "a/b", "x\u0000y", "<script>", "a" * 41])
def test_a_client_id_base_that_is_no_name_is_refused(tmp_path: Path, base: str) -> None:
    from belfort.platform import Platform
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=tmp_path / "data",
                                 database_url=f"sqlite:///{tmp_path / 'c.sqlite'}",
                                 mqtt_url="mqtt://127.0.0.1:1"))
    try:
        with pytest.raises(MqttSettingsInvalid):
            MqttBridge(platform, client_id=base)
    finally:
        platform.close()
    assert not (tmp_path / "data" / "mqtt").exists() or not any(
        (tmp_path / "data" / "mqtt").iterdir())
    assert not (tmp_path / "etc").exists()


def test_the_command_refuses_a_bad_broker_url(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from belfort.cli import main

    result = CliRunner().invoke(main, ["mqtt-bridge", "--data-dir", str(tmp_path / "d"),
                                       "--url", "http://<b>:99999"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["mqtt-bridge", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2 and "BELFORT_MQTT_URL" in result.output
