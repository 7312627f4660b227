"""MQTT topics Belfort reads, and their payloads read into observations.

- FIWARE IoT Agent JSON (``belfort.streams.fiware``): ``/json/<apikey>/<device_id>/attrs``
  (an object of attribute → value) and ``/json/<apikey>/<device_id>/attrs/<attr>`` (one
  value); the apikey is the device's credential.
- Belfort's own scheme: ``belfort/v1/sensors/<sensor_id>/observations`` with the payload
  ``{"credential": "bfd_…", "observations": [item, …]}``, the items exactly those of the
  native HTTP batch (``belfort.streams.native``: Belfort's names or SOSA/OSLO terms).

``read_message`` turns a topic and payload into an ``Incoming``: who claims to send it and,
once that device is authenticated, its items. A message that cannot be read at all raises
``PayloadInvalid`` (its ``reason`` is recorded as a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from belfort.streams.fiware import PayloadInvalid, attrs_items, decode_json, single_item
from belfort.streams.model import ItemProblem, ObservationIn
from belfort.streams.native import parse_batch
from belfort.streams.sensors import Device

Item = ObservationIn | ItemProblem

FIWARE_ATTRS = "/json/+/+/attrs"
FIWARE_ATTR = "/json/+/+/attrs/+"
NATIVE = "belfort/v1/sensors/+/observations"
DEFAULT_TOPICS = (FIWARE_ATTRS, FIWARE_ATTR, NATIVE)


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
        return parse_batch(self.native or [], device)


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
