"""One record as linked data, and a dataset's field vocabulary.

A record is found by the engine, the same way Explore v2.1's ``records/{record_id}`` finds
it (``RecordIdIs`` over the version's record key), or, when the dataset's mapping mints its
own subjects under ``{base}/id/{dataset}/…`` (``"subject": "{_base}/id/{_dataset}/{id}"``),
by the field values that template encodes. Only the version the gate lets the principal
read is ever opened (NotFound otherwise, as v2.1 says).

Also here: the serialisations of a record document with the mapping's prefixes (Turtle via
pyoxigraph, compacted JSON-LD with the prefixes in its context), and ``/def/{dataset}``, the
vocabulary of the dataset's default properties.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
import pyoxigraph as ox

from belfort.errors import NotFound
from belfort.linked.mapping import DEFAULT_DATATYPES, GEO_TYPES, RowMapper, row_mapper
from belfort.linked.rdf import IRI, JSONLD_CONTEXT, RDF_TYPE, Document, Lit, compact_jsonld, text
from belfort.linked.templates import OWL, SOSA
from belfort.linked.vocabularies import GSP, PREFIXES, RDFS
from belfort.policy.reading import ReadableVersion, readable
from belfort.query.model import (
    RECORD_ID_COLUMN,
    And,
    Compare,
    Expr,
    FieldRef,
    Literal,
    Query,
    RecordIdIs,
)

if TYPE_CHECKING:
    from belfort.platform import Platform
    from belfort.policy.principals import Principal

MAX_RECORD_ID = 200  # as Explore v2.1 (longer ids match nothing)


def digest(readable: ReadableVersion) -> str:
    """Changes when the version, its file (a live dataset's moves with its rows) or the
    mapping does (for ETags)."""
    key = orjson.dumps([readable.dataset_id, readable.number, str(readable.path), readable.rdf_mapping,
                        readable.record_key], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(key).hexdigest()[:24]


@dataclass(frozen=True)
class Record:
    dataset: ReadableVersion
    record_id: str
    subject: str
    row: dict[str, Any]  # the row's fields as the engine reads them
    document: Document
    mapper: RowMapper


def _typed(value: str, field_type: str) -> Any:
    if field_type == "string":
        return value
    if field_type == "integer" and re.fullmatch(r"-?\d{1,18}", value):
        return int(value)
    return None


def _by_subject(mapper: RowMapper, readable: ReadableVersion, record_id: str) -> Expr | None:
    """The condition for the row whose templated subject is ``{base}/id/{dataset}/{record_id}``."""
    template = mapper.subject_template
    if template is None:
        return None
    values = template.match(mapper.subject(record_id), base=mapper.base, dataset_id=readable.dataset_id)
    if not values:
        return None
    types = {f["name"]: f["type"] for f in readable.table_schema.get("fields", ())}
    conditions: list[Expr] = []
    for name, raw in values.items():
        if name in ("_id", "_dataset", "_base"):
            if name == "_id":
                conditions.append(RecordIdIs(raw[:MAX_RECORD_ID], readable.record_key))
            continue
        typed = _typed(raw, types.get(name, ""))
        if typed is None:
            return None
        conditions.append(Compare("=", FieldRef(name), Literal(typed)))
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else And(tuple(conditions))


def _first_row(platform: Platform, readable: ReadableVersion, where: Expr) -> dict[str, Any] | None:
    query = Query(where=where, record_id_fields=readable.record_key, limit=1)
    rows = platform.engine.execute(query, readable.schema, readable.path).records()
    return rows[0] if rows else None


def find_record(platform: Platform, readable: ReadableVersion, record_id: str, base: str) -> Record:
    """The record ``record_id`` of the readable version, as a document; NotFound when there
    is none (the same ids as Explore v2.1's ``records/{record_id}``)."""
    mapper = row_mapper(base, readable.dataset_id, readable.table_schema, readable.rdf_mapping)
    row = None
    if 0 < len(record_id) <= MAX_RECORD_ID:
        row = _first_row(platform, readable, RecordIdIs(record_id, readable.record_key))
        if row is None:
            where = _by_subject(mapper, readable, record_id)
            row = _first_row(platform, readable, where) if where is not None else None
    if row is None:
        raise NotFound(f"record {record_id[:100]!r} not found in dataset {readable.dataset_id!r}")
    found_id = row.pop(RECORD_ID_COLUMN)
    document = Document()
    subject = mapper.add_row(document, found_id, row)
    platform.usage.record(readable.dataset_id, requests=1, rows=1, public=readable.public_use)
    return Record(readable, found_id, subject, row, document, mapper)


def dataset_document(platform: Platform, principal: Principal, dataset_id: str, base: str, *,
                     limit: int, cube_limit: int | None = None) -> Document:
    """The rows (at most ``limit``, in file order; ``cube_limit`` instead when the mapping makes
    Data Cube observations, so that a cube is not cut off at the limit of ordinary records)
    of the version the gate lets ``principal`` read, as triples. NotFound as the gate says.
    (Not a use of the dataset: the SPARQL store loads it in the background.)"""
    found = readable(platform, principal, dataset_id, count_use=False)
    if cube_limit is not None and isinstance(found.rdf_mapping, dict) and found.rdf_mapping.get(
        "cube"
    ):
        limit = cube_limit
    mapper = row_mapper(base, found.dataset_id, found.table_schema, found.rdf_mapping)
    document = Document()
    if limit <= 0:
        return document
    stream = platform.engine.stream(Query(record_id_fields=found.record_key, limit=limit), found.schema, found.path)
    for batch in stream.batches:
        for row in batch.to_pylist():
            record_id = row.pop(RECORD_ID_COLUMN)
            mapper.add_row(document, record_id, row)
    return document


# ── Serialisations with the mapping's prefixes ────────────────────────────────────────

_JSONLD_PREFIX_END = tuple(":/?#[]@")  # JSON-LD 1.1 uses a term as a prefix only then
_COMPACT_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def document_prefixes(mapper: RowMapper) -> dict[str, str]:
    """Belfort's prefixes plus the mapping's (a mapping prefix never rebinds Belfort's)."""
    out = dict(PREFIXES)
    for name, namespace in mapper.prefixes().items():
        if name not in out and namespace not in out.values():
            out[name] = namespace
    return out


def _used(document: Document, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes some IRI of the document starts with."""
    iris = set(document.nodes)
    for _, predicate, obj in document.triples():
        iris.add(predicate)
        if isinstance(obj, IRI):
            iris.add(obj)
        elif obj.datatype:
            iris.add(obj.datatype)
    return {name: ns for name, ns in sorted(prefixes.items())
            if any(iri.startswith(ns) for iri in iris)}


def to_turtle(document: Document, prefixes: dict[str, str]) -> bytes:
    """Turtle with those of ``prefixes`` it uses (pyoxigraph writes it; a record is a few
    dozen triples)."""
    prefixes = _used(document, prefixes)
    def term(obj: Any) -> Any:
        if isinstance(obj, IRI):
            return ox.NamedNode(obj)
        if obj.lang:
            return ox.Literal(obj.value, language=obj.lang)
        return ox.Literal(obj.value, datatype=ox.NamedNode(obj.datatype) if obj.datatype else None)

    triples = [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o)) for s, p, o in document.triples()]
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert turtle is not None  # without an output file, serialize returns the bytes
    return turtle


def to_jsonld(document: Document, prefixes: dict[str, str]) -> dict[str, Any]:
    """Compacted JSON-LD: Belfort's context plus the mapping's prefixes, and every IRI in
    one of those namespaces written as a compact IRI."""
    extra = {name: ns for name, ns in prefixes.items()
             if name not in JSONLD_CONTEXT and ns.endswith(_JSONLD_PREFIX_END)}
    body = compact_jsonld(document)
    if not extra:
        return body
    ordered = sorted(extra.items(), key=lambda item: -len(item[1]))

    def compact(iri: Any) -> Any:
        if not isinstance(iri, str):
            return iri
        for name, namespace in ordered:
            if iri.startswith(namespace) and _COMPACT_LOCAL.fullmatch(iri[len(namespace):]):
                return f"{name}:{iri[len(namespace):]}"
        return iri

    def value(item: Any) -> Any:
        if isinstance(item, list):
            return [value(i) for i in item]
        if isinstance(item, dict):
            out = dict(item)
            if "@id" in out:
                out["@id"] = compact(out["@id"])
            if "@type" in out:
                out["@type"] = compact(out["@type"])
            return out
        return item

    graph = []
    for node in body["@graph"]:
        new: dict[str, Any] = {}
        for key, item in node.items():
            if key == "@id":
                new[key] = compact(item)
            elif key == "@type":
                new[key] = [compact(t) for t in item] if isinstance(item, list) else compact(item)
            elif key.startswith("@") or key in JSONLD_CONTEXT:
                new[key] = item
            else:
                new[str(compact(key))] = value(item)
        graph.append(new)
    return {"@context": {**JSONLD_CONTEXT, **extra}, "@graph": graph}


def serialize(document: Document, fmt: str, prefixes: dict[str, str]) -> bytes:
    if fmt == "ttl":
        return to_turtle(document, prefixes)
    if fmt == "jsonld":
        return orjson.dumps(to_jsonld(document, prefixes))
    return document.serialize(fmt)


# ── /def/{dataset}: the default properties ────────────────────────────────────────────


def vocabulary_document(readable: ReadableVersion, base: str) -> Document:
    """``{base}/def/{dataset}``: each field's default property (label, description, range)
    and the observed properties of the observations preset."""
    mapper = row_mapper(base, readable.dataset_id, readable.table_schema, readable.rdf_mapping)
    vocabulary = mapper.namespace.rstrip("#")
    document = Document()
    head = document.props(vocabulary)
    head.append((RDF_TYPE, IRI(OWL + "Ontology")))
    head.append((RDFS + "label", text(f"{readable.title_nl}: velden", "nl")))
    if readable.title_en:
        head.append((RDFS + "label", text(f"{readable.title_en}: fields", "en")))
    head.append((RDFS + "seeAlso", IRI(f"{mapper.base}/catalog/datasets/{quote(readable.dataset_id, safe='')}")))
    for field in readable.schema.fields:
        props = document.props(mapper.property(field.name))
        props.append((RDF_TYPE, IRI(PREFIXES["rdf"] + "Property")))
        props.append((RDFS + "label", text(field.title or field.name)))
        if field.description:
            props.append((RDFS + "comment", text(field.description)))
        datatype = DEFAULT_DATATYPES.get(field.type)
        if field.type in GEO_TYPES:
            props.append((RDFS + "range", IRI(GSP + "Geometry")))
        elif datatype:
            props.append((RDFS + "range", IRI(datatype)))
        props.append((RDFS + "isDefinedBy", IRI(vocabulary)))
    if mapper.observations is not None:
        for result, prop in mapper.observations.properties.items():
            if prop.startswith(mapper.namespace):
                props = document.props(prop)
                props.append((RDF_TYPE, IRI(SOSA + "ObservableProperty")))
                props.append((RDFS + "label", Lit(result)))
                props.append((RDFS + "isDefinedBy", IRI(vocabulary)))
    return document
