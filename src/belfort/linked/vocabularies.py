"""Belfort's codes and free text → the URIs of the controlled vocabularies DCAT-AP asks for.

Every mapping here is data, not logic: the EU Publications Office authority tables
(data themes, update frequencies, file types, access rights, languages, distribution
status, planned availability), IANA media types, the ADMS licence and publisher types,
the Flemish licence URIs (DCAT-AP-VL) and the places Belfort knows by name.

The DCAT-AP controlled-vocabulary shapes check a concept by its ``skos:inScheme``, so
each concept carries its scheme and the labels the catalogue states about it
(``belfort.linked.dcat`` emits them next to every concept it uses).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from belfort.labels import FREQUENCY_LABELS, LICENCE_LABELS, THEME_LABELS

# ── Namespaces ──────────────────────────────────────────────────────────────────────────

ADMS = "http://www.w3.org/ns/adms#"
DCAT = "http://www.w3.org/ns/dcat#"
DCATAP = "http://data.europa.eu/r5r/"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
GSP = "http://www.opengis.net/ont/geosparql#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
LOCN = "http://www.w3.org/ns/locn#"
MDCAT = "https://data.vlaanderen.be/ns/metadata-dcat#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"

DQV = "http://www.w3.org/ns/dqv#"  # W3C Data Quality Vocabulary (belfort.mqa.dqv)
PV = "https://piveau.eu/ns/voc#"  # the MQA metrics data.europa.eu measures (belfort.mqa.method)

PREFIXES: dict[str, str] = {
    "adms": ADMS, "dcat": DCAT, "dcatap": DCATAP, "dct": DCT, "dqv": DQV, "foaf": FOAF,
    "gsp": GSP, "hydra": HYDRA, "locn": LOCN, "mdcat": MDCAT, "pv": PV, "rdf": RDF, "rdfs": RDFS,
    "skos": SKOS, "vcard": VCARD, "xsd": XSD,
}

AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Concept:
    """A concept of a controlled vocabulary with the labels Belfort states about it."""

    uri: str
    scheme: str
    label_en: str
    label_nl: str | None = None


@dataclass(frozen=True)
class Scheme:
    uri: str
    title_en: str


def _scheme(name: str, title: str) -> Scheme:
    return Scheme(AUTHORITY + name, title)


DATA_THEME_SCHEME = _scheme("data-theme", "Data theme")
FREQUENCY_SCHEME = _scheme("frequency", "Frequency")
FILE_TYPE_SCHEME = _scheme("file-type", "File type")
ACCESS_RIGHT_SCHEME = _scheme("access-right", "Access right")
LANGUAGE_SCHEME = _scheme("language", "Language")
COUNTRY_SCHEME = _scheme("country", "Country")
DISTRIBUTION_STATUS_SCHEME = _scheme("distribution-status", "Distribution status")
AVAILABILITY_SCHEME = _scheme("planned-availability", "Planned availability")
LICENCE_TYPE_SCHEME = Scheme("http://purl.org/adms/licencetype/1.0", "ADMS licence type vocabulary")
PUBLISHER_TYPE_SCHEME = Scheme("http://purl.org/adms/publishertype/1.0", "ADMS publisher type vocabulary")
VL_KEYWORD_SCHEME = Scheme(
    "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden", "GDI-Vlaanderen trefwoorden"
)
SCHEMES = {s.uri: s for s in (
    DATA_THEME_SCHEME, FREQUENCY_SCHEME, FILE_TYPE_SCHEME, ACCESS_RIGHT_SCHEME, LANGUAGE_SCHEME,
    COUNTRY_SCHEME, DISTRIBUTION_STATUS_SCHEME, AVAILABILITY_SCHEME, LICENCE_TYPE_SCHEME,
    PUBLISHER_TYPE_SCHEME, VL_KEYWORD_SCHEME,
)}


def normalise(text: str) -> str:
    """Lowercase, accents off, runs of spaces, hyphens and underscores as one space."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-]+", " ", text.lower()).strip()


