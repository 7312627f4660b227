"""The MQA method: its indicators with their points, the rating bands and the vocabularies the
indicators check against (``../shared/design/mqa.md``; docs/metadata-quality.md).

Each indicator scores its full points or 0; the maximum is 405. The metric IRIs are those of
piveau's DQV vocabulary (``https://piveau.eu/ns/voc#``), which data.europa.eu's MQA uses, so a
measurement Belfort publishes names the metric the European portal would name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from belfort.linked.vocabularies import PV

Level = Literal["dataset", "distribution", "both"]
METRIC_NAMESPACE = PV
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
IANA = ("https://www.iana.org/assignments/media-types/", "http://www.iana.org/assignments/media-types/")


@dataclass(frozen=True)
class Dimension:
    key: str
    label_nl: str
    label_en: str
    max_points: int

    @property
    def metric_iri(self) -> str:
        return METRIC_NAMESPACE + self.key


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("findability", "Vindbaarheid", "Findability", 100),
    Dimension("accessibility", "Toegankelijkheid", "Accessibility", 100),
    Dimension("interoperability", "Interoperabiliteit", "Interoperability", 110),
    Dimension("reusability", "Herbruikbaarheid", "Reusability", 75),
    Dimension("contextuality", "Context", "Contextuality", 20),
)
DIMENSION_KEYS = {d.key: d for d in DIMENSIONS}


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: checked on the dataset, on a distribution, or on either
    (``issued``/``modified``: the distribution's, else the dataset's)."""

    key: str
    dimension: str
    points: int
    level: Level
    looks_at: str  # the property it looks at, as a CURIE
    add_nl: str  # what to add to earn it, in plain language
    add_en: str

    @property
    def metric_iri(self) -> str:
        return METRIC_NAMESPACE + self.key


def _i(key: str, dimension: str, points: int, level: Level, prop: str, nl: str,
       en: str) -> Indicator:
    return Indicator(key, dimension, points, level, prop, nl, en)


