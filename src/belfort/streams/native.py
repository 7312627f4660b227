"""The native JSON batch: a device's items read into ``ObservationIn`` (or ``ItemProblem``).

A batch is a JSON array of items, or an object ``{"observations": [...]}``. An item names
its sensor, property, phenomenon time (an instant, or an interval), optional result time,
value, quality flag and weight, either in Belfort's own names or in SOSA/OSLO terms:

=====================  ==================================================================
native                 SOSA / OSLO
=====================  ==================================================================
``sensor_id``          ``madeBySensor`` (a URI is read by its last path segment)
``property``           ``observedProperty`` (likewise)
``phenomenon_time``    ``phenomenonTime``: an instant, ``"start/end"`` or
                       ``{"hasBeginning": …, "hasEnd": …}``
``phenomenon_start``   (with ``phenomenon_end``: an interval)
``result_time``        ``resultTime``
``value``              ``hasSimpleResult`` or ``hasResult`` (a number, or an object with
                       ``value`` / ``numericValue``)
``quality``            ``ok`` or ``suspect``
``weight``             the fraction of the interval observed (0–1)
=====================  ==================================================================

A missing sensor is the credential's device; a missing property is the sensor's observed
property. Each item is read on its own: an item that cannot be read becomes an
``ItemProblem`` for its place in the batch, and the others are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from belfort.errors import BatchTooLarge, InvalidRequest
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

MAX_NAME = 300  # longest sensor or property reference read (URIs included)
_SENSOR_KEYS = ("sensor_id", "madeBySensor", "sosa:madeBySensor")
_PROPERTY_KEYS = ("property", "observedProperty", "sosa:observedProperty")
_TIME_KEYS = ("phenomenon_time", "phenomenonTime", "sosa:phenomenonTime")
_RESULT_TIME_KEYS = ("result_time", "resultTime", "sosa:resultTime")
_VALUE_KEYS = ("value", "hasSimpleResult", "sosa:hasSimpleResult", "hasResult",
               "sosa:hasResult")


def batch_items(document: object, max_batch: int) -> list[Any]:
    """The list of items of a parsed batch document; ``InvalidRequest`` when it is neither
    an array nor ``{"observations": [...]}``, ``BatchTooLarge`` past ``max_batch`` items."""
    if isinstance(document, dict):
        if "observations" not in document:
            raise InvalidRequest('send a JSON array of observations, or {"observations": [...]}')
        document = document["observations"]
    if not isinstance(document, list):
        raise InvalidRequest("the observations must be a JSON array")
    if len(document) > max_batch:
        raise BatchTooLarge(
            f"a batch holds at most {max_batch:,} observations; this one has {len(document):,}: "
            "nothing of it was stored",
            details={"limit": max_batch, "received": len(document)},
        )
    return document


def parse_batch(items: Sequence[object], device: Device) -> list[Item]:
    """Each item read against the credential's device (for the defaults)."""
    out: list[Item] = []
    for index, raw in enumerate(items):
        try:
            out.append(parse_item(raw, device))
        except ItemInvalid as problem:
            out.append(ItemProblem(index, problem.code, problem.message))
    return out


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def _name(value: object, what: str, default: str) -> str:
    """A sensor or property reference: a name, or a URI read by its last path segment."""
    if value is None:
        return default
    if isinstance(value, dict):  # {"@id": "..."} as JSON-LD writes a reference
        value = value.get("@id", value.get("id"))
    if not isinstance(value, str) or not value.strip():
        raise ItemInvalid(f"bad_{what}", f"the {what} must be a name or a URI")
    if len(value) > MAX_NAME:
        raise ItemInvalid(f"bad_{what}", f"the {what} is longer than {MAX_NAME} characters")
    text = value.strip()
    if "/" in text or "#" in text:
        text = text.rstrip("/")
        text = text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if not text or "\x00" in text:
        raise ItemInvalid(f"bad_{what}", f"the {what} must be a name or a URI")
    return text


