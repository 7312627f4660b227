"""MQTT topics Belfort reads, and their payloads read into observations.

- FIWARE IoT Agent JSON (``belfort.streams.fiware``): ``/json/<apikey>/<device_id>/attrs``
  (an object of attribute → value) and ``/json/<apikey>/<device_id>/attrs/<attr>`` (one
  value); the apikey is the device's credential.
- Belfort's own scheme: ``belfort/v1/sensors/<sensor_id>/observations`` with the payload
  ``{"credential": "bfd_…", "observations": [item, …]}``, an item being
  ``{"phenomenon_time": …, "value": …}`` and optionally ``property`` (default: the sensor's
  observed property), ``phenomenon_end``, ``result_time``, ``quality`` and ``weight`` — the
  items of the native HTTP batch.

``read_message`` turns a topic and payload into an ``Incoming``: who claims to send it and,
once that device is authenticated, its items. A message that cannot be read at all raises
``PayloadInvalid`` (its ``reason`` is recorded as a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from belfort.streams.fiware import PayloadInvalid, attrs_items, decode_json, single_item
from belfort.streams.model import (
    QUALITY_OK,
    ItemInvalid,
    ItemProblem,
    ObservationIn,
    parse_time,
    parse_value,
)
from belfort.streams.sensors import Device

Item = ObservationIn | ItemProblem

FIWARE_ATTRS = "/json/+/+/attrs"
FIWARE_ATTR = "/json/+/+/attrs/+"
NATIVE = "belfort/v1/sensors/+/observations"
DEFAULT_TOPICS = (FIWARE_ATTRS, FIWARE_ATTR, NATIVE)
NATIVE_KEYS = {"sensor_id", "property", "phenomenon_time", "time", "phenomenon_end",
               "result_time", "value", "quality", "weight"}


@dataclass(frozen=True)
class Incoming:
    """A readable message: the credential and device it names, and what it carries."""

    channel: str  # "fiware-mqtt" or "mqtt" (as refusals record it)
    credential: str | None
    device_id: str
    received_us: int
    attrs: list[Item] | None = None  # FIWARE: the items, already read
    native: list[Any] | None = None  # native: the raw items, read once the device is known

    def items(self, device: Device) -> list[Item]:
        if self.attrs is not None:
            return self.attrs
        return [_native_item(device, index, raw, self.received_us)
                for index, raw in enumerate(self.native or [])]


def claimed_device(topic: str) -> str:
    """The device a topic names (for recording a refusal), or ``?``."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[:2] == ["", "json"]:
        return parts[3][:100] or "?"
    if len(parts) == 5 and parts[:3] == ["belfort", "v1", "sensors"]:
        return parts[3][:100] or "?"
    return "?"


def read_message(topic: str, payload: bytes, received_us: int, *, max_bytes: int,
                 max_items: int) -> Incoming:
    """``PayloadInvalid`` when the topic is not one Belfort reads or the payload cannot be
    read as a whole; otherwise the message, items not yet checked."""
    parts = topic.split("/")
    if len(parts) in (5, 6) and parts[:2] == ["", "json"] and parts[4] == "attrs":
        apikey, device_id = parts[2], parts[3]
        if len(parts) == 6:
            item = single_item(device_id, parts[5], payload, received_us, max_bytes=max_bytes)
            return Incoming("fiware-mqtt", apikey, device_id, received_us, attrs=[item])
        body = decode_json(payload, max_bytes=max_bytes)
        return Incoming("fiware-mqtt", apikey, device_id, received_us,
                        attrs=attrs_items(device_id, body, received_us, max_items=max_items))
    if len(parts) == 5 and parts[:3] == ["belfort", "v1", "sensors"] \
            and parts[4] == "observations":
        body = decode_json(payload, max_bytes=max_bytes)
        if not isinstance(body, dict):
            raise PayloadInvalid("not_an_object", 'the payload must be a JSON object '
                                 '{"credential": …, "observations": […]}')
        credential = body.get("credential")
        observations = body.get("observations")
        if not isinstance(observations, list):
            raise PayloadInvalid("no_observations", '"observations" must be a list of items')
        if len(observations) > max_items:
            raise PayloadInvalid("too_many_items",
                                 f"more than {max_items} observations in one message")
        return Incoming("mqtt", credential if isinstance(credential, str) else None,
                        parts[3], received_us, native=observations)
    raise PayloadInvalid("unknown_topic", "not a topic Belfort reads")


def _native_item(device: Device, index: int, raw: Any, received_us: int) -> Item:
    try:
        if not isinstance(raw, dict):
            raise ItemInvalid("bad_item", "an observation must be a JSON object")
        unknown = sorted(str(k)[:40] for k in raw if k not in NATIVE_KEYS)
        if unknown:
            raise ItemInvalid("bad_item", f"unknown member(s): {', '.join(unknown[:5])}")
        sensor_id = raw.get("sensor_id", device.id)
        prop = raw.get("property", device.observed_property)
        if not isinstance(sensor_id, str) or not isinstance(prop, str):
            raise ItemInvalid("bad_item", "sensor_id and property must be strings")
        if "value" not in raw:
            raise ItemInvalid("bad_value", "the item has no value")
        stamp = raw.get("phenomenon_time", raw.get("time"))
        when = received_us if stamp is None else parse_time(stamp, "phenomenon_time")
        end = raw.get("phenomenon_end")
        result = raw.get("result_time")
        weight = raw.get("weight")
        quality = raw.get("quality", QUALITY_OK)
        if not isinstance(quality, str):
            raise ItemInvalid("bad_quality", "the quality flag must be 'ok' or 'suspect'")
        return ObservationIn(
            sensor_id[:200], prop[:200], when, parse_value(raw["value"]),
            phenomenon_end_us=None if end is None else parse_time(end, "phenomenon_end"),
            result_us=None if result is None else parse_time(result, "result_time"),
            quality=quality[:20],
            weight=None if weight is None else parse_value(weight, "weight"),
        )
    except ItemInvalid as exc:
        return ItemProblem(index, exc.code, exc.message)
