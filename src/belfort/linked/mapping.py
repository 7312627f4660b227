"""Rows as linked data: a dataset's RDF mapping, and the triples of its rows.

A mapping (``datasets.rdf_mapping``, JSON; docs/linked-data.md, "Rows as linked data")::

    {
      "prefixes": {"ex": "https://example.org/ns#"},
      "class": ["sosa:Sensor"],                       # the row resource's class(es)
      "subject": "{_base}/id/sensors/{id}",           # default: {base}/id/{dataset}/{record id}
      "other_fields": "default",                      # or "skip": only the fields listed below
      "fields": {
        "naam":   {"predicate": "rdfs:label", "language": "nl"},
        "wijk":   {"predicate": "ex:wijk", "uri": "https://stad.gent/id/wijk/{value}", "class": "ex:Wijk"},
        "aantal": {"datatype": "xsd:nonNegativeInteger"},
        "intern": {"skip": true}
      },
      "observations": {...},                          # belfort.linked.observations
      "cube": {...}                                   # W3C Data Cube: belfort.linked.cube
    }

Without a mapping (or for fields it does not list) every field maps by default to
``{base}/def/{dataset}#{field}`` with the datatype of its Belfort type (``DEFAULT_DATATYPES``);
geo points and geometries become a ``gsp:Geometry`` node with a ``gsp:asWKT`` literal, linked
by the field's predicate and by ``gsp:hasGeometry``. Null values give no triple.

Framework-neutral: ``belfort.api.linked_records`` serves record URIs, the SPARQL store and
the event streams call ``row_mapper``/``add_row``; ``belfort.linked.records.dataset_document``
maps a whole dataset. Imports nothing above the RDF model, so the catalogue can validate a
mapping (``validate_mapping``) without loading the rest of linked data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import orjson

from belfort.errors import InvalidRequest
from belfort.linked import cube
from belfort.linked.observations import ObservationWriter
from belfort.linked.observations import validate as validate_observations
from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit, text
from belfort.linked.templates import (
    KNOWN_PREFIXES,
    Template,
    check_namespace,
    check_prefix_name,
    expand,
    fail,
)
from belfort.linked.vocabularies import GSP, XSD
from belfort.linked.wkt import geometry_wkt, point_wkt
from belfort.schema import TableSchema

MAX_MAPPING_BYTES = 64 * 1024
MAX_PREFIXES = 50
MAX_CLASSES = 10
MAX_FIELDS = 1_000
TOP_KEYS = {"prefixes", "class", "subject", "other_fields", "fields", "observations", "cube"}
FIELD_KEYS = {"predicate", "datatype", "language", "class", "uri", "skip"}
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")
_XML_NAME_END = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*$")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,5}")

DEFAULT_DATATYPES: dict[str, str | None] = {
    "integer": XSD + "integer",
    "number": XSD + "double",
    "boolean": XSD + "boolean",
    "date": XSD + "date",
    "datetime": XSD + "dateTime",
    "string": None,  # a plain literal (xsd:string)
    "geopoint": None,  # a gsp:Geometry node with a gsp:wktLiteral
    "geometry": None,
}
GEO_TYPES = {"geopoint", "geometry"}
WKT_LITERAL = GSP + "wktLiteral"


# ── Validation ────────────────────────────────────────────────────────────────────────


def _field_types(schema: Any) -> dict[str, str] | None:
    if schema is None:
        return None
    if isinstance(schema, TableSchema):
        return {f.name: f.type for f in schema.fields}
    if not isinstance(schema, dict):
        raise TypeError("schema: a version's table_schema")
    return {f["name"]: f["type"] for f in schema.get("fields", ())}


def _classes(value: Any, prefixes: Mapping[str, str], where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or len(items) > MAX_CLASSES:
        raise fail(where, f"expected a class or a list of 1-{MAX_CLASSES} classes")
    return [expand(item, prefixes, where) for item in items]


def _parse(raw: object) -> dict[str, Any]:
    if isinstance(raw, bytes | bytearray | str):
        if len(raw) > MAX_MAPPING_BYTES:
            raise InvalidRequest(f"rdf_mapping: larger than {MAX_MAPPING_BYTES // 1024} KiB")
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequest(f"rdf_mapping: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise InvalidRequest("rdf_mapping: expected a JSON object")
    try:
        size = len(orjson.dumps(raw))
    except TypeError:
        raise InvalidRequest("rdf_mapping: holds values that are not JSON") from None
    if size > MAX_MAPPING_BYTES:
        raise InvalidRequest(f"rdf_mapping: larger than {MAX_MAPPING_BYTES // 1024} KiB")
    return raw


def validate_mapping(raw: object, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dataset's RDF mapping, checked: the mapping (as JSON text or parsed) with ``class``
    as a list; InvalidRequest naming the bad key otherwise. With ``schema`` (a version's
    ``table_schema``), field names in ``fields``, templates and ``observations`` are checked
    against it too."""
    mapping = _parse(raw)
    types = _field_types(schema)
    fields = set(types) if types is not None else None
    unknown = sorted(str(k) for k in set(mapping) - TOP_KEYS)
    if unknown:
        raise fail(unknown[0][:50], f"unknown key; expected one of {sorted(TOP_KEYS)}")
    out: dict[str, Any] = {}
    declared = mapping.get("prefixes") or {}
    if not isinstance(declared, dict) or len(declared) > MAX_PREFIXES:
        raise fail("prefixes", f"expected an object of at most {MAX_PREFIXES} prefix → namespace IRI")
    for name, namespace in declared.items():
        check_prefix_name(name, f"prefixes.{str(name)[:40]}")
        check_namespace(namespace, f"prefixes.{name}")
    if declared:
        out["prefixes"] = dict(declared)
    prefixes = {**KNOWN_PREFIXES, **declared}
    if mapping.get("class") is not None:
        _classes(mapping["class"], prefixes, "class")
        out["class"] = [mapping["class"]] if isinstance(mapping["class"], str) else list(mapping["class"])
    if mapping.get("subject") is not None:
        Template(mapping["subject"], "subject", fields=fields, allow_value=False)
        out["subject"] = mapping["subject"]
    other = mapping.get("other_fields", "default")
    if other not in ("default", "skip"):
        raise fail("other_fields", "expected 'default' (map unlisted fields by default) or 'skip'")
    if "other_fields" in mapping:
        out["other_fields"] = other
    specs = mapping.get("fields") or {}
    if not isinstance(specs, dict) or len(specs) > MAX_FIELDS:
        raise fail("fields", f"expected an object of at most {MAX_FIELDS} field → mapping")
    checked: dict[str, Any] = {}
    for name, spec in specs.items():
        where = f"fields.{str(name)[:100]}"
        if fields is not None and name not in fields:
            raise fail(where, "names no field of the dataset")
        checked[name] = _validate_field(spec, where, prefixes, fields, (types or {}).get(name))
    if specs:
        out["fields"] = checked
    if mapping.get("observations") is not None:
        out["observations"] = validate_observations(mapping["observations"], prefixes, types)
    if mapping.get("cube") is not None:
        out["cube"] = cube.validate(mapping["cube"], types)
    return out


