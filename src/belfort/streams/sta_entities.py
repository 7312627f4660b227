"""The SensorThings entity types Belfort serves, their filterable properties and their
navigation, and how one entity is rendered as JSON.

A Datastream is one Belfort sensor (``sensors`` row) observing one property; its
Observations are that sensor's rows of that property in ``observations`` (``@iot.id`` is
the row's id). Things, Locations, STA Sensors and ObservedProperties are kept in the
``sta_*`` tables because Belfort has nothing like them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Unpack

from sqlalchemy import ColumnElement, Select, and_, select

from belfort.catalog.models import (
    Observation,
    StaDatastream,
    StaLocation,
    StaObservedProperty,
    StaSensor,
    StaThing,
    StaThingLocation,
)
from belfort.errors import SensorThingsInvalid
from belfort.streams.model import from_us

PREFIX = "/sta/v1.1"


@dataclass(frozen=True)
class Kind:
    plural: str
    singular: str
    # STA property → column, for $filter and $orderby; its type: "number", "text", "time"
    columns: dict[str, tuple[Any, str]]  # (an ORM column, its type)
    # navigation property → (target plural, is a collection)
    navigation: dict[str, tuple[str, bool]]


def _cols(model: Any, **names: tuple[str, str]) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {
        "id": (model.id, "number"), "@iot.id": (model.id, "number")}
    for sta_name, (attribute, kind) in names.items():
        out[sta_name] = (getattr(model, attribute), kind)
    return out


_TEXT = "text"
KINDS: dict[str, Kind] = {
    "Things": Kind("Things", "Thing", _cols(
        StaThing, name=("name", _TEXT), description=("description", _TEXT)),
        {"Locations": ("Locations", True), "Datastreams": ("Datastreams", True)}),
    "Locations": Kind("Locations", "Location", _cols(
        StaLocation, name=("name", _TEXT), description=("description", _TEXT),
        encodingType=("encoding_type", _TEXT)),
        {"Things": ("Things", True)}),
    "Sensors": Kind("Sensors", "Sensor", _cols(
        StaSensor, name=("name", _TEXT), description=("description", _TEXT),
        encodingType=("encoding_type", _TEXT), metadata=("metadata_", _TEXT)),
        {"Datastreams": ("Datastreams", True)}),
    "ObservedProperties": Kind("ObservedProperties", "ObservedProperty", _cols(
        StaObservedProperty, name=("name", _TEXT), definition=("definition", _TEXT),
        description=("description", _TEXT)),
        {"Datastreams": ("Datastreams", True)}),
    "Datastreams": Kind("Datastreams", "Datastream", {
        **_cols(StaDatastream, name=("name", _TEXT), description=("description", _TEXT),
                observationType=("observation_type", _TEXT)),
        "Thing/id": (StaDatastream.thing_id, "number"),
        "Thing/@iot.id": (StaDatastream.thing_id, "number"),
        "Sensor/id": (StaDatastream.sensor_id, "number"),
        "Sensor/@iot.id": (StaDatastream.sensor_id, "number"),
        "ObservedProperty/id": (StaDatastream.observed_property_id, "number"),
        "ObservedProperty/@iot.id": (StaDatastream.observed_property_id, "number"),
    }, {"Thing": ("Things", False), "Sensor": ("Sensors", False),
        "ObservedProperty": ("ObservedProperties", False),
        "Observations": ("Observations", True)}),
    "Observations": Kind("Observations", "Observation", {
        "id": (Observation.id, "number"), "@iot.id": (Observation.id, "number"),
        "phenomenonTime": (Observation.phenomenon_us, "time"),
        "resultTime": (Observation.result_us, "time"),
        "result": (Observation.value, "number"),
        "resultQuality": (Observation.quality, _TEXT),
        "Datastream/id": (StaDatastream.id, "number"),
        "Datastream/@iot.id": (StaDatastream.id, "number"),
    }, {"Datastream": ("Datastreams", False)}),
}
SINGULAR = {kind.singular: kind for kind in KINDS.values()}
MODELS: dict[str, Any] = {"Things": StaThing, "Locations": StaLocation, "Sensors": StaSensor,
                          "ObservedProperties": StaObservedProperty,
                          "Datastreams": StaDatastream}
_OBSERVATION_JOIN = and_(StaDatastream.belfort_sensor_id == Observation.sensor_id,
                         StaDatastream.property == Observation.property)


def base_query(plural: str) -> Select[Unpack[tuple[Any, ...]]]:
    """Every entity of a kind (Observations: those of a Datastream, with its id)."""
    if plural == "Observations":
        return select(Observation, StaDatastream.id).join(StaDatastream, _OBSERVATION_JOIN)
    return select(MODELS[plural])


def id_column(plural: str) -> ColumnElement[Any]:
    column: ColumnElement[Any] = KINDS[plural].columns["id"][0]
    return column


def related(plural: str, entity_id: int, navigation: str) -> tuple[str, ColumnElement[bool]]:
    """The kind reached from entity ``plural(entity_id)`` by ``navigation`` and the condition
    that selects it."""
    target, _ = KINDS[plural].navigation[navigation]
    if plural == "Things" and navigation == "Locations":
        return target, StaLocation.id.in_(
            select(StaThingLocation.location_id).where(StaThingLocation.thing_id == entity_id))
    if plural == "Locations":
        return target, StaThing.id.in_(
            select(StaThingLocation.thing_id).where(StaThingLocation.location_id == entity_id))
    if plural == "Things":
        return target, StaDatastream.thing_id == entity_id
    if plural == "Sensors":
        return target, StaDatastream.sensor_id == entity_id
    if plural == "ObservedProperties":
        return target, StaDatastream.observed_property_id == entity_id
    if plural == "Observations":
        return target, StaDatastream.id == (
            select(StaDatastream.id).join(Observation, _OBSERVATION_JOIN)
            .where(Observation.id == entity_id).scalar_subquery())
    # from a Datastream
    if navigation == "Observations":
        return target, StaDatastream.id == entity_id
    link = {"Thing": StaDatastream.thing_id, "Sensor": StaDatastream.sensor_id,
            "ObservedProperty": StaDatastream.observed_property_id}[navigation]
    return target, id_column(target) == (
        select(link).where(StaDatastream.id == entity_id).scalar_subquery())


def iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def entity_id(plural: str, row: Any) -> int:
    if plural == "Observations":
        return int(row[0].id)
    return int(row.id)


def render(plural: str, row: Any, base: str) -> dict[str, Any]:
    """One entity as SensorThings JSON (without expansions)."""
    kind = KINDS[plural]
    ident = entity_id(plural, row)
    self_link = f"{base}{PREFIX}/{plural}({ident})"
    body: dict[str, Any] = {"@iot.id": ident, "@iot.selfLink": self_link}
    if plural == "Observations":
        observation: Observation = row[0]
        start, end = observation.phenomenon_us, observation.phenomenon_end_us
        body["phenomenonTime"] = iso(start) if end is None else f"{iso(start)}/{iso(end)}"
        body["resultTime"] = iso(observation.result_us)
        body["result"] = _number(observation.value)
        body["resultQuality"] = observation.quality
    else:
        body.update(_fields(plural, row))
    for navigation in kind.navigation:
        body[f"{navigation}@iot.navigationLink"] = f"{self_link}/{navigation}"
    return body


def _fields(plural: str, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": row.name, "description": row.description}
    if plural == "Locations":
        out["encodingType"] = row.encoding_type
        out["location"] = row.location
    elif plural == "Sensors":
        out["encodingType"] = row.encoding_type
        out["metadata"] = row.metadata_
    elif plural == "ObservedProperties":
        out["definition"] = row.definition
    elif plural == "Datastreams":
        out["observationType"] = row.observation_type
        out["unitOfMeasurement"] = row.unit
    properties = dict(row.properties or {})
    if plural == "Datastreams":
        properties["belfort:sensor"] = row.belfort_sensor_id
        properties["belfort:property"] = row.property
    out["properties"] = properties
    return out


_COMMON_FIELDS = ("name", "description", "properties")
FIELDS: dict[str, tuple[str, ...]] = {
    "Things": _COMMON_FIELDS,
    "Locations": (*_COMMON_FIELDS, "encodingType", "location"),
    "Sensors": (*_COMMON_FIELDS, "encodingType", "metadata"),
    "ObservedProperties": (*_COMMON_FIELDS, "definition"),
    "Datastreams": (*_COMMON_FIELDS, "observationType", "unitOfMeasurement"),
    "Observations": ("phenomenonTime", "resultTime", "result", "resultQuality"),
}


def check_select(names: tuple[str, ...], kind: Kind) -> None:
    for name in names:
        if name not in ("id", "@iot.id", "selfLink", "@iot.selfLink") and \
                name not in kind.navigation and name not in FIELDS[kind.plural]:
            raise SensorThingsInvalid(f"$select: {kind.plural} have no property {name[:40]!r}")


def select_fields(body: dict[str, Any], names: tuple[str, ...], kind: Kind) -> dict[str, Any]:
    """``body`` limited to the ``$select``ed properties (expansions stay)."""
    check_select(names, kind)
    wanted: set[str] = set()
    for name in names:
        if name in ("id", "@iot.id"):
            wanted.add("@iot.id")
        elif name in ("selfLink", "@iot.selfLink"):
            wanted.add("@iot.selfLink")
        elif name in kind.navigation:
            wanted.add(f"{name}@iot.navigationLink")
        else:
            wanted.add(name)
    return {key: value for key, value in body.items()
            if key in wanted or (key in kind.navigation and isinstance(value, (list, dict)))
            or (key.split("@")[0] in kind.navigation and key.endswith(("@iot.nextLink",
                                                                        "@iot.count")))}


_PROPERTY_CHARS = re.compile(r"[^a-z0-9_.-]+")


def property_name(observed: str) -> str:
    """A Belfort property name for an ObservedProperty's name: lower case, runs of other
    characters as ``_`` ("Air Temperature (°C)" → ``air_temperature_c``)."""
    name = _PROPERTY_CHARS.sub("_", observed.strip().lower()).strip("_.-")[:100]
    if not name:
        return "value"
    if not (name[0].isalpha() or name[0] == "_"):
        name = ("p_" + name)[:100]
    return name