INDICATORS: tuple[Indicator, ...] = (
    _i("keywordAvailability", "findability", 30, "dataset", "dcat:keyword",
       "Voeg minstens één trefwoord toe.", "Add at least one keyword."),
    _i("categoryAvailability", "findability", 30, "dataset", "dcat:theme",
       "Kies minstens één thema.", "Choose at least one theme."),
    _i("spatialAvailability", "findability", 20, "dataset", "dct:spatial",
       "Geef de geografische dekking (bv. Gent).", "Give the spatial coverage (e.g. Ghent)."),
    _i("temporalAvailability", "findability", 20, "dataset", "dct:temporal",
       "Geef de periode die de data beschrijft (begin- en/of einddatum).",
       "Give the period the data covers (start and/or end date)."),
    _i("accessUrlStatusCode", "accessibility", 50, "distribution", "dcat:accessURL",
       "Zorg dat de toegangs-URL van een distributie antwoordt (HTTP 2xx); voor Belforts eigen "
       "URL's: publiceer een versie en maak de dataset open.",
       "Make a distribution's access URL answer (HTTP 2xx); for Belfort's own URLs: publish a "
       "version and make the dataset open."),
    _i("downloadUrlAvailability", "accessibility", 20, "distribution", "dcat:downloadURL",
       "Geef een distributie een download-URL (publiceer een versie).",
       "Give a distribution a download URL (publish a version)."),
    _i("downloadUrlStatusCode", "accessibility", 30, "distribution", "dcat:downloadURL",
       "Zorg dat de download-URL antwoordt (HTTP 2xx): publiceer een versie en maak de "
       "dataset open.",
       "Make the download URL answer (HTTP 2xx): publish a version and make the dataset open."),
    _i("formatAvailability", "interoperability", 20, "distribution", "dct:format",
       "Geef het bestandsformaat van de distributie.", "State the distribution's file format."),
    _i("mediaTypeAvailability", "interoperability", 10, "distribution", "dcat:mediaType",
       "Geef het mediatype (IANA) van de distributie.",
       "State the distribution's (IANA) media type."),
    _i("formatMediaTypeVocabularyAlignment", "interoperability", 10, "distribution",
       "dct:format, dcat:mediaType",
       "Gebruik een formaat uit de EU-lijst van bestandstypes én een IANA-mediatype.",
       "Use a format from the EU file-type list and an IANA media type."),
    _i("formatMediaTypeNonProprietary", "interoperability", 20, "distribution",
       "dct:format, dcat:mediaType",
       "Bied een open (niet-propriëtair) formaat aan, zoals CSV of JSON.",
       "Offer an open (non-proprietary) format, such as CSV or JSON."),
    _i("formatMediaTypeMachineInterpretable", "interoperability", 20, "distribution",
       "dct:format, dcat:mediaType",
       "Bied een machineleesbaar formaat aan, zoals CSV, JSON of GeoJSON.",
       "Offer a machine-readable format, such as CSV, JSON or GeoJSON."),
    _i("dcatApCompliance", "interoperability", 30, "dataset", "(the whole description)",
       "Maak de beschrijving conform DCAT-AP (verplichte velden en vocabularia).",
       "Make the description conform to DCAT-AP (mandatory fields and vocabularies)."),
    _i("licenceAvailability", "reusability", 20, "distribution", "dct:license",
       "Kies een licentie.", "Choose a licence."),
    _i("knownLicence", "reusability", 10, "distribution", "dct:license",
       "Kies een gekende licentie (bv. CC0, CC BY 4.0 of de Modellicentie Gratis Hergebruik).",
       "Choose a known licence (e.g. CC0, CC BY 4.0 or the Flemish free-reuse model licence)."),
    _i("accessRightsAvailability", "reusability", 10, "dataset", "dct:accessRights",
       "Geef de toegangsrechten (publiek of niet-publiek).",
       "State the access rights (public or non-public)."),
    _i("accessRightsVocabularyAlignment", "reusability", 5, "dataset", "dct:accessRights",
       "Gebruik voor de toegangsrechten de EU-lijst (PUBLIC, NON_PUBLIC, RESTRICTED).",
       "Take the access rights from the EU list (PUBLIC, NON_PUBLIC, RESTRICTED)."),
    _i("contactPointAvailability", "reusability", 20, "dataset", "dcat:contactPoint",
       "Geef een contactpunt (naam en e-mailadres).",
       "Give a contact point (name and e-mail address)."),
    _i("publisherAvailability", "reusability", 10, "dataset", "dct:publisher",
       "Geef de uitgevende organisatie.", "Name the publishing organisation."),
    _i("rightsAvailability", "contextuality", 5, "distribution", "dct:rights",
       "Beschrijf de rechten op de distributie (dct:rights).",
       "Describe the rights on the distribution (dct:rights)."),
    _i("byteSizeAvailability", "contextuality", 5, "distribution", "dcat:byteSize",
       "Geef de grootte van de distributie in bytes.", "Give the distribution's size in bytes."),
    _i("dateIssuedAvailability", "contextuality", 5, "both", "dct:issued",
       "Geef de datum van eerste publicatie.", "Give the date of first publication."),
    _i("dateModifiedAvailability", "contextuality", 5, "both", "dct:modified",
       "Geef de datum van de laatste wijziging.", "Give the date of the last change."),
)
INDICATOR_KEYS = {i.key: i for i in INDICATORS}
MAX_POINTS = sum(i.points for i in INDICATORS)  # 405 (tests/mqa/test_method.py)

# ── rating bands ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Band:
    key: str
    label_nl: str
    label_en: str
    minimum: int


BANDS: tuple[Band, ...] = (  # highest first
    Band("excellent", "Uitstekend", "Excellent", 351),
    Band("good", "Goed", "Good", 221),
    Band("sufficient", "Voldoende", "Sufficient", 120),
    Band("bad", "Onvoldoende", "Bad", 0),
)


def band_of(points: float) -> Band:
    """The band of a score (a catalogue's mean too: 350.5 is Good, not Excellent)."""
    return next(b for b in BANDS if points >= b.minimum)


# ── vocabularies ────────────────────────────────────────────────────────────────────────

#: mqa.md's non-proprietary formats (EU file-type codes)
NON_PROPRIETARY = frozenset("""
BMP CSV DBF GEOJSON GZIP HTML ICS JPEG2000 JSON JSON_LD KML KMZ NETCDF ODS PNG
RDF_N_QUADS RDF_N_TRIPLES RDF_TRIG RDF_TURTLE RDF_XML RSS RTF TAR TIFF TSV TXT
WMS_SRVC XML ZIP
""".split())
#: mqa.md's machine-readable formats (EU file-type codes)
MACHINE_READABLE = frozenset("""
CSV GEOJSON ICS JSON JSON_LD KML KMZ NETCDF ODS RDFA RDF_N_QUADS RDF_N_TRIPLES
RDF_TRIG RDF_TURTLE RDF_XML RSS SHP XLS XLSX XML
""".split())