def _validate_field(spec: Any, where: str, prefixes: Mapping[str, str], fields: set[str] | None,
                    field_type: str | None) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise fail(where, "expected an object (predicate, datatype, language, class, uri, skip)")
    unknown = sorted(str(k) for k in set(spec) - FIELD_KEYS)
    if unknown:
        raise fail(f"{where}.{unknown[0][:50]}", f"unknown key; expected one of {sorted(FIELD_KEYS)}")
    if "skip" in spec and not isinstance(spec["skip"], bool):
        raise fail(f"{where}.skip", "expected true or false")
    if spec.get("predicate") is not None:
        predicate = expand(spec["predicate"], prefixes, f"{where}.predicate")
        ending = _XML_NAME_END.search(predicate)
        if ending is None or ending.start() == 0:
            raise fail(f"{where}.predicate", "a predicate must end in a name (a letter or '_', then letters, "
                                             "digits, '_' or '-'), or RDF/XML cannot write it")
    if spec.get("datatype") is not None:
        expand(spec["datatype"], prefixes, f"{where}.datatype")
    if spec.get("language") is not None:
        language = spec["language"]
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            raise fail(f"{where}.language", "expected a language tag such as 'nl' or 'en-GB'")
        if spec.get("datatype") is not None:
            raise fail(f"{where}.language", "a literal has a language or a datatype, not both")
        if field_type is not None and field_type != "string":
            raise fail(f"{where}.language", f"only text fields take a language (this one is a {field_type})")
    if spec.get("uri") is not None:
        Template(spec["uri"], f"{where}.uri", fields=fields, allow_value=True)
        if spec.get("datatype") is not None or spec.get("language") is not None:
            raise fail(f"{where}.uri", "a field mapped to IRIs takes no datatype or language")
    if spec.get("class") is not None:
        if spec.get("uri") is None:
            raise fail(f"{where}.class", "only a field mapped to IRIs ('uri') can have a class")
        _classes(spec["class"], prefixes, f"{where}.class")
    return dict(spec)


