"""Creating SensorThings entities, with deep insert, and adding Observations through the
one durable write path (``belfort.streams.write.write_observations``).

An entity nested in a body either refers to an existing one (it has ``@iot.id``; its
other keys are ignored, as clients send whole objects back) or is created with its parent.
A new Datastream is a new Belfort sensor ``sta-<datastream id>`` (its credential is returned
once, in ``belfort:credentials``), unless its ``properties`` name an existing sensor in
``belfort:sensor``. Its property is the ObservedProperty's name, normalised
(``sta_entities.property_name``). Metadata is committed in one transaction; Observations in
the same body are written after it, each batch durable before the answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from belfort.catalog.models import (
    Observation,
    Sensor,
    StaDatastream,
    StaLocation,
    StaObservedProperty,
    StaSensor,
    StaThing,
    StaThingLocation,
)
from belfort.errors import Conflict, Forbidden, SensorThingsInvalid, SensorThingsNotFound
from belfort.platform import Platform
from belfort.streams.model import ItemInvalid, ObservationIn, now_us, parse_time, parse_value
from belfort.streams.sensors import (
    SENSOR_ID,
    Device,
    SensorSpec,
    record_refusal,
    register_sensor,
)
from belfort.streams.sta_entities import MODELS, property_name
from belfort.streams.write import write_observations

MAX_TEXT = 10_000
MAX_NAME = 200
MAX_JSON = 16_384
MAX_ENTITIES = 1_000  # entities one body may create
OM_MEASUREMENT = ("http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement")
GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                 "MultiPolygon")
_COMMON = {"@iot.id", "@iot.selfLink", "name", "description", "properties"}
ALLOWED = {
    "Things": _COMMON | {"Locations", "Datastreams"},
    "Locations": _COMMON | {"encodingType", "location", "Things"},
    "Sensors": _COMMON | {"encodingType", "metadata", "Datastreams"},
    "ObservedProperties": _COMMON | {"definition", "Datastreams"},
    "Datastreams": _COMMON | {"observationType", "unitOfMeasurement", "Thing", "Sensor",
                              "ObservedProperty", "Observations", "observedArea",
                              "phenomenonTime", "resultTime"},
    "Observations": {"@iot.id", "@iot.selfLink", "phenomenonTime", "resultTime", "result",
                     "resultQuality", "validTime", "parameters", "Datastream"},
}


@dataclass
class Outcome:
    """What a POST made: the entity's kind and id, and credentials of new sensors."""

    plural: str
    id: int
    credentials: dict[str, str] = field(default_factory=dict)


@dataclass
class _Work:
    """State of one body's creation."""

    created: int = 0
    credentials: dict[str, str] = field(default_factory=dict)
    # observations to write once the metadata is committed: (datastream id, item)
    observations: list[tuple[int, ObservationIn]] = field(default_factory=list)


def _bad(message: str) -> SensorThingsInvalid:
    return SensorThingsInvalid(message)


def _text(body: dict[str, Any], key: str, what: str, *, required: bool = False,
          limit: int = MAX_TEXT, default: str = "") -> str:
    value = body.get(key)
    if value is None:
        if required:
            raise _bad(f"{what}: {key} is required")
        return default
    if not isinstance(value, str):
        raise _bad(f"{what}: {key} must be a text")
    if "\x00" in value:
        raise _bad(f"{what}: {key} contains a NUL character")
    if len(value) > limit:
        raise _bad(f"{what}: {key} is longer than {limit} characters")
    if required and not value.strip():
        raise _bad(f"{what}: {key} is required")
    return value


