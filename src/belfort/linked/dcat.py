"""The catalogue as DCAT-AP 3 (with what DCAT-AP-VL adds where cheap), built from catalogue rows.

Framework-neutral: ``DcatBuilder`` turns ``DatasetRow``s (``belfort.linked.rows`` reads
them through the gate) into a ``belfort.linked.rdf.Document``, which serialises as
Turtle, RDF/XML or compacted JSON-LD and converts to an ``rdflib.Graph``
(``catalog_graph`` / ``dataset_graph`` do both steps).

URIs (all under the base URL the catalogue is served at; docs/linked-data.md):

- ``{base}/catalog`` — the ``dcat:Catalog`` (pages: ``{base}/catalog?page=N``)
- ``{base}/catalog/datasets/{id}`` — a ``dcat:Dataset``; its distributions are
  ``…/{id}#distribution-{format}``, its contact point ``…#contact-point``, its period
  ``…#temporal``
- ``{base}/catalog/services/{name}`` — the ``dcat:DataService`` of each API
- ``{base}/catalog/organisations/{slug}`` — a publisher (``foaf:Agent``)

Every concept of a controlled vocabulary that a description uses comes with its
``skos:inScheme``, ``skos:prefLabel`` and the class DCAT-AP's range shapes expect
(``dct:Frequency``, ``dct:RightsStatement``, …), so the official DCAT-AP 3.0.1 SHACL
shapes validate the output without any vocabulary loaded beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from belfort.linked import ldes
from belfort.linked import vocabularies as v
from belfort.linked.rdf import IRI, Document, Lit, is_iri, text
from belfort.linked.vocabularies import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    GSP,
    HYDRA,
    LOCN,
    MDCAT,
    RDF,
    RDFS,
    SKOS,
    VCARD,
    XSD,
)
from belfort.mqa import dqv, scoring

A = RDF + "type"
_DISTRIBUTION = IRI(DCAT + "Distribution")
_IDENTIFIER = DCT + "identifier"
_TITLE = DCT + "title"
_DESCRIPTION = DCT + "description"
_ACCESS_URL = DCAT + "accessURL"
_DOWNLOAD_URL = DCAT + "downloadURL"
_ACCESS_SERVICE = DCAT + "accessService"
_MEDIA_TYPE = DCAT + "mediaType"
_FORMAT = DCT + "format"
_CONFORMS_TO = DCT + "conformsTo"
_LICENSE = DCT + "license"
_MODIFIED = DCT + "modified"
_AVAILABILITY = DCATAP + "availability"
_STATUS = ADMS + "status"
GEOMETRY_TYPES = frozenset({"geopoint", "geometry"})
CRS84 = ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "WGS 84 longitude-latitude (OGC CRS84)")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000


@dataclass(frozen=True)
class DatasetRow:
    """What the catalogue knows about one dataset and its readable version."""

    id: str
    title_nl: str
    title_en: str | None = None
    description_nl: str | None = None
    description_en: str | None = None
    organisation: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    licence: str | None = None
    spatial: str | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    frequency: str = "unknown"
    classification: str = "open"
    state: str = "published"
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int | None = None  # the readable version (None: no data yet)
    version_created_at: dt.datetime | None = None
    row_count: int | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (name, Belfort type)
    # the data dictionary's labels, when it describes some field: (name, Dutch, English, unit)
    field_labels: tuple[tuple[str, str, str, str | None], ...] = ()

    @property
    def has_geometry(self) -> bool:
        return any(t in GEOMETRY_TYPES for _, t in self.fields)


@dataclass(frozen=True)
class CatalogInfo:
    """Who publishes the catalogue and how to reach them (the defaults are Ghent's)."""

    title_nl: str = "Open data Gent"
    title_en: str = "Ghent open data"
    description_nl: str = (
        "De open data van de stad Gent en haar partners: datasets met hun metadata, "
        "downloads en API's, vrij te gebruiken door iedereen."
    )
    description_en: str = (
        "Open data of the City of Ghent and its partners: datasets with their metadata, "
        "downloads and APIs, free for anyone to use."
    )
    publisher_nl: str = "Stad Gent"
    publisher_en: str = "City of Ghent"
    publisher_homepage: str = "https://stad.gent/"
    contact_name: str = "Open data Gent"
    contact_email: str | None = None
    spatial: str = "Gent"
    licence: str = "CC0-1.0"  # of the metadata (DCAT-AP-VL asks CC0 for the catalogue)


@dataclass(frozen=True)
class PageInfo:
    """Where a page sits in the whole catalogue the caller may see."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE
    total: int = 0
    issued: dt.datetime | None = None  # earliest dataset, over the whole catalogue
    modified: dt.datetime | None = None  # latest change, over the whole catalogue

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class Service:
    name: str
    path: str
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    conforms_to: tuple[str, str]
    keywords: tuple[str, ...]


SERVICES: tuple[Service, ...] = (
    Service(
        "opendatasoft-v1", "/api/records/1.0/",
        "Opendatasoft API v1", "Opendatasoft API v1",
        "Records zoeken, aggregeren en downloaden zoals met de Opendatasoft API v1 van "
        "data.stad.gent (/api/records/1.0/ en /api/datasets/1.0/).",
        "Search, aggregate and download records as with data.stad.gent's Opendatasoft API v1 "
        "(/api/records/1.0/ and /api/datasets/1.0/).",
        ("https://help.opendatasoft.com/apis/ods-search-v1/", "Opendatasoft Search API v1"),
        ("API", "Opendatasoft"),
    ),
    Service(
        "explore-v2.1", "/api/explore/v2.1/",
        "Opendatasoft Explore API v2.1", "Opendatasoft Explore API v2.1",
        "De catalogus, records (met ODSQL), facetten en exports in alle formaten, zoals met de "
        "Opendatasoft Explore API v2.1.",
        "The catalogue, records (with ODSQL), facets and exports in every format, as with the "
        "Opendatasoft Explore API v2.1.",
        ("https://help.opendatasoft.com/apis/ods-explore-v2/", "Opendatasoft Explore API v2.1"),
        ("API", "Opendatasoft", "ODSQL"),
    ),
    Service(
        "belfort-v1", "/api/belfort/v1/",
        "Belfort API v1", "Belfort API v1",
        "De eigen JSON-API van Belfort: catalogus, versies, records en exports.",
        "Belfort's own JSON API: catalogue, versions, records and exports.",
        ("https://spec.openapis.org/oas/v3.1.0", "OpenAPI Specification 3.1.0"),
        ("API", "OpenAPI"),
    ),
)
SERVICE_NAMES = {s.name: s for s in SERVICES}
EXPLORE = SERVICE_NAMES["explore-v2.1"]

_FORMAT_TEXT = {
    "csv": ("CSV, velden gescheiden door een puntkomma (kies met ?delimiter=)",
            "CSV, fields separated by a semicolon (choose with ?delimiter=)"),
    "json": ("een JSON-array van records", "a JSON array of records"),
    "jsonl": ("JSON Lines: één JSON-record per regel", "JSON Lines: one JSON record per line"),
    "geojson": ("een GeoJSON FeatureCollection (WGS 84)", "a GeoJSON FeatureCollection (WGS 84)"),
    "parquet": ("een Apache Parquet-bestand", "an Apache Parquet file"),
    "xlsx": ("een Excel-werkmap (XLSX)", "an Excel workbook (XLSX)"),
}


def _datetime(value: dt.datetime) -> Lit:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return Lit(value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD + "dateTime")


def _date(value: str) -> Lit:
    return Lit(value, datatype=XSD + "date")


def _mailto(email: str) -> str | None:
    iri = "mailto:" + quote(email.strip(), safe="@!$&'()*+,;=-._~")
    return iri if is_iri(iri) else None


@dataclass
class DcatBuilder:
    """Builds one RDF document (a catalogue page, a dataset, a service or an agent)."""

    base_url: str
    info: CatalogInfo = field(default_factory=CatalogInfo)
    doc: Document = field(default_factory=Document)
    _done: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.base = self.base_url.rstrip("/")
        self.catalog_uri = f"{self.base}/catalog"

    # ── URIs ────────────────────────────────────────────────────────────────────────────

    def dataset_uri(self, dataset_id: str) -> str:
        return f"{self.base}/catalog/datasets/{dataset_id}"

    def service_uri(self, name: str) -> str:
        return f"{self.base}/catalog/services/{name}"

    def organisation_uri(self, name: str) -> str:
        return f"{self.base}/catalog/organisations/{organisation_slug(name)}"

    def page_uri(self, number: int, size: int) -> str:
        query = f"page={number}" + (f"&page_size={size}" if size != DEFAULT_PAGE_SIZE else "")
        return f"{self.catalog_uri}?{query}"

    # ── small helpers ──────────────────────────────────────────────────────────────────

    def _add(self, s: str, p: str, o: Any) -> None:
        self.doc.add(s, p, o)

    def _once(self, uri: str) -> bool:
        """True the first time ``uri`` is described in this document."""
        if uri in self._done:
            return False
        self._done.add(uri)
        return True

    def _texts(self, s: str, p: str, nl: str | None, en: str | None) -> None:
        if nl:
            self._add(s, p, text(nl, "nl"))
        if en:
            self._add(s, p, text(en, "en"))

    def _scheme(self, uri: str) -> None:
        if self._once(uri):
            scheme = v.SCHEMES[uri]
            self._add(uri, A, IRI(SKOS + "ConceptScheme"))
            self._add(uri, DCT + "title", Lit(scheme.title_en, "en"))

    def _concept(self, concept: v.Concept, *classes: str) -> IRI:
        if self._once(concept.uri):
            self._add(concept.uri, A, IRI(SKOS + "Concept"))
            for cls in classes:
                self._add(concept.uri, A, IRI(cls))
            self._texts(concept.uri, SKOS + "prefLabel", concept.label_nl, concept.label_en)
            self._add(concept.uri, SKOS + "inScheme", IRI(concept.scheme))
            self._scheme(concept.scheme)
        return IRI(concept.uri)

    def _document(self, uri: str) -> IRI:
        if self._once(uri):
            self._add(uri, A, IRI(FOAF + "Document"))
        return IRI(uri)

    def _standard(self, uri: str, title: str) -> IRI:
        if self._once(uri):
            self._add(uri, A, IRI(DCT + "Standard"))
            self._add(uri, DCT + "title", Lit(title, "en"))
        return IRI(uri)

    def _media_type(self, media_type: str) -> IRI:
        uri = v.IANA_MEDIA_TYPES + media_type
        if self._once(uri):
            self._add(uri, A, IRI(DCT + "MediaType"))
        return IRI(uri)

    def _agent(self, name: str, name_en: str | None = None, homepage: str | None = None) -> IRI:
        """A publisher. A dataset's publisher links to its portal page (its datasets);
        the catalogue's publisher, which may publish none itself, to its homepage."""
        uri = self.organisation_uri(name)
        if self._once(uri):
            self._add(uri, A, IRI(FOAF + "Agent"))
            self._add(uri, A, IRI(DCT + "Agent"))  # DCAT-AP-VL's class for publishers
            self._add(uri, FOAF + "name", text(name, "nl"))
            if name_en and name_en != name:
                self._add(uri, FOAF + "name", text(name_en, "en"))
            kind = v.publisher_type(name)
            if kind is not None:
                self._add(uri, DCT + "type", self._concept(kind))
            if homepage:
                self._add(uri, FOAF + "homepage", self._document(homepage))
            else:
                self._add(uri, FOAF + "page", self._document(f"{self.base}/organisations/{quote(name, safe='')}"))
        return IRI(uri)

    def _catalog_publisher(self) -> IRI:
        return self._agent(self.info.publisher_nl, self.info.publisher_en, self.info.publisher_homepage)

    def _catalog_contact(self) -> IRI:
        uri = f"{self.catalog_uri}#contact-point"
        if self._once(uri):
            self._add(uri, A, IRI(VCARD + "Kind"))
            self._add(uri, VCARD + "fn", text(self.info.contact_name))
            email = _mailto(self.info.contact_email) if self.info.contact_email else None
            if email:
                self._add(uri, VCARD + "hasEmail", IRI(email))
            self._add(uri, VCARD + "hasURL", IRI(f"{self.base}/about"))
        return IRI(uri)

    def _licence(self, value: str, fallback_uri: str) -> IRI:
        known = v.licence_of(value)
        if known is not None:
            uri = known.uri
            if self._once(uri):
                self._add(uri, A, IRI(DCT + "LicenseDocument"))
                self._texts(uri, RDFS + "label", known.label_nl, known.label_en)
                for name in known.types:
                    self._add(uri, DCT + "type", self._concept(v.LICENCE_TYPE[name]))
                if known.see_also:
                    self._add(uri, RDFS + "seeAlso", IRI(known.see_also))
            return IRI(uri)
        uri = value.strip() if is_iri(value.strip()) else fallback_uri
        if self._once(uri):
            self._add(uri, A, IRI(DCT + "LicenseDocument"))
            if uri == fallback_uri:
                self._add(uri, RDFS + "label", text(value.strip()))
        return IRI(uri)

    def _place(self, value: str, fallback_uri: str) -> IRI:
        place = v.place_of(value)
        if place is not None and place.uri is None:
            value = place.name_nl  # a listed place without an authoritative URI: by its name
        elif place is not None and place.uri is not None:
            if self._once(place.uri):
                self._add(place.uri, A, IRI(DCT + "Location"))
                if place.concept is not None:
                    self._concept(place.concept)
                self._texts(place.uri, LOCN + "geographicName", place.name_nl, place.name_en)
                if place.bbox:
                    self._add(place.uri, DCAT + "bbox", Lit(place.bbox, datatype=GSP + "wktLiteral"))
                if place.centroid:
                    self._add(place.uri, DCAT + "centroid", Lit(place.centroid, datatype=GSP + "wktLiteral"))
            return IRI(place.uri)
        uri = value.strip() if is_iri(value.strip()) else fallback_uri
        if self._once(uri):
            self._add(uri, A, IRI(DCT + "Location"))
            if uri == fallback_uri:
                self._add(uri, LOCN + "geographicName", text(value.strip(), "nl"))
        return IRI(uri)

    # ── the catalogue ───────────────────────────────────────────────────────────────────

    def catalog(self, rows: Sequence[DatasetRow], page: PageInfo, *, describe_datasets: bool = True) -> Document:
        """One page of the catalogue: the catalogue, its services and ``rows``
        (``describe_datasets=False``: linked, not described; ``belfort.linked.fragments``
        appends their cached descriptions)."""
        c = self.catalog_uri
        info = self.info
        self._add(c, A, IRI(DCAT + "Catalog"))
        self._add(c, A, IRI(HYDRA + "Collection"))
        self._add(c, DCT + "identifier", Lit(c))
        self._texts(c, DCT + "title", info.title_nl, info.title_en)
        self._texts(c, DCT + "description", info.description_nl, info.description_en)
        self._add(c, DCT + "publisher", self._catalog_publisher())
        self._add(c, DCAT + "contactPoint", self._catalog_contact())
        self._add(c, FOAF + "homepage", self._document(f"{self.base}/"))
        for lang in ("nl", "en"):
            self._add(c, DCT + "language", self._concept(v.LANGUAGES[lang], DCT + "LinguisticSystem"))
        self._add(c, DCT + "license", self._licence(info.licence, f"{c}#licence"))
        self._add(c, DCT + "spatial", self._place(info.spatial, f"{c}#spatial"))
        self._add(c, DCAT + "themeTaxonomy", IRI(v.DATA_THEME_SCHEME.uri))
        self._scheme(v.DATA_THEME_SCHEME.uri)
        if page.issued:
            self._add(c, DCT + "issued", _datetime(page.issued))
        if page.modified:
            self._add(c, DCT + "modified", _datetime(page.modified))
        self._add(c, HYDRA + "totalItems", Lit(str(page.total), datatype=XSD + "nonNegativeInteger"))
        for service in SERVICES:
            self._add(c, DCAT + "service", IRI(self.service_uri(service.name)))
        for row in rows:
            self._add(c, DCAT + "dataset", IRI(self.dataset_uri(row.id)))
        self._view(page)
        self._services(rows)
        if describe_datasets:
            for row in rows:
                self.dataset(row)
        return self.doc

    def _view(self, page: PageInfo) -> None:
        view = self.page_uri(page.number, page.size)
        self._add(self.catalog_uri, HYDRA + "view", IRI(view))
        self._add(view, A, IRI(HYDRA + "PartialCollectionView"))
        self._add(view, HYDRA + "first", IRI(self.page_uri(1, page.size)))
        self._add(view, HYDRA + "last", IRI(self.page_uri(page.last, page.size)))
        if page.number > 1:
            self._add(view, HYDRA + "previous", IRI(self.page_uri(min(page.number - 1, page.last), page.size)))
        if page.number < page.last:
            self._add(view, HYDRA + "next", IRI(self.page_uri(page.number + 1, page.size)))

    # ── data services ──────────────────────────────────────────────────────────────────

    def _services(self, rows: Sequence[DatasetRow], *, serves: bool = True) -> None:
        themes: list[str] = []
        for row in rows:
            for theme in row.themes:
                for code in v.theme_codes(theme):
                    if code not in themes:
                        themes.append(code)
        for service in SERVICES:
            self.service(service, rows if serves else (), themes)

    def service(self, service: Service, rows: Iterable[DatasetRow] = (), themes: Sequence[str] = ()) -> IRI:
        s = self.service_uri(service.name)
        if not self._once(s):
            return IRI(s)
        self._add(s, A, IRI(DCAT + "DataService"))
        self._add(s, DCT + "identifier", Lit(service.name))
        self._texts(s, DCT + "title", service.title_nl, service.title_en)
        self._texts(s, DCT + "description", service.description_nl, service.description_en)
        self._add(s, DCAT + "endpointURL", IRI(self.base + service.path))
        self._add(s, DCAT + "endpointDescription", IRI(f"{self.base}/openapi.json"))
        self._add(s, DCAT + "landingPage", self._document(f"{self.base}/api"))
        self._add(s, DCT + "conformsTo", self._standard(*service.conforms_to))
        for keyword in service.keywords:
            self._add(s, DCAT + "keyword", Lit(keyword, "en"))
        for code in themes:
            self._add(s, DCAT + "theme", self._concept(v.THEMES[code]))
        self._add(s, DCT + "publisher", self._catalog_publisher())
        self._add(s, DCAT + "contactPoint", self._catalog_contact())
        self._add(s, DCT + "accessRights", self._concept(v.PUBLIC, DCT + "RightsStatement"))
        self._add(s, MDCAT + "statuut", self._concept(v.VL_OPEN_DATA_SERVICE))
        for row in rows:
            self._add(s, DCAT + "servesDataset", IRI(self.dataset_uri(row.id)))
        return IRI(s)

    # ── datasets ───────────────────────────────────────────────────────────────────────

    def dataset(self, row: DatasetRow) -> IRI:
        d = self.dataset_uri(row.id)
        if not self._once(d):
            return IRI(d)
        self._add(d, A, IRI(DCAT + "Dataset"))
        self._add(d, DCT + "identifier", Lit(row.id))
        self._texts(d, DCT + "title", row.title_nl, row.title_en)
        description_nl, description_en = row.description_nl, row.description_en
        if not description_nl and not description_en:
            description_nl, description_en = _generated_description(row)
        self._texts(d, DCT + "description", description_nl, description_en)
        themes: list[str] = []
        for theme in row.themes:
            codes = v.theme_codes(theme)
            if theme.strip().upper() not in v.THEMES:
                self._add(d, DCAT + "keyword", text(theme, "nl"))  # keep Ghent's own words
            themes.extend(c for c in codes if c not in themes)
        for keyword in row.keywords:
            self._add(d, DCAT + "keyword", text(keyword, "nl"))
        for code in themes:
            self._add(d, DCAT + "theme", self._concept(v.THEMES[code]))
        publisher = self._agent(row.organisation) if row.organisation else self._catalog_publisher()
        self._add(d, DCT + "publisher", publisher)
        self._add(d, DCAT + "contactPoint", self._contact(row))
        self._add(d, DCAT + "landingPage", self._document(f"{self.base}/datasets/{row.id}"))
        if row.created_at:
            self._add(d, DCT + "issued", _datetime(row.created_at))
        if row.updated_at:
            self._add(d, DCT + "modified", _datetime(row.updated_at))
        frequency = v.FREQUENCIES.get(row.frequency, v.FREQUENCIES["unknown"])
        self._add(d, DCT + "accrualPeriodicity", self._concept(frequency, DCT + "Frequency"))
        if row.spatial:
            self._add(d, DCT + "spatial", self._place(row.spatial, f"{d}#spatial"))
        if row.temporal_start or row.temporal_end:
            period = f"{d}#temporal"
            self._add(d, DCT + "temporal", IRI(period))
            self._add(period, A, IRI(DCT + "PeriodOfTime"))
            if row.temporal_start:
                self._add(period, DCAT + "startDate", _date(row.temporal_start))
            if row.temporal_end:
                self._add(period, DCAT + "endDate", _date(row.temporal_end))
        rights = v.access_right(row.classification)
        self._add(d, DCT + "accessRights", self._concept(rights, DCT + "RightsStatement"))
        if rights is v.PUBLIC and row.state in ("published", "deprecated"):
            self._add(d, MDCAT + "statuut", self._concept(v.VL_OPEN_DATA))
        if row.has_geometry:
            self._add(d, DCT + "conformsTo", self._standard(*CRS84))
        if row.version is not None:
            self._add(d, DCAT + "version", Lit(str(row.version)))
            ldes.catalogue_entry(self.doc, self.base, row.id)  # also an event stream, with its view
            for fmt in v.EXPORT_FORMATS:
                if fmt.needs_geometry and not row.has_geometry:
                    continue
                self._add(d, DCAT + "distribution", self._distribution(row, fmt))
        return IRI(d)

    def _quality(self, row: DatasetRow, d: str) -> None:
        """The description's MQA measurements as DQV (``belfort.mqa``): what the description
        itself decides. Belfort's own URLs answer when the dataset is public; whether the
        description passes the DCAT-AP shapes is not decided here (no measurement: see
        ``GET /api/belfort/v1/datasets/{id}/metadata-quality``)."""
        public = (row.classification == "open" and row.state in ("published", "deprecated")
                  and row.version is not None)
        score = scoring.score_description(
            self.doc, d, lambda url: scoring.own_url_ok(url, self.base, row.id, public), None)
        dqv.add_measurements(self.doc, score)

    def _contact(self, row: DatasetRow) -> IRI:
        email = _mailto(row.contact_email) if row.contact_email else None
        name = row.contact_name or row.organisation or row.contact_email
        if not name:
            return self._catalog_contact()
        uri = f"{self.dataset_uri(row.id)}#contact-point"
        self._add(uri, A, IRI(VCARD + "Kind"))
        self._add(uri, VCARD + "fn", text(name))
        if email:
            self._add(uri, VCARD + "hasEmail", IRI(email))
        return IRI(uri)

    def _distribution(self, row: DatasetRow, fmt: v.ExportFormat) -> IRI:
        # the bulk of a catalogue page (five or six a dataset): appended directly
        d = self.dataset_uri(row.id)
        dist = f"{d}#distribution-{fmt.name}"
        url = IRI(f"{self.base}{EXPLORE.path}catalog/datasets/{row.id}/exports/{fmt.name}")
        nl, en = _FORMAT_TEXT[fmt.name]
        add = self.doc.props(dist).append
        add((A, _DISTRIBUTION))
        add((_IDENTIFIER, Lit(f"{row.id}/{fmt.name}")))
        add((_TITLE, text(f"{row.title_nl} ({fmt.label})", "nl")))
        add((_TITLE, text(f"{row.title_en or row.title_nl} ({fmt.label})", "en")))
        fields_nl, fields_en = _field_list(row)
        add((_DESCRIPTION, Lit(f"Alle records van de gepubliceerde versie als {nl}, via de Explore API v2.1."
                               f"{fields_nl}", "nl")))
        add((_DESCRIPTION, Lit(f"All records of the published version as {en}, from the Explore API v2.1."
                               f"{fields_en}", "en")))
        add((_ACCESS_URL, url))
        add((_DOWNLOAD_URL, url))
        add((_ACCESS_SERVICE, IRI(self.service_uri(EXPLORE.name))))
        if fmt.media_type:
            add((_MEDIA_TYPE, self._media_type(fmt.media_type)))
        if fmt.file_type:
            add((_FORMAT, self._concept(fmt.file_type, DCT + "MediaTypeOrExtent")))
        if fmt.conforms_to:
            add((_CONFORMS_TO, self._standard(*fmt.conforms_to)))
        if row.licence:
            add((_LICENSE, self._licence(row.licence, f"{d}#licence")))
        if row.version_created_at:
            add((_MODIFIED, _datetime(row.version_created_at)))
        if row.state in v.AVAILABILITY:
            add((_AVAILABILITY, self._concept(v.AVAILABILITY[row.state])))
            add((_STATUS, self._concept(v.DISTRIBUTION_STATUS[row.state])))
        return IRI(dist)

    # ── single documents ───────────────────────────────────────────────────────────────

    def dataset_document(self, row: DatasetRow) -> Document:
        """One dataset with its distributions, the services that serve it and the link
        from the catalogue."""
        self.dataset(row)
        self._add(self.catalog_uri, DCAT + "dataset", IRI(self.dataset_uri(row.id)))
        self._services([row])
        # its metadata quality as DQV, in the dataset's own document only: on every catalogue
        # page they would double its size (a 10,000-dataset page no longer fit the page cache)
        self._quality(row, self.dataset_uri(row.id))
        return self.doc

    def service_document(self, service: Service) -> Document:
        """One data service (which datasets it serves: see the catalogue's pages)."""
        self._add(self.catalog_uri, DCAT + "service", IRI(self.service_uri(service.name)))
        self.service(service)
        return self.doc

    def organisation_document(self, name: str) -> Document:
        """One publisher."""
        if organisation_slug(name) == organisation_slug(self.info.publisher_nl):
            self._catalog_publisher()
        else:
            self._agent(name)
        return self.doc


def _field_list(row: DatasetRow) -> tuple[str, str]:
    """" Velden: …" / " Fields: …" for a distribution's description, when the data dictionary
    describes the dataset's fields: each field's title with its id and unit (descriptions are
    at ``GET /api/belfort/v1/datasets/{id}/fields``)."""
    if not row.field_labels:
        return "", ""

    def one(label: str, name: str, unit: str | None, word: str) -> str:
        inner = ", ".join(x for x in (name if label != name else "", f"{word} {unit}" if unit else "") if x)
        return f"{label} ({inner})" if inner else label

    nl = "; ".join(one(label, name, unit, "in") for name, label, _, unit in row.field_labels)
    en = "; ".join(one(label, name, unit, "in") for name, _, label, unit in row.field_labels)
    return f" Velden: {nl}.", f" Fields: {en}."


def organisation_slug(name: str) -> str:
    return v.slug(name) or "organisation"


def _generated_description(row: DatasetRow) -> tuple[str, str]:
    """What the catalogue can say about a dataset whose publisher wrote no description
    (DCAT-AP requires one): its size and fields."""
    names = [name for name, _ in row.fields[:12]]
    more = ", …" if len(row.fields) > 12 else ""
    rows_nl = f"{row.row_count:,} rijen".replace(",", ".") if row.row_count is not None else "nog geen rijen"
    rows_en = f"{row.row_count:,} rows" if row.row_count is not None else "no rows yet"
    fields_nl = f"; velden: {', '.join(names)}{more}" if names else ""
    fields_en = f"; fields: {', '.join(names)}{more}" if names else ""
    title_en = row.title_en or row.title_nl
    return (
        f"Dataset ‘{row.title_nl}’ ({rows_nl}{fields_nl}). De uitgever heeft nog geen beschrijving gegeven.",
        f"Dataset ‘{title_en}’ ({rows_en}{fields_en}). The publisher has not given a description yet.",
    )


# ── rdflib graphs ─────────────────────────────────────────────────────────────────────


def catalog_graph(base_url: str, rows: Sequence[DatasetRow], page: PageInfo | None = None,
                  info: CatalogInfo | None = None) -> Any:
    """A catalogue page as an ``rdflib.Graph``."""
    page = page or PageInfo(total=len(rows), size=max(1, len(rows)))
    return DcatBuilder(base_url, info or CatalogInfo()).catalog(rows, page).to_rdflib()


def dataset_graph(base_url: str, row: DatasetRow, info: CatalogInfo | None = None) -> Any:
    """One dataset's description as an ``rdflib.Graph``."""
    return DcatBuilder(base_url, info or CatalogInfo()).dataset_document(row).to_rdflib()