# ── Literals ──────────────────────────────────────────────────────────────────────────


def _double(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(float(value))


def _lexical(value: Any, datatype: str | None) -> str | None:
    """The lexical form of a value (None when it has none)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if datatype in (XSD + "double", XSD + "float"):
            return _double(value)
        if not math.isfinite(value):
            return None
        if datatype == XSD + "decimal" or (datatype or "").endswith(("integer", "Integer", "int", "long", "short")):
            exact = Decimal(repr(value))
            if datatype == XSD + "decimal":
                return format(exact, "f")
            return str(int(exact)) if exact == exact.to_integral_value() else None
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return str(value)


def default_literal(value: Any, field_type: str) -> Lit | None:
    """A field value as a literal with the datatype of its Belfort type."""
    if value is None:
        return None
    datatype = DEFAULT_DATATYPES.get(field_type)
    if field_type == "number" and isinstance(value, int | Decimal) and not isinstance(value, bool):
        datatype = XSD + "decimal"
    if field_type == "datetime" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        datatype = XSD + "date"
    lexical = _lexical(value, datatype)
    if lexical is None:
        return None
    if datatype is None:
        return text(lexical)
    return Lit(lexical, None, datatype)


# ── The row mapper ────────────────────────────────────────────────────────────────────


def _fragment(subject: str, local: str) -> str:
    """An IRI for a node belonging to the row: ``{subject}#{local}``."""
    return f"{subject}{'-' if '#' in subject else '#'}{local}"


_INTEGER, _DOUBLE, _BOOLEAN, _DATE = XSD + "integer", XSD + "double", XSD + "boolean", XSD + "date"
# the default literal of the common Python types, without the general path (exact type → maker)
_FAST_LITERALS: dict[str, tuple[type, Callable[[Any], Lit]]] = {
    "integer": (int, lambda v: Lit(str(v), None, _INTEGER)),
    "number": (float, lambda v: Lit(_double(v), None, _DOUBLE)),
    "boolean": (bool, lambda v: Lit("true" if v else "false", None, _BOOLEAN)),
    "date": (dt.date, lambda v: Lit(v.isoformat(), None, _DATE)),
    "string": (str, text),
}


class _FieldPlan:
    __slots__ = ("classes", "datatype", "fast", "geo", "language", "name", "predicate", "type", "uri")

    def __init__(self, name: str, field_type: str, predicate: str, *, datatype: str | None = None,
                 language: str | None = None, uri: Template | None = None, classes: tuple[str, ...] = ()) -> None:
        self.name = name
        self.type = field_type
        self.predicate = str(predicate)  # a plain str: JSON-LD keys
        self.datatype = datatype
        self.language = language
        self.uri = uri
        self.classes = tuple(IRI(c) for c in classes)
        self.geo = field_type in GEO_TYPES and uri is None and datatype is None
        plain = uri is None and datatype is None and language is None
        self.fast = _FAST_LITERALS.get(field_type) if plain else None


class RowMapper:
    """Turns rows of one dataset version into triples (one per version, reusable)."""

    def __init__(self, base: str, dataset_id: str, schema: Any, rdf_mapping: dict[str, Any] | None) -> None:
        self.base = base.rstrip("/")
        self.dataset_id = dataset_id
        types = _field_types(schema) or {}
        mapping = validate_mapping(rdf_mapping, schema) if rdf_mapping is not None else {}
        self.namespace = f"{self.base}/def/{quote(dataset_id, safe='')}#"
        self._record_prefix = f"{self.base}/id/{quote(dataset_id, safe='')}/"
        declared = mapping.get("prefixes", {})
        prefixes = {**KNOWN_PREFIXES, **declared}
        self._declared = declared
        self._used: set[str] = set()
        self.classes = tuple(IRI(expand(c, prefixes, "class")) for c in mapping.get("class", ()))
        self.subject_template = (Template(mapping["subject"], "subject", fields=set(types), allow_value=False)
                                 if mapping.get("subject") else None)
        specs = mapping.get("fields", {})
        other = mapping.get("other_fields", "default")
        plans: list[_FieldPlan] = []
        for name, field_type in types.items():
            spec = specs.get(name)
            if spec is None and other == "skip":
                continue
            spec = spec or {}
            if spec.get("skip"):
                continue
            predicate = (expand(spec["predicate"], prefixes, f"fields.{name}.predicate")
                         if spec.get("predicate") else self.property(name))
            uri = (Template(spec["uri"], f"fields.{name}.uri", fields=set(types), allow_value=True)
                   if spec.get("uri") else None)
            classes = (tuple(_classes(spec["class"], prefixes, f"fields.{name}.class"))
                       if spec.get("class") else ())
            datatype = expand(spec["datatype"], prefixes, f"fields.{name}.datatype") if spec.get("datatype") else None
            plans.append(_FieldPlan(name, field_type, predicate, datatype=datatype,
                                    language=spec.get("language"), uri=uri, classes=classes))
        self.plans = tuple(plans)
        self.observations = (
            ObservationWriter(mapping["observations"], prefixes, fields=set(types), types=types,
                              default_property=lambda f: self.property(f"observed-{f}"),
                              literal=default_literal)
            if mapping.get("observations") else None
        )
        self.cube = (cube.CubeWriter(mapping["cube"], fields=set(types), base=self.base,
                                     dataset_id=dataset_id) if mapping.get("cube") else None)
        self._used |= {p.predicate for p in plans} | set(self.classes)
        self._used |= {p.datatype or DEFAULT_DATATYPES.get(p.type) or "" for p in plans}
        if any(p.geo for p in plans):
            self._used.add(GSP)
        if self.observations is not None:
            self._used |= self.observations.namespaces()
        if self.cube is not None:
            self._used |= cube.namespaces()

    def property(self, field: str) -> str:
        """The default predicate of a field: ``{base}/def/{dataset}#{field}``."""
        return self.namespace + field

    def subject(self, record_id: str) -> str:
        """The record's URI: ``{base}/id/{dataset}/{record id}``."""
        if not _PLAIN_ID.fullmatch(record_id):
            record_id = quote(record_id, safe="")
        return self._record_prefix + record_id

    def row_subject(self, record_id: str, row: Mapping[str, Any]) -> str:
        """The row resource: the mapping's subject template, else (or when a value it needs is
        null) the record URI."""
        if self.subject_template is not None:
            found = self.subject_template.render(row, base=self.base, dataset_id=self.dataset_id,
                                                 record_id=record_id)
            if found is not None:
                return found
        return self.subject(record_id)

    def add_row(self, document: Document, record_id: str, row: Mapping[str, Any]) -> str:
        """Adds the row's triples to ``document``; returns the row's subject IRI."""
        subject = self.row_subject(record_id, row)
        props = document.props(subject)
        for cls in self.classes:
            props.append((RDF_TYPE, cls))
        for plan in self.plans:
            value = row.get(plan.name)
            if value is None:
                continue
            fast = plan.fast
            if fast is not None and type(value) is fast[0]:
                props.append((plan.predicate, fast[1](value)))
                continue
            if isinstance(value, list | tuple) and plan.type not in GEO_TYPES:
                for item in value:
                    if item is not None:
                        self._add_value(document, props, subject, record_id, row, plan, item)
            else:
                self._add_value(document, props, subject, record_id, row, plan, value)
        if self.observations is not None:
            self.observations.add(document, subject, row, base=self.base, dataset_id=self.dataset_id,
                                  record_id=record_id, fragment=_fragment)
        if self.cube is not None:
            self.cube.add(document, subject, row, base=self.base, dataset_id=self.dataset_id,
                          record_id=record_id)
        return subject

    def _add_value(self, document: Document, props: list[tuple[str, Any]], subject: str, record_id: str,
                   row: Mapping[str, Any], plan: _FieldPlan, value: Any) -> None:
        if plan.uri is not None:
            iri = plan.uri.render(row, base=self.base, dataset_id=self.dataset_id, record_id=record_id,
                                  value=value)
            if iri is None:
                return
            if plan.classes and not document.has(iri):
                document.props(iri).extend((RDF_TYPE, c) for c in plan.classes)
            props.append((plan.predicate, IRI(iri)))
            return
        if plan.geo:
            wkt = point_wkt(value) if plan.type == "geopoint" else geometry_wkt(value)
            if wkt is None:
                return
            node = IRI(_fragment(subject, f"geometry-{plan.name}"))
            props.append((plan.predicate, node))
            if plan.predicate != GSP + "hasGeometry":
                props.append((GSP + "hasGeometry", node))
            document.props(node).extend(((RDF_TYPE, IRI(GSP + "Geometry")),
                                         (GSP + "asWKT", Lit(wkt, None, WKT_LITERAL))))
            return
        if plan.language is not None:
            lexical = _lexical(value, None)
            if lexical is not None:
                props.append((plan.predicate, text(lexical, plan.language)))
            return
        if plan.datatype is not None:
            lexical = _lexical(value, plan.datatype)
            if lexical is not None:
                props.append((plan.predicate, Lit(text(lexical).value, None, plan.datatype)))
            return
        literal = default_literal(value, plan.type)
        if literal is not None:
            props.append((plan.predicate, literal))

    def prefixes(self) -> dict[str, str]:
        """The prefixes the mapping's output uses (for a Turtle header or JSON-LD context):
        ``ds`` for the dataset's default properties, the declared ones, and the known ones
        whose namespace an IRI of the mapping starts with."""
        out: dict[str, str] = {}
        used = [u for u in self._used if u]
        if any(p.predicate.startswith(self.namespace) for p in self.plans) or self.observations is not None:
            out["ds"] = self.namespace
        for name, namespace in {**KNOWN_PREFIXES, **self._declared}.items():
            if name in out:
                continue
            if any(u.startswith(namespace) for u in used) and namespace not in out.values():
                out[name] = namespace
        return out


def row_mapper(base: str, dataset_id: str, schema: dict[str, Any], rdf_mapping: dict[str, Any] | None) -> RowMapper:
    """The mapper for one dataset version; ``rdf_mapping`` None: the default derived from
    ``schema`` (a version's ``table_schema``). InvalidRequest when the mapping does not fit."""
    return RowMapper(base, dataset_id, schema, rdf_mapping)
