"""Reading DCAT-AP documents for ``belfort harvest dcat``: parse a response into a graph,
find the next page and the datasets, and map one ``dcat:Dataset`` to Belfort metadata and
the distributions Belfort can ingest.

No network here: ``belfort.harvest.dcat`` fetches (with byte caps and timeouts) and hands
the bytes over. Every mapping is lenient: a value Belfort cannot store is dropped (or cut
to size) and noted, so one odd field never costs a whole dataset.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote, urljoin

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from belfort.catalog.metadata import SLUG_PATTERN
from belfort.catalog.store import validate_metadata
from belfort.errors import BelfortError
from belfort.harvest.terms import mapped_terms
from belfort.linked import vocabularies as v

HYDRA = Namespace(v.HYDRA)
DCAT_VERSION = URIRef(v.DCAT + "version")  # DCAT 3; rdflib's DCAT namespace predates it
VCARD = Namespace(v.VCARD)
LOCN = Namespace(v.LOCN)
SCHEMA = Namespace("http://schema.org/")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# media type (Content-Type) → rdflib parser
RDF_MEDIA_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/n-triples": "nt", "text/n3": "n3",
}
RDF_EXTENSIONS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml",
                  ".xml": "xml", ".owl": "xml", ".nt": "nt", ".n3": "n3"}
# what Belfort can ingest, best first: Parquet keeps types and nulls exactly
INGESTIBLE = ("parquet", "csv", "geojson", "json", "xlsx")
DATA_MEDIA_TYPES = {
    "text/csv": "csv", "application/csv": "csv", "text/comma-separated-values": "csv",
    "application/json": "json", "application/geo+json": "geojson", "application/vnd.geo+json": "geojson",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
    "application/parquet": "parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
DATA_FILE_TYPES = {"CSV": "csv", "JSON": "json", "GEOJSON": "geojson", "PARQUET": "parquet", "XLSX": "xlsx"}
DATA_SUFFIXES = {"csv": "csv", "json": "json", "geojson": "geojson", "parquet": "parquet", "xlsx": "xlsx"}

THEME_PREFIXES = (v.AUTHORITY + "data-theme/", "http://vocab.belgif.be/auth/datatheme/")
FREQUENCY_BY_URI = {c.uri: value for value, c in v.FREQUENCIES.items()}
FREQUENCY_CODES = {  # the rest of the EU frequency table, to the nearest Belfort word
    "CONT": "continuous", "UPDATE_CONT": "continuous", "10MIN": "continuous", "15MIN": "continuous",
    "30MIN": "continuous", "1MIN": "continuous", "5MIN": "continuous", "HOURLY": "hourly",
    "BIHOURLY": "hourly", "TRIHOURLY": "hourly", "12HRS": "daily", "DAILY": "daily",
    "DAILY_2": "daily", "DAILY_3": "daily", "WEEKLY": "weekly", "WEEKLY_2": "weekly",
    "WEEKLY_3": "weekly", "BIWEEKLY": "weekly", "MONTHLY": "monthly", "MONTHLY_2": "monthly",
    "MONTHLY_3": "monthly", "BIMONTHLY": "monthly", "QUARTERLY": "quarterly", "ANNUAL": "annual",
    "ANNUAL_2": "annual", "ANNUAL_3": "annual", "BIENNIAL": "annual", "TRIENNIAL": "annual",
    "IRREG": "irregular", "OTHER": "irregular", "NEVER": "never", "OP_DATPRO": "unknown",
    "UNKNOWN": "unknown",
}
NON_PUBLIC = ("NON_PUBLIC", "RESTRICTED", "SENSITIVE", "CONFIDENTIAL")
GENERATED = ("De uitgever heeft nog geen beschrijving gegeven.",
             "The publisher has not given a description yet.")


class RdfProblem(BelfortError):
    """A document or a dataset description Belfort cannot use (reported, never fatal)."""


# ── parsing ───────────────────────────────────────────────────────────────────────────


def rdf_format(content_type: str | None, url: str, body: bytes) -> str:
    """The rdflib parser for a response: by Content-Type, else the URL's extension, else a sniff."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        raise RdfProblem(f"{url[:200]} answers with an HTML page, not RDF")
    if media in RDF_MEDIA_TYPES:
        return RDF_MEDIA_TYPES[media]
    path = url.split("?")[0].split("#")[0].lower()
    for extension, fmt in RDF_EXTENSIONS.items():
        if path.endswith(extension):
            return fmt
    start = body.lstrip()[:1]
    return "json-ld" if start in (b"{", b"[") else "xml" if start == b"<" and not body.lstrip().startswith(b"<http") else "turtle"


