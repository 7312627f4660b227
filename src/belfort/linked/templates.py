"""The building blocks of an RDF mapping: prefixed names and URI templates.

A term is a prefixed name (``sosa:Observation``, with a prefix Belfort knows or the mapping
declares) or a full ``http(s):`` / ``urn:`` IRI. A URI template is text with ``{name}``
placeholders: a field of the row, ``{value}`` (the mapped field's own value), ``{_id}``
(the record id), ``{_dataset}`` and, only at the very start, ``{_base}`` (Belfort's public
base URL). Values are percent-encoded (UTF-8, nothing kept but unreserved characters), so
no value can break out of its place or make the IRI invalid; a template whose fixed text
is not a valid IRI is refused when the mapping is validated.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from belfort.errors import InvalidRequest
from belfort.linked.rdf import is_iri
from belfort.linked.vocabularies import GSP, PREFIXES

SOSA = "http://www.w3.org/ns/sosa/"
SSN = "http://www.w3.org/ns/ssn/"
VKM = "https://data.vlaanderen.be/ns/verkeersmetingen#"
TIME = "http://www.w3.org/2006/time#"
DC11 = "http://purl.org/dc/elements/1.1/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
OM = "http://def.isotc211.org/iso19156/2011/Observation#"
QB = "http://purl.org/linked-data/cube#"  # W3C Data Cube (belfort.linked.cube)
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"

# Prefixes every mapping may use without declaring them.
KNOWN_PREFIXES: dict[str, str] = {
    **PREFIXES, "geo": GSP, "sosa": SOSA, "ssn": SSN, "vkm": VKM, "time": TIME, "dc11": DC11,
    "schema": SCHEMA, "prov": PROV, "owl": OWL, "om": OM,
    "qb": QB, "sdmx-dimension": SDMX_DIMENSION, "sdmx-attribute": SDMX_ATTRIBUTE,
    "sdmx-measure": SDMX_MEASURE,
}

RESERVED_PREFIXES = {"http", "https", "urn"}
SPECIAL_PLACEHOLDERS = ("_id", "_dataset", "_base")
MAX_TEMPLATE = 1_000
MAX_PLACEHOLDERS = 20
_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/#]{0,199}")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[A-Za-z0-9_]{1,100}")


def fail(where: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"rdf_mapping: {where}: {message}", details={"key": where})


def is_full_iri(text: str) -> bool:
    return (text.startswith(("http://", "https://")) or text.startswith("urn:")) and is_iri(text)


def check_namespace(namespace: Any, where: str) -> str:
    if not isinstance(namespace, str) or len(namespace) > 500 or not is_full_iri(namespace):
        raise fail(where, "a prefix must stand for an http(s) or urn IRI")
    return namespace


def check_prefix_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _PREFIX_NAME.fullmatch(name):
        raise fail(where, f"invalid prefix name {str(name)[:50]!r} (letters, digits, '_' and '-')")
    if name.lower() in RESERVED_PREFIXES:
        raise fail(where, f"{name!r} cannot be a prefix: full IRIs start with it")
    return name


def expand(term: Any, prefixes: Mapping[str, str], where: str) -> str:
    """The IRI a term names; InvalidRequest naming ``where`` when it names none."""
    if not isinstance(term, str) or not term or len(term) > 500:
        raise fail(where, "expected a prefixed name (e.g. 'sosa:Observation') or a full IRI")
    prefix, colon, local = term.partition(":")
    if colon and prefix in prefixes:
        if local and not _LOCAL.fullmatch(local):
            raise fail(where, f"invalid local name in {term[:100]!r}")
        iri = prefixes[prefix] + local
        if not is_iri(iri):
            raise fail(where, f"{term[:100]!r} does not expand to a valid IRI")
        return iri
    if is_full_iri(term):
        return term
    if colon and "/" not in prefix and prefix:
        raise fail(where, f"unknown prefix {prefix[:40]!r} in {term[:100]!r}; declare it under 'prefixes'")
    raise fail(where, f"{term[:100]!r} is neither a prefixed name nor a full http(s)/urn IRI")


# ── Template values ───────────────────────────────────────────────────────────────────


def value_text(value: Any) -> str | None:
    """How a value is written into a URI template (before percent-encoding)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict) and "lat" in value and "lon" in value:
        return f"{value['lat']},{value['lon']}"
    if isinstance(value, list | tuple | dict):
        return None
    return str(value)


