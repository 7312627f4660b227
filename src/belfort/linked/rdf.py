"""A small RDF document model and its serialisations: Turtle, RDF/XML, compacted JSON-LD.

``Document`` collects triples subject by subject (so Turtle groups each subject's
properties), as plain Python values: building it costs little, and it becomes an
``rdflib.Graph`` (``to_rdflib``) for whoever wants one. Turtle and RDF/XML are written by
pyoxigraph (rdflib needs ~14 s for the Turtle of a 1,000-dataset page; pyoxigraph
0.05 s); JSON-LD is compacted here against one fixed context (``JSONLD_CONTEXT``),
so app developers read ``"title": {"nl": …, "en": …}`` rather than expanded IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import orjson
import pyoxigraph as ox

from belfort.linked.vocabularies import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    HYDRA,
    LOCN,
    MDCAT,
    PREFIXES,
    RDF,
    SKOS,
    VCARD,
    XSD,
)

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"


class IRI(str):
    """An IRI as an RDF term (a ``str`` so it costs nothing to build and compare)."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: language-tagged, typed, or a plain string (neither)."""

    value: str
    lang: str | None = None
    datatype: str | None = None


Term = IRI | Lit

_NAMESPACE_PREFIX = {namespace: prefix for prefix, namespace in PREFIXES.items()}
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")  # a safe local name in Turtle, XML and JSON-LD
_splits: dict[str, tuple[str, str] | None] = {}


def _split(iri: str) -> tuple[str, str] | None:
    """(prefix, local name) for an IRI in one of Belfort's namespaces, else None."""
    try:
        return _splits[iri]  # one look-up: another thread may clear the dict meanwhile
    except KeyError:
        pass
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    prefix = _NAMESPACE_PREFIX.get(iri[:cut])
    local = iri[cut:]
    result = (prefix, local) if prefix is not None and _LOCAL_NAME.fullmatch(local) else None
    if len(_splits) > 100_000:
        _splits.clear()
    _splits[iri] = result
    return result


_IRI_OK = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]*$")
# characters XML 1.0 cannot carry (RDF/XML would be unreadable)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI pyoxigraph and rdflib both accept."""
    if not _IRI_OK.match(text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def text(value: str, lang: str | None = None) -> Lit:
    """A literal from user text: characters no RDF/XML document may hold are dropped."""
    if _XML_INVALID.search(value):
        value = _XML_INVALID.sub("", value)
    return Lit(value, lang)


class Document:
    """An RDF graph as subjects → [(predicate, object)], in insertion order."""

    def __init__(self) -> None:
        self.nodes: dict[str, list[tuple[str, Term]]] = {}

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        props = self.nodes.get(subject)
        if props is None:
            props = self.nodes[subject] = []
        props.append((predicate, obj))

    def props(self, subject: str) -> list[tuple[str, Term]]:
        """The subject's (predicate, object) list, to append to directly (the fast way)."""
        props = self.nodes.get(subject)
        if props is None:
            props = self.nodes[subject] = []
        return props

    def has(self, subject: str) -> bool:
        return subject in self.nodes

    def __len__(self) -> int:
        return sum(len(p) for p in self.nodes.values())

    def triples(self) -> Iterator[tuple[str, str, Term]]:
        for subject, props in self.nodes.items():
            for predicate, obj in props:
                yield subject, predicate, obj

    # ── conversions ─────────────────────────────────────────────────────────────────────

    def to_rdflib(self) -> Any:
        """The same triples as an ``rdflib.Graph`` (with Belfort's prefixes bound)."""
        from rdflib import Graph, Literal, URIRef

        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True)
        refs: dict[str, URIRef] = {}

        def ref(iri: str) -> URIRef:
            found = refs.get(iri)
            if found is None:
                found = refs[iri] = URIRef(iri)
            return found

        for subject, predicate, obj in self.triples():
            if isinstance(obj, IRI):
                o: Any = ref(obj)
            else:
                o = Literal(obj.value, lang=obj.lang, datatype=ref(obj.datatype) if obj.datatype else None)
            graph.add((ref(subject), ref(predicate), o))
        return graph

    def serialize(self, fmt: str) -> bytes:
        """``fmt``: one of ``FORMATS`` (``ttl``, ``jsonld``, ``rdf``, ``nt``)."""
        if fmt == "jsonld":
            return orjson.dumps(compact_jsonld(self))
        if fmt == "ttl":
            return write_turtle(self).encode()
        if fmt == "rdf":
            return write_rdfxml(self).encode()
        if fmt == "nt":
            return write_ntriples(self).encode()
        raise ValueError(f"unknown RDF format {fmt!r}")