def parse(body: bytes, fmt: str, url: str, fetch_json: Callable[[str], Any]) -> Graph:
    """``body`` as a graph (relative IRIs against ``url``). JSON-LD contexts given by URL
    are fetched through ``fetch_json`` (bounded) and inlined: rdflib would otherwise fetch
    them itself, without limits."""
    graph = Graph()
    try:
        if fmt == "json-ld":
            document = _inline_contexts(json.loads(body), url, fetch_json, depth=0)
            graph.parse(data=json.dumps(document), format="json-ld", base=url)
        else:
            graph.parse(data=body, format=fmt, publicID=url)
    except RdfProblem:
        raise
    except Exception as exc:  # rdflib's parsers raise many kinds; all mean "not readable"
        why = " ".join(str(exc).split(" at ^ in")[0].split())[:200]  # not the quoted document
        raise RdfProblem(f"not readable as {fmt}: {type(exc).__name__}: {why}") from None
    return graph


def _inline_contexts(node: Any, base: str, fetch_json: Callable[[str], Any], depth: int) -> Any:
    if isinstance(node, list):
        return [_inline_contexts(item, base, fetch_json, depth) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _context(value, base, fetch_json, depth)
        else:
            out[key] = _inline_contexts(value, base, fetch_json, depth)
    return out


def _context(value: Any, base: str, fetch_json: Callable[[str], Any], depth: int) -> Any:
    if isinstance(value, list):
        return [_context(item, base, fetch_json, depth) for item in value]
    if isinstance(value, str):
        if depth >= 3:
            raise RdfProblem("JSON-LD contexts nested too deeply")
        url = urljoin(base, value)
        fetched = fetch_json(url)
        inner = fetched.get("@context") if isinstance(fetched, dict) else None
        if inner is None:
            raise RdfProblem(f"the JSON-LD context {url[:200]} has no @context")
        return _context(inner, url, fetch_json, depth + 1)
    if isinstance(value, dict):
        if "@import" in value:
            raise RdfProblem("JSON-LD @import in a context is not supported")
        return {k: _inline_contexts(item, base, fetch_json, depth) for k, item in value.items()}
    return value


# ── paging and datasets ───────────────────────────────────────────────────────────────


def is_catalogue(graph: Graph) -> bool:
    return any(graph.subjects(RDF.type, DCAT.Catalog)) or any(graph.subjects(RDF.type, DCAT.Dataset))


def next_page(graph: Graph, url: str, link_next: str | None) -> str | None:
    """The next page: the HTTP ``Link: rel="next"`` (keeps the format asked for), else
    ``hydra:next`` of a page view (or the older ``hydra:nextPage``)."""
    if link_next:
        return urljoin(url, link_next)
    views = set(graph.objects(None, HYDRA.view)) | set(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    views |= set(graph.subjects(RDF.type, HYDRA.PagedCollection))
    own = URIRef(url)
    ordered = sorted(views, key=lambda n: (n != own, str(n)))
    for view in ordered:
        for prop in (HYDRA.next, HYDRA.nextPage):
            target = graph.value(view, prop)
            if isinstance(target, URIRef) and str(target).startswith(("http://", "https://")):
                return str(target)
    return None


def dataset_nodes(graph: Graph) -> list[Node]:
    """Datasets the page lists or describes, in the order the page gives them."""
    seen: dict[Node, None] = {}
    for node in graph.objects(None, DCAT.dataset):
        if isinstance(node, URIRef | BNode):
            seen.setdefault(node)
    for node in graph.subjects(RDF.type, DCAT.Dataset):
        seen.setdefault(node)
    return list(seen)


def is_described(graph: Graph, node: Node) -> bool:
    return (node, RDF.type, DCAT.Dataset) in graph or graph.value(node, DCTERMS.title) is not None


def described_dataset(graph: Graph, iri: str, final_url: str) -> Node:
    """The dataset a dereferenced document describes: the IRI asked, the address it
    redirected to, or the one dataset in it."""
    for candidate in (URIRef(iri), URIRef(iri.split("#")[0]), URIRef(final_url)):
        if is_described(graph, candidate):
            return candidate
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    if len(datasets) == 1:
        return datasets[0]
    raise RdfProblem(f"{iri[:200]} does not describe a dcat:Dataset")


# ── one dataset → Belfort metadata ────────────────────────────────────────────────────


@dataclass(frozen=True)
class Candidate:
    """A distribution Belfort can ingest."""

    url: str
    format: str
    modified: str = ""


@dataclass
class DatasetRecord:
    iri: str
    source_id: str  # the identifier as the catalogue gives it
    dataset_id: str  # as Belfort stores it
    metadata: dict[str, Any]
    candidates: list[Candidate]
    fingerprint: str  # the source's modified, version and downloads: unchanged → no download
    notes: list[str] = field(default_factory=list)

    @property
    def metadata_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.metadata, sort_keys=True, default=str).encode()).hexdigest()