#: Codes of the EU file-type authority list that open data uses (a subset of the list, which
#: has ~200 entries; offline, Belfort cannot read the whole list — docs/metadata-quality.md)
EU_FILE_TYPES = NON_PROPRIETARY | MACHINE_READABLE | frozenset("""
7Z ARC_GZ ATOM AZW BIN BZIP2 CSS DOC DOCX DWG DXF E00 ECW EPS EPUB ESRI_SHAPE
EXE GDB GEOTIFF GIF GML GMZ GPKG GRID GRID_ASCII GZIP HDF HDF5 HTML ICS JAR JPEG
JS JSON_LD LAS LAZ MAP_PRVW MAP_SRVC MDB MOBI MPEG2 MRSID MSG_HTTP MXD N3 NETCDF
OAPIF ODB ODC ODF ODG ODP ODS ODT OWL_FUNCTIONAL OWL_MANCHESTER OWL_X OVF
PARQUET PDF PDFA1A PDFA1B PDFX PL PNG PPS PPSX PPT PPTX PS PSD QGS RAR RDF RDFA
RSS SGML SHP SKOS_XML SPARQLQ SPARQLQRES SQL SVG TAB TAB_RSTR TAR_GZ TAR_XZ TIFF
TMX TSV TXT WARC WCS_SRVC WFS_SRVC WMS_SRVC WMTS_SRVC XHTML XLSB XLSM XML XSD
XSLFO XSLT XYZ YAML ZIP
""".split())

#: IANA-registered media types open data uses, with the EU file-type code each corresponds to
#: (None: registered, but no code of the lists above)
MEDIA_TYPES: dict[str, str | None] = {
    "text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GEOJSON",
    "application/ld+json": "JSON_LD", "application/xml": "XML", "text/xml": "XML",
    "text/html": "HTML", "text/plain": "TXT", "text/tab-separated-values": "TSV",
    "text/calendar": "ICS", "text/turtle": "RDF_TURTLE", "application/rdf+xml": "RDF_XML",
    "application/n-triples": "RDF_N_TRIPLES", "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG", "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ", "application/zip": "ZIP", "application/gzip": "GZIP",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS", "application/rtf": "RTF",
    "text/rtf": "RTF",
    "image/png": "PNG", "image/tiff": "TIFF", "image/bmp": "BMP", "image/jp2": "JPEG2000",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.apache.parquet": "PARQUET", "application/pdf": "PDF", "image/jpeg": "JPEG",
    "image/gif": "GIF", "image/svg+xml": "SVG", "application/gml+xml": "GML",
    "application/geopackage+sqlite3": "GPKG", "application/sparql-results+json": None,
    "application/sparql-results+xml": None, "application/yaml": "YAML", "application/sql": "SQL",
    "application/msword": "DOC", "application/x-tar": None,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}
#: names a literal ``dct:format`` uses for a code
_LITERAL_FORMATS = {
    "GEO+JSON": "GEOJSON", "JSON-LD": "JSON_LD", "JSONLD": "JSON_LD", "TURTLE": "RDF_TURTLE",
    "TTL": "RDF_TURTLE", "NT": "RDF_N_TRIPLES", "N-TRIPLES": "RDF_N_TRIPLES", "RDF/XML": "RDF_XML",
    "SHAPEFILE": "SHP", "EXCEL": "XLS", "TEXT": "TXT",
}

#: the EU access-right list
ACCESS_RIGHTS = frozenset({"PUBLIC", "NON_PUBLIC", "RESTRICTED", "CONFIDENTIAL", "NORMAL",
                           "SENSITIVE", "OP_DATPRO"})


def file_type_code(value: str) -> str | None:
    """The EU file-type code a ``dct:format`` value names: an IRI of the EU list, or a
    literal such as ``csv`` / ``GeoJSON`` (None: neither)."""
    value = value.strip()
    if value.startswith(FILE_TYPE):
        code = value[len(FILE_TYPE):]
        return code if code in EU_FILE_TYPES else None
    if ":" in value or not value:
        return None
    upper = value.upper().lstrip(".")
    upper = _LITERAL_FORMATS.get(upper, upper)
    return upper if upper in EU_FILE_TYPES else None


def media_type_of(value: str) -> str | None:
    """The registered IANA media type a ``dcat:mediaType`` value names: an IANA IRI or a plain
    ``type/subtype`` (parameters dropped); None: not one of the registered types above."""
    value = value.strip()
    for prefix in IANA:
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    else:
        if ":" in value:
            return None
    value = value.split(";", 1)[0].strip().lower()
    return value if value in MEDIA_TYPES else None


def is_eu_file_type(value: str) -> bool:
    return value.strip().startswith(FILE_TYPE) and file_type_code(value) is not None


def is_eu_access_right(value: str) -> bool:
    value = value.strip()
    return value.startswith(ACCESS_RIGHT) and value[len(ACCESS_RIGHT):] in ACCESS_RIGHTS