def slug(text: str, max_length: int = 80) -> str:
    """A URI-safe name for free text (``Stad Gent - Dienst Milieu`` → ``stad-gent-dienst-milieu``)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_length].strip("-")


# ── Data themes ─────────────────────────────────────────────────────────────────────────
# Belfort stores the EU data-theme codes (TRAN, ENVI, …); harvested Opendatasoft portals
# bring free-text themes in Dutch or English, which map by their words.

THEMES: dict[str, Concept] = {
    code: Concept(AUTHORITY + "data-theme/" + code, DATA_THEME_SCHEME.uri, labels["en"], labels["nl"])
    for code, labels in THEME_LABELS.items()
}

THEME_WORDS: dict[str, tuple[str, ...]] = {
    "AGRI": ("landbouw", "visserij", "voeding", "agriculture", "fisheries", "food"),
    "ECON": ("economie", "economy", "werk", "werkgelegenheid", "financien", "finance", "handel",
             "ondernemen", "business"),
    "EDUC": ("onderwijs", "cultuur", "sport", "vrije tijd", "toerisme", "education", "culture",
             "tourism", "leisure"),
    "ENER": ("energie", "energy"),
    "ENVI": ("milieu", "natuur", "klimaat", "groen", "afval", "environment", "nature", "climate"),
    "GOVE": ("bestuur", "beleid", "overheid", "politiek", "government", "governance", "public sector"),
    "HEAL": ("gezondheid", "zorg", "health"),
    "INTR": ("internationaal", "internationale", "international"),
    "JUST": ("justitie", "veiligheid", "politie", "justice", "safety", "security"),
    "REGI": ("stad", "ruimte", "ruimtelijke ordening", "stadsontwikkeling", "wijk", "wijken",
             "geografie", "regio", "regions", "cities", "urban planning"),
    "SOCI": ("samenleving", "bevolking", "welzijn", "demografie", "wonen", "society", "population",
             "housing", "welfare"),
    "TECH": ("wetenschap", "technologie", "innovatie", "science", "technology", "innovation"),
    "TRAN": ("mobiliteit", "verkeer", "vervoer", "transport", "parkeren", "parking", "fiets",
             "mobility", "traffic"),
}


@lru_cache(maxsize=4096)
def theme_codes(theme: str) -> tuple[str, ...]:
    """The EU data-theme codes for one of a dataset's themes: the code itself, or the
    codes whose words occur in free text (``Cultuur, sport en vrije tijd`` → EDUC)."""
    code = theme.strip().upper()
    if code in THEMES:
        return (code,)
    text = f" {_words(theme)} "
    return tuple(code for code, words in THEME_WORDS.items() if any(f" {w} " in text for w in words))


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip()


# ── Update frequency (belfort.catalog.metadata.Frequency → EU frequency) ────────────────

_FREQUENCY_CODES = {
    "continuous": ("UPDATE_CONT", "continuously updated"),
    "hourly": ("HOURLY", "hourly"),
    "daily": ("DAILY", "daily"),
    "weekly": ("WEEKLY", "weekly"),
    "monthly": ("MONTHLY", "monthly"),
    "quarterly": ("QUARTERLY", "quarterly"),
    "annual": ("ANNUAL", "annual"),
    "irregular": ("IRREG", "irregular"),
    "never": ("NEVER", "never"),
    "unknown": ("UNKNOWN", "unknown"),
}
FREQUENCIES: dict[str, Concept] = {
    value: Concept(AUTHORITY + "frequency/" + code, FREQUENCY_SCHEME.uri, label,
                   FREQUENCY_LABELS[value]["nl"])
    for value, (code, label) in _FREQUENCY_CODES.items()
}

# ── Access rights (classification → EU access right; DCAT-AP-VL: PUBLIC or NON_PUBLIC) ──

PUBLIC = Concept(AUTHORITY + "access-right/PUBLIC", ACCESS_RIGHT_SCHEME.uri, "public", "publiek")
NON_PUBLIC = Concept(AUTHORITY + "access-right/NON_PUBLIC", ACCESS_RIGHT_SCHEME.uri, "non-public",
                     "niet-publiek")


def access_right(classification: str) -> Concept:
    return PUBLIC if classification == "open" else NON_PUBLIC


# ── Flemish status (mdcat:statuut) for open data and open data services ───────────────

VL_OPEN_DATA = Concept(VL_KEYWORD_SCHEME.uri + "/VLOPENDATA", VL_KEYWORD_SCHEME.uri,
                       "Flemish open data", "Vlaamse open data")
VL_OPEN_DATA_SERVICE = Concept(VL_KEYWORD_SCHEME.uri + "/VLOPENDATASERVICE", VL_KEYWORD_SCHEME.uri,
                               "Flemish open data service", "Vlaamse open data service")

# ── Languages of the metadata ───────────────────────────────────────────────────────────

LANGUAGES: dict[str, Concept] = {
    "nl": Concept(AUTHORITY + "language/NLD", LANGUAGE_SCHEME.uri, "Dutch", "Nederlands"),
    "en": Concept(AUTHORITY + "language/ENG", LANGUAGE_SCHEME.uri, "English", "Engels"),
}

# ── Life-cycle state → distribution status and planned availability ──────────────────

DISTRIBUTION_STATUS: dict[str, Concept] = {
    state: Concept(AUTHORITY + "distribution-status/" + code, DISTRIBUTION_STATUS_SCHEME.uri, label)
    for state, (code, label) in {
        "published": ("COMPLETED", "completed"),
        "deprecated": ("DEPRECATED", "deprecated"),
        "draft": ("DEVELOP", "under development"),
        "archived": ("WITHDRAWN", "withdrawn"),
    }.items()
}
AVAILABILITY: dict[str, Concept] = {
    state: Concept(AUTHORITY + "planned-availability/" + code, AVAILABILITY_SCHEME.uri, label)
    for state, (code, label) in {
        "published": ("STABLE", "stable"),
        "deprecated": ("AVAILABLE", "available"),
        "draft": ("EXPERIMENTAL", "experimental"),
        "archived": ("TEMPORARY", "temporary"),
    }.items()
}

# ── Export formats (Explore API v2.1) → EU file type and IANA media type ─────────────


@dataclass(frozen=True)
class ExportFormat:
    """One format Belfort exports a dataset in.

    ``file_type`` and ``media_type`` are None where the vocabulary has no entry: JSON
    Lines has neither an IANA registration nor an EU file type, so its distribution says
    what it is with ``dct:conformsTo`` the JSON Lines specification instead.
    """

    name: str
    label: str
    file_type: Concept | None
    media_type: str | None
    conforms_to: tuple[str, str] | None = None  # (URI, title)
    needs_geometry: bool = False


def _file_type(code: str, label: str) -> Concept:
    return Concept(AUTHORITY + "file-type/" + code, FILE_TYPE_SCHEME.uri, label)


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("csv", "CSV", _file_type("CSV", "CSV"), "text/csv"),
    ExportFormat("json", "JSON", _file_type("JSON", "JSON"), "application/json"),
    ExportFormat("jsonl", "JSON Lines", None, None, ("https://jsonlines.org/", "JSON Lines")),
    ExportFormat("geojson", "GeoJSON", _file_type("GEOJSON", "GeoJSON"), "application/geo+json",
                 needs_geometry=True),
    ExportFormat("parquet", "Parquet", _file_type("PARQUET", "Parquet"), "application/vnd.apache.parquet"),
    ExportFormat("xlsx", "Excel (XLSX)", _file_type("XLSX", "XLSX"),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)

# ── Licences ────────────────────────────────────────────────────────────────────────────

LICENCE_TYPE = {
    name: Concept("http://purl.org/adms/licencetype/" + name, LICENCE_TYPE_SCHEME.uri, label)
    for name, label in {"PublicDomain": "Public domain", "Attribution": "Attribution",
                        "ShareAlike": "Share-alike"}.items()
}


@dataclass(frozen=True)
class Licence:
    """A licence the catalogue offers: ``uri`` is what the catalogue stores and DCAT states
    (the Flemish URI where DCAT-AP-VL names one), ``eu_uri`` the entry of the Publications
    Office licence list that data.europa.eu scores against, ``spdx`` its short name."""

    uri: str
    label_nl: str
    label_en: str
    types: tuple[str, ...]  # keys of LICENCE_TYPE
    see_also: str | None = None
    spdx: str | None = None
    eu_uri: str | None = None


EU_LICENCE = AUTHORITY + "licence/"


def _licence(uri: str, types: tuple[str, ...], see_also: str | None = None, spdx: str | None = None,
             eu_code: str | None = None) -> Licence:
    labels = LICENCE_LABELS[uri]
    return Licence(uri, labels["nl"], labels["en"], types, see_also, spdx,
                   EU_LICENCE + eu_code if eu_code else None)


CC0 = _licence("https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0",
               ("PublicDomain",), "https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0", "CC0")
MODEL_FREE_REUSE = _licence("https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
                            ("Attribution",), None, "Modellicentie-Gratis-Hergebruik-1.0")
CC_BY_4 = _licence("https://creativecommons.org/licenses/by/4.0/", ("Attribution",), None, "CC-BY-4.0",
                   "CC_BY_4_0")
CC_BY_SA_4 = _licence("https://creativecommons.org/licenses/by-sa/4.0/", ("Attribution", "ShareAlike"),
                      None, "CC-BY-SA-4.0", "CC_BYSA_4_0")
ODBL = _licence("https://opendatacommons.org/licenses/odbl/1-0/", ("Attribution", "ShareAlike"), None,
                "ODbL-1.0", "ODC_BL")
ODC_BY = _licence("https://opendatacommons.org/licenses/by/1-0/", ("Attribution",), None, "ODC-By-1.0",
                  "ODC_BY")

#: The licences offered on the staff pages, in this order.
LICENCES: tuple[Licence, ...] = (CC0, MODEL_FREE_REUSE, CC_BY_4, CC_BY_SA_4, ODC_BY, ODBL)

_LICENCE_NAMES: dict[Licence, tuple[str, ...]] = {
    CC0: ("cc0", "cc0 1.0", "cc 0", "cc zero", "creative commons zero", "creative commons zero verklaring",
          "creativecommons.org/publicdomain/zero/1.0",
          "data.vlaanderen.be/id/licentie/creative commons zero verklaring/v1.0"),
    MODEL_FREE_REUSE: ("modellicentie gratis hergebruik", "modellicentie gratis hergebruik v1.0",
                       "modellicentie gratis hergebruik 1.0", "gratis hergebruik",
                       "data.vlaanderen.be/id/licentie/modellicentie gratis hergebruik/v1.0"),
    CC_BY_4: ("cc by 4.0", "cc by", "cc by4.0", "creative commons attribution 4.0",
              "creative commons naamsvermelding 4.0", "creativecommons.org/licenses/by/4.0"),
    CC_BY_SA_4: ("cc by sa 4.0", "cc by sa", "creative commons attribution sharealike 4.0",
                 "creative commons naamsvermelding gelijkdelen 4.0",
                 "creativecommons.org/licenses/by sa/4.0"),
    ODBL: ("odbl", "odbl 1.0", "open database license", "open database license (odbl)",
           "open database license (odbl) 1.0",
           "opendatacommons.org/licenses/odbl/1 0", "opendatacommons.org/licenses/odbl/1.0",
           "opendatacommons.org/licenses/odbl"),
    ODC_BY: ("odc by", "odc by 1.0", "open data commons attribution",
             "open data commons attribution license", "open data commons attribution license 1.0",
             "opendatacommons.org/licenses/by/1 0", "opendatacommons.org/licenses/by/1.0",
             "opendatacommons.org/licenses/by"),
}
_LICENCES = {name: licence for licence, names in _LICENCE_NAMES.items() for name in names}


def _licence_key(text: str) -> str:
    key = normalise(text)
    key = re.sub(r"^https? ?://(www\.)?", "", key)
    key = re.sub(r"/(legalcode(\.[a-z]+)?|deed\.[a-z]+)$", "", key.rstrip("/")).rstrip("/")
    return key


for _known in LICENCES:  # each licence also by its URIs, its SPDX id and its labels
    for _name in (_known.uri, _known.eu_uri, _known.spdx, _known.label_nl, _known.label_en):
        if _name:
            _LICENCES.setdefault(_licence_key(_name), _known)


def licence_of(text: str) -> Licence | None:
    """A known licence from an SPDX-like id, a name or a URL (None: not one Belfort knows)."""
    return _LICENCES.get(_licence_key(text))


# ── Publishers ──────────────────────────────────────────────────────────────────────────

LOCAL_AUTHORITY = Concept("http://purl.org/adms/publishertype/LocalAuthority", PUBLISHER_TYPE_SCHEME.uri,
                          "Local Authority", "Lokaal bestuur")
_CITY_OF_GHENT = re.compile(r"^(stad gent|groep gent|city of ghent|mobiliteitsbedrijf gent|ocmw gent)\b")


def publisher_type(organisation: str) -> Concept | None:
    """The ADMS publisher type where the name says it (the city, its departments and its
    municipal companies are a local authority); None for anyone else."""
    return LOCAL_AUTHORITY if _CITY_OF_GHENT.match(normalise(organisation)) else None


# ── Places ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Place:
    uri: str | None  # None: no authoritative URI Belfort knows (stated by name only)
    name_nl: str
    name_en: str
    bbox: str | None = None  # WKT
    centroid: str | None = None  # WKT
    concept: Concept | None = None  # when the place is a concept of an EU authority table
    kind: str = "gemeente"  # land, gewest, gemeente, deelgemeente, wijk
    aliases: tuple[str, ...] = ()


# Ghent as the Flemish address register names it (DCAT-AP-VL); bounding box and centroid
# computed from Ghent's 25 city districts (stadswijken-gent.geojson, data.stad.gent).
GHENT = Place(
    "https://data.vlaanderen.be/id/gemeente/44021", "Gent", "Ghent",
    bbox="POLYGON((3.5797 50.9795, 3.8494 50.9795, 3.8494 51.1889, 3.5797 51.1889, 3.5797 50.9795))",
    centroid="POINT(3.7255 51.0744)",
    aliases=("ghent", "gand", "stad gent", "city of ghent", "gent, belgie", "ghent, belgium"),
)
BELGIUM = Place(AUTHORITY + "country/BEL", "België", "Belgium",
                concept=Concept(AUTHORITY + "country/BEL", COUNTRY_SCHEME.uri, "Belgium", "België"),
                kind="land", aliases=("belgie", "belgium", "belgique"))
FLANDERS = Place(None, "Vlaanderen", "Flanders", kind="gewest",
                 aliases=("vlaams gewest", "flemish region", "flanders"))
# The former municipalities merged into Ghent in 1977 (deelgemeenten), as the city lists them.
DEELGEMEENTEN = tuple(Place(None, name, name, kind="deelgemeente") for name in (
    "Afsnee", "Desteldonk", "Drongen", "Gentbrugge", "Ledeberg", "Mariakerke", "Mendonk",
    "Oostakker", "Sint-Amandsberg", "Sint-Denijs-Westrem", "Sint-Kruis-Winkel", "Wondelgem",
    "Zwijnaarde",
))
# Ghent's 25 city districts (stadswijken) by their names in the city's open dataset
# "Stadswijken Gent" (data.stad.gent, stadswijken-gent.geojson, property "wijk"). A district
# named like a deelgemeente is stored as "<name> (wijk)"; the bare name is the deelgemeente.
_WIJKEN = (
    "Binnenstad", "Bloemekenswijk", "Brugse Poort - Rooigem", "Dampoort", "Drongen",
    "Elisabethbegijnhof - Prinsenhof - Papegaai - Sint-Michiels", "Gentbrugge",
    "Gentse Kanaaldorpen en -zone", "Ledeberg", "Macharius - Heirnis", "Mariakerke",
    "Moscou - Vogelhoek", "Muide - Meulestede - Afrikalaan", "Nieuw Gent - UZ", "Oostakker",
    "Oud Gentbrugge", "Rabot - Blaisantvest", "Sint-Amandsberg", "Sint-Denijs-Westrem - Afsnee",
    "Sluizeken - Tolhuis - Ham", "Stationsbuurt-Noord", "Stationsbuurt-Zuid",
    "Watersportbaan - Ekkergem", "Wondelgem", "Zwijnaarde",
)
_DEELGEMEENTE_NAMES = {p.name_nl for p in DEELGEMEENTEN}
WIJKEN = tuple(
    Place(None, f"{name} (wijk)" if name in _DEELGEMEENTE_NAMES else name,
          f"{name} (district)" if name in _DEELGEMEENTE_NAMES else name, kind="wijk",
          aliases=(f"wijk {name}", f"{name} wijk"))
    for name in _WIJKEN
)

#: Every place the catalogue offers as spatial coverage, in the order the staff form lists them.
PLACES: tuple[Place, ...] = (GHENT, *DEELGEMEENTEN, *WIJKEN, FLANDERS, BELGIUM)

_PLACES: dict[str, Place] = {}
for _place in PLACES:
    for _key in (_place.uri, _place.name_nl, _place.name_en, *_place.aliases):
        if _key:
            _PLACES.setdefault(_key, _place)
            _PLACES.setdefault(normalise(_key), _place)


def place_of(text: str) -> Place | None:
    """A place Belfort knows by name or URI (None: free text or an unknown URI)."""
    text = text.strip()
    return _PLACES.get(text) or _PLACES.get(normalise(text))
