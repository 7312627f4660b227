"""SPARQL answers written out: SELECT/ASK results as SPARQL JSON, XML, CSV and TSV;
CONSTRUCT/DESCRIBE graphs as Turtle, N-Triples, RDF/XML or compacted JSON-LD.

Written here (not by pyoxigraph's serialisers) because an answer is cut at the result
limit while it streams, which pyoxigraph's writers cannot do. Formats:
SPARQL 1.1 Query Results JSON / XML / CSV and TSV Formats (W3C recommendations).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

import orjson
import pyoxigraph as ox

from belfort.linked.rdf import IRI, Document, Lit, compact_jsonld
from belfort.linked.vocabularies import PREFIXES, XSD

XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ResultFormat(NamedTuple):
    name: str
    content_type: str


RESULT_FORMATS: dict[str, ResultFormat] = {
    "json": ResultFormat("json", "application/sparql-results+json"),
    "xml": ResultFormat("xml", "application/sparql-results+xml"),
    "csv": ResultFormat("csv", "text/csv; charset=utf-8"),
    "tsv": ResultFormat("tsv", "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS: dict[str, ResultFormat] = {
    "ttl": ResultFormat("ttl", "text/turtle; charset=utf-8"),
    "nt": ResultFormat("nt", "application/n-triples"),
    "rdf": ResultFormat("rdf", "application/rdf+xml"),
    "jsonld": ResultFormat("jsonld", "application/ld+json"),
}


# ── SELECT ────────────────────────────────────────────────────────────────────────────


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF-star
        return {"type": "triple", "value": str(term)}
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_field(term: Any) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, ox.BlankNode) else getattr(term, "value", str(term))
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_field(term: Any) -> str:
    return "" if term is None else str(term)  # pyoxigraph's str() is the N-Triples / Turtle form


def write_select(variables: Sequence[str], solutions: Iterable[Any], fmt: str) -> bytes:
    """``solutions``: pyoxigraph ``QuerySolution``s (already cut at the limit)."""
    if fmt == "json":
        bindings = []
        for solution in solutions:
            row = {}
            for name in variables:
                term = solution[name]
                if term is not None:
                    row[name] = _json_term(term)
            bindings.append(row)
        return orjson.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}})
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>\n']
        out += [f"  <variable name={quoteattr(name)}/>\n" for name in variables]
        out.append("</head>\n<results>\n")
        for solution in solutions:
            out.append("  <result>\n")
            for name in variables:
                term = solution[name]
                if term is not None:
                    out.append(f"    <binding name={quoteattr(name)}>{_xml_term(term)}</binding>\n")
            out.append("  </result>\n")
        out.append("</results>\n</sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_field(s[name]) for name in variables) for s in solutions]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{name}" for name in variables)]
        lines += ["\t".join(_tsv_field(s[name]) for name in variables) for s in solutions]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown result format {fmt!r}")


def write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return orjson.dumps({"head": {}, "boolean": value})
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    raise ValueError(f"unknown result format {fmt!r}")


# ── CONSTRUCT / DESCRIBE ──────────────────────────────────────────────────────────────


def _document(triples: Iterable[Any]) -> Document:
    document = Document()
    for triple in triples:
        s, p, o = triple.subject, triple.predicate, triple.object
        subject = f"_:{s.value}" if isinstance(s, ox.BlankNode) else str(getattr(s, "value", s))
        if isinstance(o, ox.Literal):
            obj: Any = Lit(o.value, o.language or None,
                           None if o.language or o.datatype.value == XSD_STRING else o.datatype.value)
        elif isinstance(o, ox.BlankNode):
            obj = IRI(f"_:{o.value}")
        else:
            obj = IRI(getattr(o, "value", str(o)))
        document.add(subject, p.value, obj)
    return document


_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}


def write_graph(triples: list[Any], fmt: str) -> bytes:
    """Triples (pyoxigraph ``Triple``s) as ``fmt``; JSON-LD compacted against Belfort's context."""
    if fmt == "jsonld":
        return orjson.dumps(compact_jsonld(_document(triples)))
    ox_format = _OX_FORMATS.get(fmt)
    if ox_format is None:
        raise ValueError(f"unknown RDF format {fmt!r}")
    prefixes = PREFIXES if fmt != "nt" else None
    return ox.serialize(triples, format=ox_format, prefixes=prefixes) or b""