def slug_of(identifier: str) -> str:
    """Belfort's id for a catalogue's identifier: an IRI's last segment, slugified; an id
    longer than 100 characters is cut and made unique by a hash of the whole."""
    text = identifier.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        rest, _, fragment = text.partition("#")
        path, _, query = rest.split("://", 1)[1].partition("?")
        text = fragment or "-".join(x for x in (path.rstrip("/").rsplit("/", 1)[-1], query) if x)
    elif re.match(r"^urn:", text, re.I):
        text = text.rsplit(":", 1)[-1]
    slug = v.slug(unquote(text), max_length=10_000)
    if len(slug) > 100:
        digest = hashlib.sha256(identifier.encode()).hexdigest()[:10]
        slug = slug[:89].rstrip("-") + "-" + digest
    return slug


def _lang(literal: Literal) -> str:
    return (literal.language or "").lower().split("-")[0]


def _texts(graph: Graph, node: Node, *predicates: URIRef) -> list[Literal]:
    return [o for p in predicates for o in graph.objects(node, p) if isinstance(o, Literal) and str(o).strip()]


def _pick(literals: Iterable[Literal], *langs: str) -> str | None:
    """The first text in the first of ``langs`` that has one ('' is untagged, '*' any)."""
    items = list(literals)
    for lang in langs:
        for literal in items:
            if lang == "*" or _lang(literal) == lang:
                return str(literal).strip()
    return None


def _cut(value: str | None, limit: int, what: str, notes: list[str]) -> str | None:
    if value is not None and len(value) > limit:
        notes.append(f"{what} cut to {limit} characters")
        return value[:limit]
    return value


def _name(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node).strip() or None
    names = _texts(graph, node, FOAF.name, SKOS.prefLabel, RDFS.label, VCARD.fn, DCTERMS.title)
    return _pick(names, "nl", "", "en", "*")


def _local(node: Node, dataset: Node) -> bool:
    """A node only this description names (a blank node or ``{dataset}#…``)."""
    return isinstance(node, BNode) or (isinstance(dataset, URIRef) and str(node).startswith(str(dataset) + "#"))


def _date(value: Node | None, end: bool) -> date | None:
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    return date.fromisoformat(text[:10])