# ── Formats and content negotiation ───────────────────────────────────────────────────


class Format(NamedTuple):
    name: str  # the file extension
    media_type: str
    content_type: str
    ox_format: Any


FORMATS: dict[str, Format] = {
    "ttl": Format("ttl", "text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "jsonld": Format("jsonld", "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    "rdf": Format("rdf", "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    "nt": Format("nt", "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
}

# media type → format, in the order the server prefers them when a client likes several
# equally; "html" is the portal (the caller redirects there).
OFFERS: tuple[tuple[str, str], ...] = (
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"),
    ("application/x-turtle", "ttl"),
    ("application/json", "jsonld"),
    ("application/xml", "rdf"),
    ("text/xml", "rdf"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
)


def _accept_ranges(accept: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in accept.split(",")[:50]:
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        kind, _, sub = media.partition("/")
        ranges.append((kind, sub, q))
    return ranges


def negotiate_among(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The format of the offer (media type, format) an ``Accept`` header likes best: q-values
    honoured, the most specific matching range decides for each offer, earlier offers win
    ties. No header (or no media range in it): the first offer; None when none is acceptable."""
    ranges = _accept_ranges(accept) if accept and accept.strip() else []
    if not ranges:
        return offers[0][1]
    best, best_q = None, 0.0
    for media, fmt in offers:
        kind, _, sub = media.partition("/")
        q, specificity = 0.0, -1
        for r_kind, r_sub, r_q in ranges:
            if r_kind == kind and r_sub == sub:
                level = 2
            elif r_kind == kind and r_sub == "*":
                level = 1
            elif r_kind == "*" and r_sub == "*":
                level = 0
            else:
                continue
            if level > specificity:
                q, specificity = r_q, level
        if q > best_q:
            best, best_q = fmt, q
    return best


def negotiate(accept: str | None) -> str | None:
    """The format for an ``Accept`` header: ``ttl``, ``jsonld``, ``rdf``, ``nt`` or ``html``;
    None when the client accepts none of them. No header, or ``*/*``: Turtle."""
    return negotiate_among(accept, OFFERS)


# ── JSON-LD ───────────────────────────────────────────────────────────────────────────
#
# Terms for the properties Belfort writes. "id": the value is an IRI; "lang": a language
# map ({"nl": …, "en": …}); a datatype IRI: a typed literal written as a bare string;
# "plain": a string. A value that does not fit its term's definition is written under
# the property's prefixed name in expanded form, so nothing is ever lost.

_TERMS: dict[str, tuple[str, str]] = {
    # name: (property IRI, kind)
    "title": (DCT + "title", "lang"),
    "description": (DCT + "description", "lang"),
    "keyword": (DCAT + "keyword", "lang"),
    "prefLabel": (SKOS + "prefLabel", "lang"),
    "name": (FOAF + "name", "lang"),
    "geographicName": (LOCN + "geographicName", "lang"),
    "identifier": (DCT + "identifier", "plain"),
    "version": (DCAT + "version", "plain"),
    "fn": (VCARD + "fn", "plain"),
    "issued": (DCT + "issued", XSD + "dateTime"),
    "modified": (DCT + "modified", XSD + "dateTime"),
    "startDate": (DCAT + "startDate", XSD + "date"),
    "endDate": (DCAT + "endDate", XSD + "date"),
    "totalItems": (HYDRA + "totalItems", XSD + "nonNegativeInteger"),
    "dataset": (DCAT + "dataset", "id"),
    "distribution": (DCAT + "distribution", "id"),
    "service": (DCAT + "service", "id"),
    "servesDataset": (DCAT + "servesDataset", "id"),
    "accessService": (DCAT + "accessService", "id"),
    "accessURL": (DCAT + "accessURL", "id"),
    "downloadURL": (DCAT + "downloadURL", "id"),
    "endpointURL": (DCAT + "endpointURL", "id"),
    "endpointDescription": (DCAT + "endpointDescription", "id"),
    "landingPage": (DCAT + "landingPage", "id"),
    "mediaType": (DCAT + "mediaType", "id"),
    "theme": (DCAT + "theme", "id"),
    "themeTaxonomy": (DCAT + "themeTaxonomy", "id"),
    "contactPoint": (DCAT + "contactPoint", "id"),
    "format": (DCT + "format", "id"),
    "license": (DCT + "license", "id"),
    "publisher": (DCT + "publisher", "id"),
    "accessRights": (DCT + "accessRights", "id"),
    "accrualPeriodicity": (DCT + "accrualPeriodicity", "id"),
    "spatial": (DCT + "spatial", "id"),
    "temporal": (DCT + "temporal", "id"),
    "conformsTo": (DCT + "conformsTo", "id"),
    "language": (DCT + "language", "id"),
    "homepage": (FOAF + "homepage", "id"),
    "page": (FOAF + "page", "id"),
    "inScheme": (SKOS + "inScheme", "id"),
    "hasEmail": (VCARD + "hasEmail", "id"),
    "hasURL": (VCARD + "hasURL", "id"),
    "status": (ADMS + "status", "id"),
    "availability": (DCATAP + "availability", "id"),
    "statuut": (MDCAT + "statuut", "id"),
    "view": (HYDRA + "view", "id"),
    "first": (HYDRA + "first", "id"),
    "last": (HYDRA + "last", "id"),
    "next": (HYDRA + "next", "id"),
    "previous": (HYDRA + "previous", "id"),
}


def _curie(iri: str) -> str:
    """``dcat:Dataset`` for an IRI in one of Belfort's namespaces, else the IRI itself."""
    split = _split(iri)
    return f"{split[0]}:{split[1]}" if split else iri


def _context() -> dict[str, Any]:
    context: dict[str, Any] = dict(PREFIXES)
    for name, (iri, kind) in _TERMS.items():
        definition: dict[str, str] = {"@id": _curie(iri)}
        if kind == "id":
            definition["@type"] = "@id"
        elif kind == "lang":
            definition["@container"] = "@language"
        elif kind != "plain":
            definition["@type"] = _curie(kind)
        context[name] = definition
    return context


JSONLD_CONTEXT: dict[str, Any] = _context()
_TERM_OF = {iri: (name, kind) for name, (iri, kind) in _TERMS.items()}


def _expanded(obj: Term) -> Any:
    if isinstance(obj, IRI):
        return {"@id": _curie(obj)}
    if obj.lang:
        return {"@value": obj.value, "@language": obj.lang}
    if obj.datatype and obj.datatype != XSD_STRING:
        return {"@value": obj.value, "@type": _curie(obj.datatype)}
    return obj.value


def _node(subject: str, props: list[tuple[str, Term]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _curie(subject)}
    types = [_curie(o) for p, o in props if p == RDF_TYPE and isinstance(o, IRI)]
    if types:
        node["@type"] = types[0] if len(types) == 1 else types
    out: dict[str, list[Any]] = {}
    maps: dict[str, dict[str, list[str]]] = {}
    for predicate, obj in props:
        if predicate == RDF_TYPE and isinstance(obj, IRI):
            continue
        name, kind = _TERM_OF.get(predicate, (None, None))
        if name is not None:
            if kind == "id" and isinstance(obj, IRI):
                out.setdefault(name, []).append(_curie(obj))
                continue
            if isinstance(obj, Lit):
                if kind == "lang" and obj.lang:
                    maps.setdefault(name, {}).setdefault(obj.lang, []).append(obj.value)
                    continue
                if kind == "plain" and not obj.lang and obj.datatype in (None, XSD_STRING):
                    out.setdefault(name, []).append(obj.value)
                    continue
                if kind == obj.datatype and not obj.lang:
                    out.setdefault(name, []).append(obj.value)
                    continue
        out.setdefault(_curie(predicate), []).append(_expanded(obj))
    for name, by_lang in maps.items():
        node[name] = {lang: values[0] if len(values) == 1 else values for lang, values in by_lang.items()}
    for key, values in out.items():
        node[key] = values[0] if len(values) == 1 else values
    return node


def jsonld_nodes(document: Document) -> list[dict[str, Any]]:
    """The document's nodes as compacted JSON-LD (against ``JSONLD_CONTEXT``)."""
    return [_node(subject, props) for subject, props in document.nodes.items()]


def compact_jsonld(document: Document) -> dict[str, Any]:
    """The document as compacted JSON-LD: ``{"@context": …, "@graph": [node, …]}``."""
    return {
        "@context": JSONLD_CONTEXT,
        "@graph": [_node(subject, props) for subject, props in document.nodes.items()],
    }


# ── Turtle, N-Triples and RDF/XML ─────────────────────────────────────────────────────
#
# Written here rather than by rdflib or pyoxigraph: a 1,000-dataset page is ~100,000
# triples, and building pyoxigraph terms costs ~4 µs a triple (rdflib's Turtle writer
# ~140 µs), writing the text directly well under 1 µs. Every IRI was checked when the
# document was built (``is_iri``) and is escaped again here; literals are escaped per
# format. The tests parse every format back with rdflib and pyoxigraph.

_TURTLE_STRING = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}
_TURTLE_STRING.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                       ord("\t"): "\\t"})
_IRI_ESCAPE = {c: f"\\u{c:04X}" for c in (*range(0x21), *map(ord, '<>"{}|^`\\'))}
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
# translate() is slow; most values need no escaping, which one regex search tells
_TURTLE_SPECIAL = re.compile('[\x00-\x1f\x7f"\\\\]')
_IRI_SPECIAL = re.compile('[\x00-\x20<>"{}|^`\\\\]')


def _iriref(iri: str) -> str:
    return f"<{iri.translate(_IRI_ESCAPE) if _IRI_SPECIAL.search(iri) else iri}>"


def _literal_nt(obj: Lit, iri: Any) -> str:
    value = obj.value
    quoted = f'"{value.translate(_TURTLE_STRING) if _TURTLE_SPECIAL.search(value) else value}"'
    if obj.lang and _LANGUAGE_TAG.fullmatch(obj.lang):
        return f"{quoted}@{obj.lang}"
    if obj.datatype and obj.datatype != XSD_STRING:
        return f"{quoted}^^{iri(obj.datatype)}"
    return quoted


def _turtle_iri(iri: str) -> str:
    split = _split(iri)
    return f"{split[0]}:{split[1]}" if split else _iriref(iri)


def write_turtle(document: Document, *, prefixes: bool = True) -> str:
    """``prefixes=False``: the statements only (a fragment to append to a document that has them)."""
    forms: dict[str, str] = {"": ""}  # IRI → its Turtle form; predicates and concepts repeat

    def form(iri: str) -> str:
        found = forms.get(iri)
        if found is None:
            found = forms[iri] = _turtle_iri(iri)
        return found

    forms[RDF_TYPE] = "a"
    out = [f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()] if prefixes else []
    for subject, props in document.nodes.items():
        grouped: dict[str, list[str]] = {}
        for predicate, obj in props:
            if isinstance(obj, IRI):
                # rdf:type as an object (ldes:versionDeletePath rdf:type) is not "a"
                term = (forms.get(obj) or form(obj)) if obj != RDF_TYPE else _turtle_iri(obj)
            else:
                term = _literal_nt(obj, form)
            terms = grouped.get(predicate)
            if terms is None:
                grouped[predicate] = [term]
            else:
                terms.append(term)
        body = " ;\n    ".join(f"{forms.get(p) or form(p)} {' , '.join(t)}" for p, t in grouped.items())
        out.append(f"\n{form(subject)} {body} .\n")
    return "".join(out)


def write_ntriples(document: Document) -> str:
    out = []
    for subject, props in document.nodes.items():
        s = _iriref(subject)
        for predicate, obj in props:
            o = _iriref(obj) if isinstance(obj, IRI) else _literal_nt(obj, _iriref)
            out.append(f"{s} {_iriref(predicate)} {o} .\n")
    return "".join(out)


_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_XML_ATTRIBUTE = {**_XML_TEXT, ord('"'): "&quot;", ord("\n"): "&#10;", ord("\t"): "&#9;"}
_XML_SPECIAL = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _xml_text(value: str) -> str:
    if not _XML_SPECIAL.search(value):
        return value
    return _XML_INVALID.sub("", value).translate(_XML_TEXT)


def _xml_attribute(value: str) -> str:
    if not _XML_SPECIAL.search(value):
        return value
    return _XML_INVALID.sub("", value).translate(_XML_ATTRIBUTE)


def _xml_element(predicate: str) -> tuple[str, str]:
    """(element name, namespace declaration it needs) for a property."""
    split = _split(predicate)
    if split:
        return f"{split[0]}:{split[1]}", ""
    # a property outside Belfort's namespaces: declare its namespace on the element
    match = re.search(r"[A-Za-z_][A-Za-z0-9_-]*$", predicate)
    if not match or match.start() == 0:
        raise ValueError(f"cannot write property {predicate!r} in RDF/XML")
    return f"ns0:{match.group()}", f' xmlns:ns0="{_xml_attribute(predicate[:match.start()])}"'


RDFXML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {}>\n'.format(
    " ".join(f'xmlns:{prefix}="{_xml_attribute(ns)}"' for prefix, ns in PREFIXES.items()))
RDFXML_TAIL = "</rdf:RDF>\n"


def write_rdfxml(document: Document, *, envelope: bool = True) -> str:
    """``envelope=False``: the ``rdf:Description`` elements only (a fragment to put
    between ``RDFXML_HEAD`` and ``RDFXML_TAIL``)."""
    out = [RDFXML_HEAD] if envelope else []
    append = out.append
    elements: dict[str, tuple[str, str]] = {}
    resources: dict[str, str] = {}  # IRI → its escaped attribute value; many repeat
    for subject, props in document.nodes.items():
        append(f'  <rdf:Description rdf:about="{_xml_attribute(subject)}">\n')
        for predicate, obj in props:
            names = elements.get(predicate)
            if names is None:
                names = elements[predicate] = _xml_element(predicate)
            element, declaration = names
            if isinstance(obj, IRI):
                resource = resources.get(obj)
                if resource is None:
                    resource = resources[obj] = _xml_attribute(obj)
                append(f'    <{element}{declaration} rdf:resource="{resource}"/>\n')
                continue
            if obj.lang:
                attribute = f' xml:lang="{_xml_attribute(obj.lang)}"'
            elif obj.datatype and obj.datatype != XSD_STRING:
                attribute = f' rdf:datatype="{_xml_attribute(obj.datatype)}"'
            else:
                attribute = ""
            append(f"    <{element}{declaration}{attribute}>{_xml_text(obj.value)}</{element}>\n")
        append("  </rdf:Description>\n")
    if envelope:
        append(RDFXML_TAIL)
    return "".join(out)