def _interval(value: object) -> tuple[int, int | None]:
    """An instant, ``"start/end"`` or ``{"hasBeginning": …, "hasEnd": …}``."""
    if isinstance(value, dict):
        begin = _first(value, ("hasBeginning", "time:hasBeginning", "start"))
        end = _first(value, ("hasEnd", "time:hasEnd", "end"))
        if begin is None:
            raise ItemInvalid("bad_time", "an interval needs hasBeginning (and hasEnd)")
        begin = _instant(begin)
        return (parse_time(begin, "phenomenon time"),
                None if end is None else parse_time(_instant(end), "phenomenon end"))
    if isinstance(value, str) and "/" in value and len(value) <= 130:
        start, _, end = value.partition("/")
        return parse_time(start, "phenomenon time"), parse_time(end, "phenomenon end")
    return parse_time(value, "phenomenon time"), None


def _instant(value: object) -> object:
    """OWL-Time's ``{"inXSDDateTimeStamp": …}`` (or ``inXSDDateTime``) as its timestamp."""
    if isinstance(value, dict):
        return _first(value, ("inXSDDateTimeStamp", "time:inXSDDateTimeStamp", "inXSDDateTime",
                              "time:inXSDDateTime", "@value"))
    return value


def _value(value: object) -> float:
    if isinstance(value, dict):  # a QUDT/OSLO quantity value
        value = _first(value, ("numericValue", "qudt:numericValue", "value", "@value"))
    if value is None:
        raise ItemInvalid("bad_value", "the item has no value")
    return parse_value(value)


def parse_item(raw: object, device: Device) -> ObservationIn:
    """One native or SOSA item; ``ItemInvalid`` says why it cannot be read."""
    if not isinstance(raw, dict):
        raise ItemInvalid("bad_item", "an observation must be a JSON object")
    if _PLAIN.issuperset(raw):
        fast = _plain(raw, device)
        if fast is not None:
            return fast
    sensor = _name(_first(raw, _SENSOR_KEYS), "sensor", device.id)
    prop = _name(_first(raw, _PROPERTY_KEYS), "property", device.observed_property)
    when = _first(raw, _TIME_KEYS)
    if when is None and "phenomenon_start" in raw:
        start = parse_time(raw["phenomenon_start"], "phenomenon_start")
        end_raw = raw.get("phenomenon_end")
        end = None if end_raw is None else parse_time(end_raw, "phenomenon_end")
    elif when is None:
        raise ItemInvalid("bad_time", "the item has no phenomenon_time")
    else:
        start, end = _interval(when)
        if end is None and raw.get("phenomenon_end") is not None:
            end = parse_time(raw["phenomenon_end"], "phenomenon_end")
    result_raw = _first(raw, _RESULT_TIME_KEYS)
    result = None if result_raw is None else parse_time(_instant(result_raw), "result_time")
    quality = raw.get("quality", QUALITY_OK)
    if not isinstance(quality, str):
        raise ItemInvalid("bad_quality", "the quality flag must be 'ok' or 'suspect'")
    weight_raw = raw.get("weight")
    weight = None if weight_raw is None else _weight(weight_raw)
    return ObservationIn(
        sensor_id=sensor, property=prop, phenomenon_us=start,
        value=_value(_first(raw, _VALUE_KEYS)), phenomenon_end_us=end, result_us=result,
        quality=quality[:20], weight=weight,
    )


# the common item: native names, an instant, a number, the device's own sensor or none
_PLAIN = frozenset({"sensor_id", "property", "phenomenon_time", "value"})


def _plain(raw: dict[str, Any], device: Device) -> ObservationIn | None:
    """The common item read in few steps; None when it needs the general reading."""
    sensor = raw.get("sensor_id", device.id)
    prop = raw.get("property", device.observed_property)
    when = raw.get("phenomenon_time")
    value = raw.get("value")
    if (sensor != device.id or prop != device.observed_property or type(when) is not str
            or "/" in when or type(value) not in (int, float)):
        return None
    return ObservationIn(sensor_id=sensor, property=prop,
                         phenomenon_us=parse_time(when, "phenomenon time"),
                         value=parse_value(value))


def _weight(value: object) -> float:
    try:
        return parse_value(value, "weight")
    except ItemInvalid as problem:
        raise ItemInvalid("bad_weight", problem.message) from None
