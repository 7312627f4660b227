"""The ready mapping for counts: each result field of a row becomes a ``sosa:Observation``.

``{"observations": {...}}`` in a dataset's RDF mapping (docs/linked-data.md, "Rows as linked
data"). For a row ``<row>`` with result fields ``r1 … rn`` it writes

    <row> a sosa:ObservationCollection ; sosa:hasMember <row#observation-r1>, … .
    <row#observation-r1> a sosa:Observation ;
        sosa:madeBySensor <sensor> ; sosa:observedProperty <property of r1> ;
        sosa:hasFeatureOfInterest <feature> ;              # when the mapping names one
        sosa:hasSimpleResult 12 ;                          # or sosa:hasResult [rdf:value 12]
        sosa:resultTime "…"^^xsd:dateTime ; sosa:phenomenonTime <row#time> .

with the phenomenon time a ``time:Instant``, or a ``time:Interval`` when the mapping gives
the counting period (``"duration": "PT1H"``; the result time is then the period's end).
``"oslo": true`` adds the typing of OSLO Verkeersmetingen: ``vkm:Verkeersmeting``,
``vkm:geobserveerdKenmerk`` → a ``vkm:Verkeerskenmerk`` (type ``aantal``, with
``vkm:voertuigType`` from ``"vehicle"``: ``fiets``, ``voetganger``, …),
``vkm:geobserveerdObject`` (the feature of interest), the ISO 19156 ``OM_Observation.result``
and times, and the sensor typed ``vkm:Verkeersmeetpunt`` as well as ``sosa:Sensor``.
A null result (a sensor outage) gives no observation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit
from belfort.linked.templates import DC11, OM, SOSA, TIME, VKM, Template, expand, fail
from belfort.linked.vocabularies import RDF, XSD

KEYS = {"results", "time", "date", "timezone", "duration", "sensor", "feature_of_interest",
        "observed_properties", "vehicle", "oslo", "result"}
MAX_RESULTS = 50
VKM_KENMERK_TYPE = "https://data.vlaanderen.be/id/concept/VkmVerkeersKenmerkType/"
VKM_VOERTUIG_TYPE = "https://data.vlaanderen.be/id/concept/VkmVoertuigType/"
_DURATION = re.compile(r"P(?:(\d{1,3})D)?(?:T(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,5})S)?)?")
_SLUG = re.compile(r"[a-z][a-z0-9-]{0,40}")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
COUNT_TYPES = {"integer", "number", "string"}
TIME_TYPES = {"date", "datetime", "string"}


def _field(name: Any, where: str, types: Mapping[str, str] | None, allowed: set[str]) -> str:
    if not isinstance(name, str) or not name:
        raise fail(where, "expected a field name")
    if types is not None:
        if name not in types:
            raise fail(where, f"names no field of the dataset: {name[:100]!r}")
        if types[name] not in allowed:
            raise fail(where, f"field {name!r} is a {types[name]}; expected one of {sorted(allowed)}")
    return name


def validate(spec: Any, prefixes: Mapping[str, str], types: Mapping[str, str] | None) -> dict[str, Any]:
    """The checked ``observations`` part of a mapping (InvalidRequest naming the bad key)."""
    where = "observations"
    if not isinstance(spec, dict):
        raise fail(where, "expected an object")
    unknown = sorted(set(spec) - KEYS)
    if unknown:
        raise fail(f"{where}.{unknown[0][:50]}", f"unknown key; expected one of {sorted(KEYS)}")
    results = spec.get("results")
    if isinstance(results, str):
        results = [results]
    if not isinstance(results, list) or not results or len(results) > MAX_RESULTS:
        raise fail(f"{where}.results", f"expected a list of 1-{MAX_RESULTS} count fields")
    results = [_field(r, f"{where}.results", types, COUNT_TYPES) for r in results]
    if len(set(results)) != len(results):
        raise fail(f"{where}.results", "a field is listed twice")
    fields = set(types) if types is not None else None
    if "sensor" not in spec:
        raise fail(f"{where}.sensor", "required: a URI template for the sensor, e.g. '{_base}/id/sensors/{sensor}'")
    Template(spec["sensor"], f"{where}.sensor", fields=fields, allow_value=False)
    if spec.get("feature_of_interest") is not None:
        Template(spec["feature_of_interest"], f"{where}.feature_of_interest", fields=fields, allow_value=False)
    if spec.get("time") is not None:
        _field(spec["time"], f"{where}.time", types, TIME_TYPES)
    if spec.get("date") is not None:
        _field(spec["date"], f"{where}.date", types, TIME_TYPES)
    if spec.get("timezone") is not None:
        zone = spec["timezone"]
        try:
            if not isinstance(zone, str) or len(zone) > 60:
                raise ValueError
            ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise fail(f"{where}.timezone", f"unknown time zone {str(zone)[:60]!r}") from None
    if spec.get("duration") is not None:
        if not isinstance(spec["duration"], str) or _duration(spec["duration"]) is None:
            raise fail(f"{where}.duration", "expected an ISO 8601 duration such as 'PT1H' or 'PT15M'")
    properties = spec.get("observed_properties")
    if properties is not None:
        if not isinstance(properties, dict):
            raise fail(f"{where}.observed_properties", "expected an object: result field → property")
        for name, term in properties.items():
            if name not in results:
                raise fail(f"{where}.observed_properties.{str(name)[:50]}", "is not one of the results")
            expand(term, prefixes, f"{where}.observed_properties.{name}")
    if spec.get("vehicle") is not None and (not isinstance(spec["vehicle"], str) or not _SLUG.fullmatch(spec["vehicle"])):
        raise fail(f"{where}.vehicle", "expected a VkmVoertuigType code such as 'fiets' or 'voetganger'")
    if spec.get("oslo") is not None and not isinstance(spec["oslo"], bool):
        raise fail(f"{where}.oslo", "expected true or false")
    if spec.get("result", "simple") not in ("simple", "node"):
        raise fail(f"{where}.result", "expected 'simple' (sosa:hasSimpleResult) or 'node' (sosa:hasResult)")
    return {**spec, "results": results}


# the terms every observation repeats, built once
_OBSERVATION = IRI(SOSA + "Observation")
_VERKEERSMETING = IRI(VKM + "Verkeersmeting")
_COLLECTION = (RDF_TYPE, IRI(SOSA + "ObservationCollection"))
_SENSOR_TYPES = ((RDF_TYPE, IRI(SOSA + "Sensor")),)
_SENSOR_TYPES_OSLO = (*_SENSOR_TYPES, (RDF_TYPE, IRI(VKM + "Verkeersmeetpunt")))
_INSTANT = (RDF_TYPE, IRI(TIME + "Instant"))
_INTERVAL = (RDF_TYPE, IRI(TIME + "Interval"))
_RESULT_TYPE = (RDF_TYPE, IRI(SOSA + "Result"))
_HAS_MEMBER = SOSA + "hasMember"
_MADE_BY = SOSA + "madeBySensor"
_FEATURE = SOSA + "hasFeatureOfInterest"
_OBSERVED_PROPERTY = SOSA + "observedProperty"
_SIMPLE_RESULT = SOSA + "hasSimpleResult"
_HAS_RESULT = SOSA + "hasResult"
_RESULT_TIME = SOSA + "resultTime"
_PHENOMENON_TIME = SOSA + "phenomenonTime"
_KENMERK = VKM + "geobserveerdKenmerk"
_OBSERVED_OBJECT = VKM + "geobserveerdObject"
_OM_RESULT = OM + "OM_Observation.result"
_OM_RESULT_TIME = OM + "OM_Observation.resultTime"
_OM_PHENOMENON_TIME = OM + "OM_Observation.phenomenonTime"
_STAMP = TIME + "inXSDDateTimeStamp"
_BEGINNING = TIME + "hasBeginning"
_END = TIME + "hasEnd"
_DATE_TIME = XSD + "dateTime"
_DATE_TIME_STAMP = XSD + "dateTimeStamp"


_INTEGER_TEXT = re.compile(r"\s*[-+]?\d{1,30}\s*")
_DECIMAL_TEXT = re.compile(r"\s*[-+]?\d{0,30}[.,]\d{1,30}\s*")


def _numeric_text(value: Any) -> Lit | None:
    """A count written as text (``"12"``, ``"3,5"``) as a number; other text gives no result."""
    if not isinstance(value, str):
        return None
    if _INTEGER_TEXT.fullmatch(value):
        return Lit(str(int(value)), None, XSD + "integer")
    if _DECIMAL_TEXT.fullmatch(value):
        number = value.strip().replace(",", ".")
        if number.startswith((".", "-.", "+.")):
            number = number.replace(".", "0.", 1)
        return Lit(number.lstrip("+"), None, XSD + "decimal")
    return None


def _duration(text: str) -> dt.timedelta | None:
    match = _DURATION.fullmatch(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    delta = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return delta if delta else None


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")


def _date_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _clock_of(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if match:
            hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
            if hour < 24 and minute < 60 and second < 60:
                return dt.time(hour, minute, second)
    return None


def _moment(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), zone)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    return None


class ObservationWriter:
    """Writes the observations of one row (compiled once per dataset)."""

    def __init__(self, spec: Mapping[str, Any], prefixes: Mapping[str, str], *, fields: set[str],
                 types: Mapping[str, str], default_property: Callable[[str], str],
                 literal: Callable[[Any, str], Lit | None]) -> None:
        self.results: tuple[str, ...] = tuple(spec["results"])
        self.sensor = Template(spec["sensor"], "observations.sensor", fields=fields, allow_value=False)
        foi = spec.get("feature_of_interest")
        self.feature = (Template(foi, "observations.feature_of_interest", fields=fields, allow_value=False)
                        if foi is not None else None)
        self.time_field: str | None = spec.get("time")
        self.date_field: str | None = spec.get("date")
        self.zone = ZoneInfo(spec.get("timezone") or "Europe/Brussels")
        self.duration = _duration(spec["duration"]) if spec.get("duration") else None
        given = spec.get("observed_properties") or {}
        self.properties = {
            r: IRI(expand(given[r], prefixes, f"observations.observed_properties.{r}") if r in given
                   else default_property(r))
            for r in self.results
        }
        self.types = types
        self.literal = literal
        self.oslo = bool(spec.get("oslo"))
        self.vehicle = IRI(VKM_VOERTUIG_TYPE + spec["vehicle"]) if spec.get("vehicle") else None
        self.simple = spec.get("result", "simple") == "simple"
        self._heads: dict[str, tuple[tuple[str, Any], ...]] = {
            r: ((RDF_TYPE, _OBSERVATION), (RDF_TYPE, _VERKEERSMETING), (_KENMERK, p), (_OBSERVED_PROPERTY, p))
            if self.oslo else ((RDF_TYPE, _OBSERVATION), (_OBSERVED_PROPERTY, p))
            for r, p in self.properties.items()
        }

    def namespaces(self) -> set[str]:
        used = {SOSA, TIME, XSD}
        if self.oslo:
            used |= {VKM, DC11, OM}
        if not self.simple:
            used.add(RDF)
        return used

    def _times(self, row: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime | None] | None:
        """(start, end) of the counting period; end None when no duration is given."""
        start: dt.datetime | None = None
        if self.date_field is not None:
            day = _date_of(row.get(self.date_field))
            clock = _clock_of(row.get(self.time_field)) if self.time_field else dt.time()
            if day is not None and clock is not None:
                start = dt.datetime.combine(day, clock, self.zone)
        elif self.time_field is not None:
            start = _moment(row.get(self.time_field), self.zone)
        if start is None:
            return None
        return start, (start + self.duration if self.duration else None)

    def add(self, document: Document, subject: str, row: Mapping[str, Any], *, base: str,
            dataset_id: str, record_id: str, fragment: Callable[[str, str], str]) -> None:
        literal, types = self.literal, self.types
        values = []
        for result in self.results:
            field_type = types.get(result, "string")
            value = row.get(result)
            lit = _numeric_text(value) if field_type == "string" else literal(value, field_type)
            if lit is not None:
                values.append((result, lit))
        if not values:
            return
        oslo = self.oslo
        sensor = self.sensor.render(row, base=base, dataset_id=dataset_id, record_id=record_id)
        feature = (self.feature.render(row, base=base, dataset_id=dataset_id, record_id=record_id)
                   if self.feature else None)
        row_props = document.props(subject)
        row_props.append(_COLLECTION)
        common: list[tuple[str, Any]] = []  # the same in each of the row's observations
        if sensor is not None:
            sensor_iri = IRI(sensor)
            common.append((_MADE_BY, sensor_iri))
            if not document.has(sensor):
                document.props(sensor).extend(_SENSOR_TYPES_OSLO if oslo else _SENSOR_TYPES)
        if feature is not None:
            feature_iri = IRI(feature)
            common.append((_FEATURE, feature_iri))
            if oslo:
                common.append((_OBSERVED_OBJECT, feature_iri))
        times = self._times(row)
        if times is not None:
            start, end = times
            time_node = IRI(fragment(subject, "time"))
            time_props = document.props(time_node)
            start_text = _stamp(start)
            if end is None:
                time_props.append(_INSTANT)
                time_props.append((_STAMP, Lit(start_text, None, _DATE_TIME_STAMP)))
                result_time = Lit(start_text, None, _DATE_TIME)
            else:
                end_text = _stamp(end)
                time_props.append(_INTERVAL)
                for predicate, edge, moment in ((_BEGINNING, "start", start_text), (_END, "end", end_text)):
                    node = IRI(fragment(subject, f"time-{edge}"))
                    time_props.append((predicate, node))
                    document.props(node).extend((_INSTANT, (_STAMP, Lit(moment, None, _DATE_TIME_STAMP))))
                result_time = Lit(end_text, None, _DATE_TIME)
            common.append((_RESULT_TIME, result_time))
            common.append((_PHENOMENON_TIME, time_node))
            if oslo:
                common.append((_OM_RESULT_TIME, result_time))
                common.append((_OM_PHENOMENON_TIME, time_node))
        for result, lit in values:
            observation = IRI(fragment(subject, f"observation-{result}"))
            row_props.append((_HAS_MEMBER, observation))
            props = document.props(observation)
            props.extend(self._heads[result])
            if self.simple:
                props.append((_SIMPLE_RESULT, lit))
            else:
                result_node = IRI(fragment(subject, f"result-{result}"))
                props.append((_HAS_RESULT, result_node))
                document.props(result_node).extend((_RESULT_TYPE, (RDF + "value", lit)))
            if oslo:
                props.append((_OM_RESULT, lit))
            props.extend(common)
            prop = self.properties[result]
            if not document.has(prop):
                self._describe_property(document, prop)

    def _describe_property(self, document: Document, prop: IRI) -> None:
        props = document.props(prop)
        props.append((RDF_TYPE, IRI(SOSA + "ObservableProperty")))
        if self.oslo:
            props.append((RDF_TYPE, IRI(VKM + "Verkeerskenmerk")))
            props.append((DC11 + "type", IRI(VKM_KENMERK_TYPE + "aantal")))
            if self.vehicle is not None:
                props.append((VKM + "voertuigType", self.vehicle))
