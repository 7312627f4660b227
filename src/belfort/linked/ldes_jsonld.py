"""Compact JSON-LD for event-stream documents, written directly (no JSON-LD processor).

A page of 250 members is ~3,000 triples; written as expanded JSON-LD (every value an
object in a list) it is ~530 bytes a member and a client spends more time parsing it
than the server writing it. So each document gets an inline context that makes its
members read as plain JSON:

- the stream's and the page's properties have fixed terms (``member``, ``relation``,
  ``isVersionOf``, ``generatedAtTime`` …) with their type coerced;
- every other property gets a term named after its local name (``aantal``) when the
  document uses it with one kind of value only — IRIs, one datatype, or one language —
  so its values are bare strings; a property used with mixed values, or whose local name
  is taken, keeps its compact IRI (``ds:aantal``) and expanded values;
- one value is written as it is, several as a list.

The result holds exactly the document's triples (the tests compare it with the Turtle).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from belfort.linked.rdf import IRI, RDF_TYPE, Document, Lit
from belfort.linked.vocabularies import DCT, XSD

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
PROV = "http://www.w3.org/ns/prov#"
XSD_STRING = XSD + "string"

# fixed terms: name → (property, "@id" | a datatype | None for plain strings)
FIXED_TERMS: dict[str, tuple[str, str | None]] = {
    "member": (TREE + "member", "@id"),
    "view": (TREE + "view", "@id"),
    "relation": (TREE + "relation", "@id"),
    "node": (TREE + "node", "@id"),
    "path": (TREE + "path", "@id"),
    "value": (TREE + "value", XSD + "dateTime"),
    "remainingItems": (TREE + "remainingItems", XSD + "integer"),
    "timestampPath": (LDES + "timestampPath", "@id"),
    "versionOfPath": (LDES + "versionOfPath", "@id"),
    "versionDeletePath": (LDES + "versionDeletePath", "@id"),
    "versionDeleteObject": (LDES + "versionDeleteObject", "@id"),
    "isVersionOf": (DCT + "isVersionOf", "@id"),
    "generatedAtTime": (PROV + "generatedAtTime", XSD + "dateTime"),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,60}")
SCHEMES = frozenset({"http", "https", "urn", "mailto", "file", "ftp", "tag", "data"})  # never prefixes
_MIXED = ("mixed",)


def _kind(obj: IRI | Lit) -> tuple[str, ...]:
    if isinstance(obj, IRI):
        return ("@id",)
    if obj.lang:
        return ("lang", obj.lang)
    if obj.datatype and obj.datatype != XSD_STRING:
        return ("type", obj.datatype)
    return ("plain",)


class _Compactor:
    def __init__(self, document: Document, prefixes: dict[str, str]) -> None:
        self.prefix_of = {ns: name for name, ns in prefixes.items() 
                          if ns.endswith(("/", "#")) and _NAME.fullmatch(name) and name.lower() not in SCHEMES}
        self.curies: dict[str, str] = {}
        kinds: dict[str, tuple[str, ...]] = {}
        for props in document.nodes.values():
            for predicate, obj in props:
                if predicate == RDF_TYPE and isinstance(obj, IRI):
                    continue
                kind = _kind(obj)
                seen = kinds.get(predicate)
                if seen is None:
                    kinds[predicate] = kind
                elif seen != kind:
                    kinds[predicate] = _MIXED
        taken = set(self.prefix_of.values())
        # property → (JSON key, coercion: "@id", ("type", dt), ("lang", tag), ("plain",) or None: expanded)
        self.keys: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self.context: dict[str, Any] = {name: ns for ns, name in self.prefix_of.items()}
        for name, (iri, coerced) in FIXED_TERMS.items():
            wanted = ("@id",) if coerced == "@id" else ("type", coerced) if coerced else ("plain",)
            if kinds.get(iri, wanted) == wanted:
                self.keys[iri] = (name, wanted)
                self.context[name] = {"@id": self.curie(iri), "@type": self.curie(coerced)} if coerced else self.curie(iri)
                taken.add(name)
        for predicate, kind in kinds.items():
            if predicate in self.keys:
                continue
            cut = max(predicate.rfind("#"), predicate.rfind("/")) + 1
            name = predicate[cut:]
            if kind is _MIXED or not _NAME.fullmatch(name) or name in taken:
                self.keys[predicate] = (self.curie(predicate), None)
                continue
            taken.add(name)
            definition: dict[str, str] = {"@id": self.curie(predicate)}
            if kind[0] == "@id":
                definition["@type"] = "@id"
            elif kind[0] == "type":
                definition["@type"] = self.curie(kind[1])
            elif kind[0] == "lang":
                definition["@language"] = kind[1]
            self.keys[predicate] = (name, kind)
            self.context[name] = definition

    def curie(self, iri: str) -> str:
        found = self.curies.get(iri)
        if found is None:
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            name = self.prefix_of.get(iri[:cut])
            local = iri[cut:]
            found = f"{name}:{local}" if name and local and not local.startswith("/") else iri
            self.curies[iri] = found
        return found

    def node(self, subject: str, props: list[tuple[str, IRI | Lit]]) -> dict[str, Any]:
        out: dict[str, Any] = {"@id": subject}
        types = [self.curie(o) for p, o in props if p == RDF_TYPE and isinstance(o, IRI)]
        if types:
            out["@type"] = types[0] if len(types) == 1 else types
        keys = self.keys
        for predicate, obj in props:
            if predicate == RDF_TYPE and isinstance(obj, IRI):
                continue
            key, coerced = keys[predicate]
            if coerced is not None:
                value: Any = obj if isinstance(obj, IRI) else obj.value
            elif isinstance(obj, IRI):
                value = {"@id": obj}
            elif obj.lang:
                value = {"@value": obj.value, "@language": obj.lang}
            elif obj.datatype and obj.datatype != XSD_STRING:
                value = {"@value": obj.value, "@type": self.curie(obj.datatype)}
            else:
                value = obj.value
            found = out.get(key)
            if found is None:
                out[key] = value
            elif isinstance(found, list):
                found.append(value)
            else:
                out[key] = [found, value]
        return out


def write_jsonld(document: Document, prefixes: dict[str, str]) -> bytes:
    """The document as compact JSON-LD: ``{"@context": {…}, "@graph": [node, …]}``."""
    compactor = _Compactor(document, prefixes)
    graph = [compactor.node(subject, props) for subject, props in document.nodes.items()]
    return orjson.dumps({"@context": compactor.context, "@graph": graph})