def _json(body: dict[str, Any], key: str, what: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad(f"{what}: {key} must be a JSON object")
    text = json.dumps(value)
    if len(text) > MAX_JSON or "\\u0000" in text:
        raise _bad(f"{what}: {key} is larger than {MAX_JSON} characters or holds NUL")
    return value


def _check_keys(plural: str, body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _bad(f"{what} must be a JSON object")
    unknown = sorted(key for key in body if key not in ALLOWED[plural]
                     and not key.endswith("@iot.navigationLink"))
    if unknown:
        raise _bad(f"{what}: unknown or unsupported properties: "
                   f"{', '.join(repr(k[:40]) for k in unknown[:5])}")
    return body


def _reference(session: Session, plural: str, body: dict[str, Any], what: str) -> int | None:
    """The id an entity refers to by ``@iot.id`` (checked to exist), else None."""
    if "@iot.id" not in body:
        return None
    ident = body["@iot.id"]
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident < 2**31:
        raise _bad(f"{what}: @iot.id must be a positive whole number")
    if session.get(MODELS[plural], ident) is None:
        raise SensorThingsNotFound(f"{what}: no {plural}({ident})")
    return ident


def _geometry(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in GEOJSON_TYPES:
        raise _bad(f"{what}: location must be a GeoJSON geometry "
                   f"({', '.join(GEOJSON_TYPES)})")
    depth = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
             "Polygon": 2, "MultiPolygon": 3}[value["type"]]
    count = 0

    def check(node: Any, level: int) -> None:
        nonlocal count
        if level == 0:
            if (not isinstance(node, list) or len(node) not in (2, 3) or any(
                    isinstance(c, bool) or not isinstance(c, (int, float))
                    or not math.isfinite(c) for c in node)):
                raise _bad(f"{what}: a position is [longitude, latitude] in numbers")
            if not (-180 <= node[0] <= 180 and -90 <= node[1] <= 90):
                raise _bad(f"{what}: a position lies outside longitude -180..180, "
                           "latitude -90..90")
            count += 1
            if count > 10_000:
                raise _bad(f"{what}: more than 10,000 positions")
            return
        if not isinstance(node, list) or not node:
            raise _bad(f"{what}: the coordinates of a {value['type']} are nested wrongly")
        for child in node:
            check(child, level - 1)

    check(value.get("coordinates"), depth)
    return {"type": value["type"], "coordinates": value["coordinates"]}


class Creator:
    """Creates the entities of one POST body (in ``session``, not yet committed)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.work = _Work()

    def _count(self) -> None:
        self.work.created += 1
        if self.work.created > MAX_ENTITIES:
            raise _bad(f"one body may create at most {MAX_ENTITIES} entities")

    def entity(self, plural: str, body: Any, what: str, link: dict[str, int] | None = None
               ) -> int:
        body = _check_keys(plural, body, what)
        ident = _reference(self.session, plural, body, what)
        if ident is not None:
            return ident
        self._count()
        make = {"Things": self._thing, "Locations": self._location, "Sensors": self._sensor,
                "ObservedProperties": self._observed_property,
                "Datastreams": self._datastream}.get(plural)
        if make is None:
            raise _bad(f"{what}: Observations are created with POST .../Observations")
        return make(body, what, link or {})

    def _children(self, body: dict[str, Any], key: str, plural: str, what: str,
                  link: dict[str, int]) -> list[int]:
        items = body.get(key)
        if items is None:
            return []
        if not isinstance(items, list):
            raise _bad(f"{what}: {key} must be a list")
        return [self.entity(plural, item, f"{what}.{key}[{i}]", link)
                for i, item in enumerate(items)]

    def _thing(self, body: dict[str, Any], what: str, link: dict[str, int]) -> int:
        thing = StaThing(name=_text(body, "name", what, required=True, limit=MAX_NAME),
                         description=_text(body, "description", what),
                         properties=_json(body, "properties", what))
        self.session.add(thing)
        self.session.flush()
        for location in self._children(body, "Locations", "Locations", what, {}):
            self._link(thing.id, location)
        if "location" in link:
            self._link(thing.id, link["location"])
        self._children(body, "Datastreams", "Datastreams", what, {"thing": thing.id})
        return thing.id

    def _link(self, thing: int, location: int) -> None:
        if self.session.get(StaThingLocation, (thing, location)) is None:
            self.session.add(StaThingLocation(thing_id=thing, location_id=location))
            self.session.flush()

    def _location(self, body: dict[str, Any], what: str, link: dict[str, int]) -> int:
        if "location" not in body:
            raise _bad(f"{what}: location (GeoJSON) is required")
        location = StaLocation(
            name=_text(body, "name", what, required=True, limit=MAX_NAME),
            description=_text(body, "description", what),
            encoding_type=_text(body, "encodingType", what, limit=100,
                                default="application/geo+json"),
            location=_geometry(body["location"], what),
            properties=_json(body, "properties", what))
        self.session.add(location)
        self.session.flush()
        for thing in self._children(body, "Things", "Things", what, {"location": location.id}):
            self._link(thing, location.id)
        if "thing" in link:  # POST Things(id)/Locations
            self._link(link["thing"], location.id)
        return location.id

    def _sensor(self, body: dict[str, Any], what: str, link: dict[str, int]) -> int:
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, str):
            metadata = json.dumps(metadata)[:MAX_TEXT + 1]
        sensor = StaSensor(
            name=_text(body, "name", what, required=True, limit=MAX_NAME),
            description=_text(body, "description", what),
            encoding_type=_text(body, "encodingType", what, limit=100),
            metadata_=_text({"metadata": metadata}, "metadata", what),
            properties=_json(body, "properties", what))
        self.session.add(sensor)
        self.session.flush()
        self._children(body, "Datastreams", "Datastreams", what, {"sensor": sensor.id})
        return sensor.id

    def _observed_property(self, body: dict[str, Any], what: str, link: dict[str, int]) -> int:
        observed = StaObservedProperty(
            name=_text(body, "name", what, required=True, limit=MAX_NAME),
            definition=_text(body, "definition", what, limit=500),
            description=_text(body, "description", what),
            properties=_json(body, "properties", what))
        self.session.add(observed)
        self.session.flush()
        self._children(body, "Datastreams", "Datastreams", what,
                       {"observed_property": observed.id})
        return observed.id

    def _part(self, body: dict[str, Any], key: str, plural: str, what: str,
              link: dict[str, int], link_key: str) -> int:
        if link_key in link:
            return link[link_key]
        if body.get(key) is None:
            raise _bad(f"{what}: {key} is required (a new one, or {{\"@iot.id\": …}})")
        return self.entity(plural, body[key], f"{what}.{key}")

    def _datastream(self, body: dict[str, Any], what: str, link: dict[str, int]) -> int:
        unit = _json(body, "unitOfMeasurement", what)
        if unit is None:
            raise _bad(f"{what}: unitOfMeasurement is required")
        thing = self._part(body, "Thing", "Things", what, link, "thing")
        sensor = self._part(body, "Sensor", "Sensors", what, link, "sensor")
        observed = self._part(body, "ObservedProperty", "ObservedProperties", what, link,
                              "observed_property")
        properties = dict(_json(body, "properties", what) or {})
        chosen = properties.pop("belfort:sensor", None)
        properties.pop("belfort:property", None)
        observed_row = self.session.get(StaObservedProperty, observed)
        assert observed_row is not None
        prop = property_name(observed_row.name)
        name = _text(body, "name", what, required=True, limit=MAX_NAME)
        datastream = StaDatastream(
            name=name, description=_text(body, "description", what),
            observation_type=_text(body, "observationType", what, limit=200,
                                   default=OM_MEASUREMENT),
            unit=unit, properties=properties or None, thing_id=thing, sensor_id=sensor,
            observed_property_id=observed, belfort_sensor_id="", property=prop)
        self.session.add(datastream)
        self.session.flush()
        if chosen is not None:
            if not isinstance(chosen, str) or not SENSOR_ID.match(chosen):
                raise _bad(f"{what}: properties.belfort:sensor must be a sensor id")
            sensor_row = self.session.get(Sensor, chosen)
            if sensor_row is None or not sensor_row.active:
                raise SensorThingsNotFound(f"{what}: no active Belfort sensor {chosen!r}")
            taken = self.session.scalar(select(StaDatastream.id).where(
                StaDatastream.belfort_sensor_id == chosen, StaDatastream.property == prop))
            if taken is not None:
                raise Conflict(f"{what}: sensor {chosen!r} already has a Datastream of "
                               f"{prop!r}: Datastreams({taken})")
            datastream.belfort_sensor_id = chosen
        else:
            datastream.belfort_sensor_id = self._new_sensor(datastream, unit, thing)
        self.session.flush()
        items = body.get("Observations")
        if items is not None:
            if not isinstance(items, list):
                raise _bad(f"{what}: Observations must be a list")
            for index, item in enumerate(items):
                self.work.observations.append((datastream.id, observation_item(
                    item, datastream, f"{what}.Observations[{index}]")))
        return datastream.id

    def _new_sensor(self, datastream: StaDatastream, unit: dict[str, Any], thing: int) -> str:
        longitude = latitude = None
        for location in self.session.scalars(
                select(StaLocation).join(StaThingLocation,
                                         StaThingLocation.location_id == StaLocation.id)
                .where(StaThingLocation.thing_id == thing)):
            if location.location.get("type") == "Point":
                longitude, latitude = location.location["coordinates"][:2]
                break
        symbol = unit.get("symbol")
        sensor_id = f"sta-{datastream.id}"
        created = register_sensor(self.session, SensorSpec(
            id=sensor_id, name=datastream.name.strip()[:200] or sensor_id, kind="sensorthings",
            observed_property=datastream.property,
            unit=symbol[:50] if isinstance(symbol, str) and symbol else None,
            longitude=longitude, latitude=latitude))
        self.work.credentials[sensor_id] = created.credential
        return sensor_id


def observation_item(body: Any, datastream: StaDatastream, what: str) -> ObservationIn:
    """An Observation body as the write path's item (``SensorThingsInvalid`` when it cannot
    be read)."""
    body = _check_keys("Observations", body, what)
    if "@iot.id" in body:
        raise _bad(f"{what}: a new Observation has no @iot.id")
    if "result" not in body:
        raise _bad(f"{what}: result is required")
    try:
        value = parse_value(body["result"], "result")
        phenomenon = body.get("phenomenonTime")
        end = None
        if phenomenon is None:
            start = now_us()
        elif isinstance(phenomenon, str) and "/" in phenomenon:
            first, _, last = phenomenon.partition("/")
            start = parse_time(first, "phenomenonTime")
            end = parse_time(last, "phenomenonTime's end")
        else:
            start = parse_time(phenomenon, "phenomenonTime")
        result_time = body.get("resultTime")
        result_us = None if result_time is None else parse_time(result_time, "resultTime")
    except ItemInvalid as exc:
        raise _bad(f"{what}: {exc.message}") from None
    return ObservationIn(sensor_id=datastream.belfort_sensor_id, property=datastream.property,
                         phenomenon_us=start, value=value, phenomenon_end_us=end,
                         result_us=result_us)


def create(platform: Platform, plural: str, body: Any, link: dict[str, int]) -> Outcome:
    """Create an entity (not an Observation) with everything nested in it; admin only."""
    try:
        with platform.db.session() as session:
            creator = Creator(session)
            ident = creator.entity(plural, body, plural[:-1] if plural != "ObservedProperties"
                                   else "ObservedProperty", link)
            work = creator.work
    except IntegrityError:  # another request took the same sensor and property just now
        raise Conflict("another request created the same Datastream (sensor and property) "
                       "at the same time; nothing was created") from None
    for datastream_id, item in work.observations:
        _write(platform, datastream_id, item, None)
    return Outcome(plural, ident, work.credentials)


def datastream_of(platform: Platform, body: Any, parent: int | None) -> StaDatastream:
    """The Datastream an Observation body is for (the path's, or its ``Datastream``)."""
    with platform.db.session() as session:
        if parent is None:
            reference = body.get("Datastream") if isinstance(body, dict) else None
            if not isinstance(reference, dict) or "@iot.id" not in reference:
                raise _bad("Observation: Datastream is required as {\"@iot.id\": …}")
            parent = _reference(session, "Datastreams", reference, "Observation.Datastream")
        datastream = session.get(StaDatastream, parent)
        if datastream is None:
            raise SensorThingsNotFound(f"no Datastreams({parent})")
        return datastream


def add_observation(platform: Platform, body: Any, parent: int | None,
                    device: Device | None) -> Outcome:
    """Store one Observation (``device``: the authenticated device, None for an admin)."""
    datastream = datastream_of(platform, body, parent)
    if device is not None and device.id != datastream.belfort_sensor_id:
        record_refusal(platform, device.id, "sta", "other_datastream")
        raise Forbidden(f"the credential of {device.id!r} may not add Observations to "
                        f"Datastreams({datastream.id})")
    if isinstance(body, dict) and parent is not None:
        body = {k: v for k, v in body.items() if k != "Datastream"}
    item = observation_item(body, datastream, "Observation")
    ident = _write(platform, datastream.id, item, device)
    return Outcome("Observations", ident)


def _write(platform: Platform, datastream_id: int, item: ObservationIn,
           device: Device | None) -> int:
    if device is None:
        with platform.db.session() as session:
            sensor = session.get(Sensor, item.sensor_id)
            if sensor is None or not sensor.active:
                raise Conflict(f"the Belfort sensor {item.sensor_id!r} of "
                               f"Datastreams({datastream_id}) is revoked")
            device = Device(sensor.id, sensor.dataset_id, sensor.observed_property,
                            sensor.min_value, sensor.max_value)
    result = write_observations(platform, device, [item])
    if result.problems:
        problem = result.problems[0]
        raise _bad(f"Observation refused ({problem.code}): {problem.message}")
    with platform.db.session() as session:
        ident = session.scalar(select(Observation.id).where(
            Observation.sensor_id == item.sensor_id, Observation.property == item.property,
            Observation.phenomenon_us == item.phenomenon_us))
    assert ident is not None
    return int(ident)