def read_dataset(graph: Graph, node: Node) -> DatasetRecord:
    """Map one ``dcat:Dataset`` to Belfort metadata and its ingestible distributions."""
    notes: list[str] = []
    iri = str(node) if isinstance(node, URIRef) else ""
    identifiers = [str(o).strip() for o in graph.objects(node, DCTERMS.identifier) if str(o).strip()]
    identifiers.sort(key=lambda i: not SLUG_PATTERN.match(i))  # one already valid first
    source_id = identifiers[0] if identifiers else iri
    if not source_id:
        raise RdfProblem("a dataset without dct:identifier and without an IRI")
    dataset_id = slug_of(source_id)
    if not SLUG_PATTERN.match(dataset_id):
        raise RdfProblem(f"identifier {source_id[:100]!r} gives no usable Belfort identifier")
    if dataset_id != source_id:
        shown = source_id if len(source_id) <= 80 else source_id[:60] + f"… ({len(source_id):,} characters)"
        notes.append(f"identifier {shown!r} stored as {dataset_id!r}")

    titles = _texts(graph, node, DCTERMS.title)
    title_nl = _pick(titles, "nl", "", "en", "*") or dataset_id
    descriptions = [d for d in _texts(graph, node, DCTERMS.description)
                    if not (str(d).startswith("Dataset ‘") and str(d).rstrip().endswith(GENERATED))]
    contact = graph.value(node, DCAT.contactPoint)
    metadata: dict[str, Any] = {
        "title_nl": _cut(title_nl, 300, "title", notes),
        "title_en": _cut(_pick(titles, "en"), 300, "English title", notes),
        "description_nl": _cut(_pick(descriptions, "nl", "") or (
            None if _pick(descriptions, "en") else _pick(descriptions, "*")), 20_000, "description", notes),
        "description_en": _cut(_pick(descriptions, "en"), 20_000, "English description", notes),
        "organisation": _cut(_name(graph, graph.value(node, DCTERMS.publisher)), 200, "publisher", notes),
        "contact_point": _contact(graph, contact, notes),
        "themes": [], "keywords": [],
        "licence": None, "spatial": None,
        "temporal": _temporal(graph, node, notes),
        "frequency": _frequency(graph.value(node, DCTERMS.accrualPeriodicity)),
        "classification": "open", "classification_reason": None, "restriction_reason": None,
    }
    contact_point = metadata["contact_point"]
    if contact_point["email"] is None and contact_point["name"] == metadata["organisation"]:
        contact_point["name"] = None  # only the publisher's name: Belfort says the same without it
    _themes_and_keywords(graph, node, metadata, notes)
    metadata["spatial"] = _place(graph, node, notes)
    rights = graph.value(node, DCTERMS.accessRights)
    if rights is not None and str(rights).rstrip("/").rsplit("/", 1)[-1].upper() in NON_PUBLIC:
        metadata["classification"] = "internal"
        # the source's owner keeps it closed: a right of that third party, not Belfort's choice
        metadata["restriction_reason"] = "third-party-rights"
        metadata["classification_reason"] = f"not public at the source (dct:accessRights {str(rights)[:200]})"

    candidates, licences, skipped = _distributions(graph, node)
    licence = graph.value(node, DCTERMS.license)
    metadata["licence"] = _licence(graph, node, licence if licence is not None else next(iter(licences), None), notes)
    if skipped and not candidates:
        notes.append("no distribution Belfort can ingest (" + "; ".join(skipped[:3]) + ")")
    metadata = mapped_terms(metadata, notes)  # onto the controlled lists; nothing refused
    try:
        valid = validate_metadata(metadata).model_dump(mode="json")
    except BelfortError as exc:
        raise RdfProblem(exc.message[:300]) from None
    metadata = {key: valid[key] for key in metadata}
    modified = graph.value(node, DCTERMS.modified)
    version = graph.value(node, DCAT_VERSION)
    fingerprint = "" if modified is None else json.dumps(
        [str(modified), str(version or ""), [[c.url, c.modified] for c in candidates]])
    return DatasetRecord(iri, source_id, dataset_id, metadata, candidates, fingerprint, notes)


def _contact(graph: Graph, node: Node | None, notes: list[str]) -> dict[str, str | None]:
    if node is None:
        return {"name": None, "email": None}
    name = _pick(_texts(graph, node, VCARD.fn, VCARD["organization-name"], FOAF.name), "nl", "", "en", "*")
    email = None
    for value in graph.objects(node, VCARD.hasEmail):
        if isinstance(value, BNode):
            value = graph.value(value, VCARD.value) or value
        text = unquote(str(value).strip()).removeprefix("mailto:").split("?")[0].strip()
        if EMAIL.fullmatch(text) and len(text) <= 254:
            email = text
            break
        notes.append(f"contact e-mail {text[:60]!r} ignored (not an e-mail address)")
    return {"name": _cut(name, 200, "contact name", notes), "email": email}


def _temporal(graph: Graph, node: Node, notes: list[str]) -> dict[str, str | None]:
    period = graph.value(node, DCTERMS.temporal)
    if period is None:
        return {"start": None, "end": None}
    try:
        start = _date(graph.value(period, DCAT.startDate) or graph.value(period, SCHEMA.startDate), end=False)
        end = _date(graph.value(period, DCAT.endDate) or graph.value(period, SCHEMA.endDate), end=True)
    except ValueError:
        notes.append("temporal coverage ignored (not a date)")
        return {"start": None, "end": None}
    if start and end and end < start:
        notes.append("temporal coverage ignored (ends before it starts)")
        return {"start": None, "end": None}
    return {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}


def _frequency(value: Node | None) -> str:
    if value is None:
        return "unknown"
    text = str(value).strip()
    if text in FREQUENCY_BY_URI:
        return FREQUENCY_BY_URI[text]
    code = text.rstrip("/").rsplit("/", 1)[-1]  # other EU codes; Dublin Core's words
    word = {"annually": "annual", "continuously": "continuous"}.get(code.lower(), code.lower())
    return FREQUENCY_CODES.get(code.upper()) or (word if word in FREQUENCY_BY_URI.values() else "unknown")