class Template:
    """A parsed URI template."""

    __slots__ = ("parts", "placeholders", "text")

    def __init__(self, text: Any, where: str, *, fields: set[str] | None, allow_value: bool) -> None:
        if not isinstance(text, str) or not text:
            raise fail(where, "a URI template must be non-empty text")
        if len(text) > MAX_TEMPLATE:
            raise fail(where, f"a URI template is at most {MAX_TEMPLATE} characters")
        parts: list[tuple[bool, str]] = []  # (is placeholder, text or name)
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > position:
                parts.append((False, text[position:match.start()]))
            name = match.group(1)
            if not _NAME.fullmatch(name):
                raise fail(where, f"invalid placeholder {{{name[:50]}}}")
            if name == "_base" and match.start() != 0:
                raise fail(where, "{_base} may only start a template")
            if name == "value" and allow_value:
                pass
            elif name in SPECIAL_PLACEHOLDERS:
                pass
            elif fields is not None and name not in fields:
                hint = "" if allow_value or name != "value" else " ({value} is only for a field's own template)"
                raise fail(where, f"placeholder {{{name}}} names no field of the dataset{hint}")
            parts.append((True, name))
            position = match.end()
        if position < len(text):
            parts.append((False, text[position:]))
        if any(not is_placeholder and ("{" in t or "}" in t) for is_placeholder, t in parts):
            raise fail(where, "unbalanced '{' or '}' in the URI template")
        self.text = text
        self.parts = tuple(parts)
        self.placeholders = tuple(name for is_placeholder, name in parts if is_placeholder)
        if len(self.placeholders) > MAX_PLACEHOLDERS:
            raise fail(where, f"a URI template has at most {MAX_PLACEHOLDERS} placeholders")
        sample = self.render({name: "x" for name in self.placeholders}, base="http://example.org",
                             dataset_id="d", record_id="r", value="x")
        if sample is None:
            raise fail(where, f"{text[:100]!r} does not give a valid absolute IRI "
                              "(start it with {_base}, http://, https:// or urn:)")

    def render(self, row: Mapping[str, Any], *, base: str, dataset_id: str, record_id: str,
               value: Any = None) -> str | None:
        """The IRI for one row; None when a placeholder's value is missing (or the result
        is not a valid IRI, which percent-encoding should make impossible)."""
        out: list[str] = []
        for is_placeholder, name in self.parts:
            if not is_placeholder:
                out.append(name)
                continue
            if name == "_base":
                out.append(base)
                continue
            text: str | None
            if name == "_dataset":
                text = dataset_id
            elif name == "_id":
                text = record_id
            elif name == "value" and value is not None:
                text = value_text(value)
            else:
                text = value_text(row.get(name))
            if text is None or text == "":
                return None
            out.append(quote(text, safe=""))
        iri = "".join(out)
        return iri if is_full_iri(iri) else None

    def match(self, iri: str, *, base: str, dataset_id: str) -> dict[str, str] | None:
        """The field values that render to ``iri`` (the inverse of ``render``), or None.
        Special placeholders must match their own values; a field named twice must have
        the same value in both places."""
        pattern: list[str] = []
        names: list[str] = []
        for is_placeholder, name in self.parts:
            if not is_placeholder:
                pattern.append(re.escape(name))
            elif name == "_base":
                pattern.append(re.escape(base))
            elif name == "_dataset":
                pattern.append(re.escape(quote(dataset_id, safe="")))
            else:
                pattern.append("([^/?#]+)")
                names.append(name)
        found = re.fullmatch("".join(pattern), iri)
        if found is None:
            return None
        values: dict[str, str] = {}
        for name, raw in zip(names, found.groups(), strict=True):
            value = unquote(raw)
            if values.setdefault(name, value) != value:
                return None
        return values
