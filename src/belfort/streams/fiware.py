"""The FIWARE IoT Agent JSON form of measures, read into observations.

Devices set up for a FIWARE IoT Agent (JSON protocol) send a flat JSON object of attribute →
value, over MQTT on ``/json/<apikey>/<device_id>/attrs`` or over HTTP as
``POST /iot/json?k=<apikey>&i=<device_id>``, or one value on
``/json/<apikey>/<device_id>/attrs/<attr>``. In Belfort each device is provisioned with its
own credential as its apikey (``belfort sensors add`` prints it), so the apikey authenticates
the device; the device id is the sensor id.

Each attribute becomes one observation of that property. The attribute ``TimeInstant``, when
present, is the phenomenon time of all the others (as the IoT Agent treats it); otherwise the
time the message was received is. A value that is not a number is refused for that attribute
only (``bad_value``), the other attributes are kept.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from belfort.streams.model import ItemInvalid, ItemProblem, ObservationIn, parse_time, parse_value

TIME_ATTRIBUTE = "TimeInstant"
Item = ObservationIn | ItemProblem


class PayloadInvalid(ValueError):
    """A whole message or body that cannot be read (not JSON, not an object, too large):
    ``reason`` is a stable code, recorded as the refusal's reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def decode_json(payload: bytes, *, max_bytes: int) -> Any:
    """The JSON value of a payload; ``PayloadInvalid`` when it is too large or not JSON."""
    if len(payload) > max_bytes:
        raise PayloadInvalid("too_large", f"the payload is larger than {max_bytes} bytes")
    try:
        return orjson.loads(payload)  # strict UTF-8 and JSON, no NaN; fast
    except (orjson.JSONDecodeError, RecursionError):
        raise PayloadInvalid("not_json", "the payload is not JSON (UTF-8)") from None


def _label(name: str) -> str:
    return repr(name[:60])


def attrs_items(device_id: str, body: Any, received_us: int, *,
                time_us: int | None = None, max_items: int) -> list[Item]:
    """A measures object → one item per attribute (``TimeInstant`` excepted), in order.

    ``time_us`` (the HTTP form's ``t``) is the phenomenon time when the body has no
    ``TimeInstant``; failing both, ``received_us`` is. ``PayloadInvalid`` when the body is
    not an object, has no attributes or more than ``max_items``."""
    if not isinstance(body, dict):
        raise PayloadInvalid("not_an_object",
                             "the measures must be a JSON object of attribute → value")
    names = [name for name in body if name != TIME_ATTRIBUTE]
    if not names:
        raise PayloadInvalid("no_attributes", "the measures object has no attributes")
    if len(names) > max_items:
        raise PayloadInvalid("too_many_items",
                             f"more than {max_items} attributes in one message")
    stamp_problem: ItemInvalid | None = None
    when = time_us if time_us is not None else received_us
    if TIME_ATTRIBUTE in body:
        try:
            when = parse_time(body[TIME_ATTRIBUTE], TIME_ATTRIBUTE)
        except ItemInvalid as exc:
            stamp_problem = exc
    items: list[Item] = []
    for index, name in enumerate(names):
        if stamp_problem is not None:
            items.append(ItemProblem(index, stamp_problem.code, stamp_problem.message))
            continue
        try:
            value = parse_value(body[name])
        except ItemInvalid:
            try:  # again, for the message naming the attribute
                parse_value(body[name], f"attribute {_label(name)}")
            except ItemInvalid as exc:
                items.append(ItemProblem(index, exc.code, exc.message))
            continue
        items.append(ObservationIn(device_id, name, when, value))
    return items


def single_item(device_id: str, attribute: str, payload: bytes, received_us: int, *,
                max_bytes: int) -> Item:
    """The one value of ``/json/<apikey>/<device_id>/attrs/<attr>``: a JSON value, or the
    payload's text (``21.5``) when it is not JSON."""
    if len(payload) > max_bytes:
        raise PayloadInvalid("too_large", f"the payload is larger than {max_bytes} bytes")
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise PayloadInvalid("not_utf8", "the payload is not UTF-8 text") from None
    value: Any
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = text
    try:
        number = parse_value(value, f"attribute {_label(attribute)}")
    except ItemInvalid as exc:
        return ItemProblem(0, exc.code, exc.message)
    return ObservationIn(device_id, attribute, received_us, number)