def _themes_and_keywords(graph: Graph, node: Node, metadata: dict[str, Any], notes: list[str]) -> None:
    themes: list[str] = metadata["themes"]
    keywords: list[str] = metadata["keywords"]
    for theme in graph.objects(node, DCAT.theme):
        text = str(theme).strip()
        codes: tuple[str, ...] = ()
        for prefix in THEME_PREFIXES:
            for variant in (prefix, prefix.replace("http://", "https://")):
                if text.startswith(variant) and text[len(variant):].strip("/").upper() in v.THEMES:
                    codes = (text[len(variant):].strip("/").upper(),)
        if not codes:
            label = _name(graph, theme) if not isinstance(theme, Literal) else text
            codes = v.theme_codes(label) if label else ()
            if label and len(label) <= 100 and label not in keywords:
                keywords.append(label)
        themes.extend(c for c in codes if c not in themes)
    literals = _texts(graph, node, DCAT.keyword)
    for keyword in sorted(literals, key=lambda k: _lang(k) not in ("nl", "")):  # Dutch first, stable
        text = str(keyword).strip()
        if len(text) > 100:
            notes.append(f"keyword {text[:30]!r}… longer than 100 characters, ignored")
        elif text not in keywords:
            keywords.append(text)
    if len(themes) > 20 or len(keywords) > 50:
        notes.append("only the first 20 themes and 50 keywords kept")
    del themes[20:], keywords[50:]


def _place(graph: Graph, node: Node, notes: list[str]) -> str | None:
    value = graph.value(node, DCTERMS.spatial)
    if value is None:
        return None
    if isinstance(value, Literal):
        return _cut(str(value).strip() or None, 500, "spatial coverage", notes)
    known = v.place_of(str(value))
    if known is not None:
        return known.name_nl
    name = _pick(_texts(graph, value, LOCN.geographicName, SKOS.prefLabel, RDFS.label, DCTERMS.title),
                 "nl", "", "en", "*")
    if isinstance(value, URIRef) and not _local(value, node) and len(str(value)) <= 500:
        return str(value)
    return _cut(name, 500, "spatial coverage", notes)


def _licence(graph: Graph, node: Node, value: Node | None, notes: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, Literal):
        return _cut(str(value).strip() or None, 300, "licence", notes)
    label = _pick(_texts(graph, value, RDFS.label, DCTERMS.title, SKOS.prefLabel), "nl", "", "en", "*")
    if isinstance(value, URIRef) and (v.licence_of(str(value)) or not _local(value, node)):
        if len(str(value)) <= 300:
            return str(value)
    return _cut(label, 300, "licence", notes)


def _distributions(graph: Graph, node: Node) -> tuple[list[Candidate], list[Node], list[str]]:
    """(ingestible distributions best first, the distributions' licences, why the others
    are not ingestible)."""
    found: list[tuple[int, int, Candidate]] = []
    licences: list[Node] = []
    skipped: list[str] = []
    for n, dist in enumerate(graph.objects(node, DCAT.distribution)):
        licences.extend(graph.objects(dist, DCTERMS.license))
        url = graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
        fmt = _data_format(graph, dist, str(url) if url else "")
        if url is None or not str(url).startswith(("http://", "https://")):
            skipped.append(f"{fmt or 'a distribution'} without an http(s) download URL")
            continue
        if fmt is None:
            skipped.append(f"{str(url)[:100]}: a format Belfort does not ingest")
            continue
        modified = graph.value(dist, DCTERMS.modified)
        found.append((INGESTIBLE.index(fmt), n, Candidate(str(url), fmt, str(modified or ""))))
    found.sort(key=lambda item: item[:2])
    return [c for _, _, c in found], licences, skipped


def _data_format(graph: Graph, dist: Node, url: str) -> str | None:
    for value in graph.objects(dist, DCAT.mediaType):
        text = re.sub(r"^https?://www\.iana\.org/assignments/media-types/", "", str(value)).split(";")[0]
        if text.strip().lower() in DATA_MEDIA_TYPES:
            return DATA_MEDIA_TYPES[text.strip().lower()]
    for value in graph.objects(dist, DCTERMS.format):
        text = str(value).strip()
        code = text.rstrip("/").rsplit("/", 1)[-1].upper()
        if code in DATA_FILE_TYPES:
            return DATA_FILE_TYPES[code]
        media = re.sub(r"^https?://www\.iana\.org/assignments/media-types/", "", text).lower()
        if media in DATA_MEDIA_TYPES:
            return DATA_MEDIA_TYPES[media]
    name = url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return DATA_SUFFIXES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
