"""The query parameters of the Opendatasoft dialects (API v1 and Explore v2.1): one
declaration per endpoint, which ``/openapi.json`` documents and the handlers read
through (see ``belfort.api.params``)."""

from __future__ import annotations

from belfort.api.params import Param, ParamSpec, integer

BOOLEAN = {"type": "boolean"}

# -- API v1 ---------------------------------------------------------------------------------

V1_DATASET = Param("dataset", "The dataset's identifier.", required=True, example="bezetting-parkeergarages-real-time")
V1_Q = Param("q", "Full-text search and filter in Opendatasoft's v1 query language: words, "
             "`field:value`, `field>=10`, `field:[a TO b]`, `#exact(...)`, `AND`/`OR`/`NOT` "
             "(docs/opendatasoft.md).")
V1_START = Param("start", "Index of the first record returned (0-based).", integer(0))
V1_SORT = Param("sort", "Field to sort by: `field` sorts descending, `-field` ascending (Opendatasoft "
                "v1's convention). Comma-separated or repeated.", repeatable=True)
V1_FACET = Param("facet", "A field to count values of; the answer's `facet_groups`. Repeatable.",
                 repeatable=True)
V1_REFINE = Param("refine.{field}", "Only records whose `field` has this value: `refine.district=Centrum`; "
                  "dates by year, month or day (`refine.date=2024/03`). Repeatable; a multivalued field "
                  "matches any of its values.", pattern=r"refine\..+")
V1_EXCLUDE = Param("exclude.{field}", "Leave out records whose `field` has this value: "
                   "`exclude.district=Centrum`. Repeatable.", pattern=r"exclude\..+")
V1_FIELDS = Param("fields", "Comma-separated fields to include in each record (default: all).")
V1_TIMEZONE = Param("timezone", "IANA time zone datetimes are rendered in, e.g. `Europe/Brussels`.",
                    {"type": "string", "default": "UTC"})
V1_DISTANCE = Param("geofilter.distance", "`lat,lon,metres`: records whose geo point lies within that "
                    "distance.", example="51.0543,3.7174,500")
V1_POLYGON = Param("geofilter.polygon", "`(lat,lon),(lat,lon),…`: records whose geo point lies inside.")

_V1_FILTERS = (V1_Q, V1_REFINE, V1_EXCLUDE, V1_TIMEZONE, V1_DISTANCE, V1_POLYGON)

V1_SEARCH = ParamSpec(
    V1_DATASET, *_V1_FILTERS, V1_FACET, V1_SORT, V1_FIELDS, V1_START,
    Param("rows", "Number of records (start + rows ≤ 10,000; -1: up to that window).",
          integer(10, minimum=-1)),
    Param("format", "`json` (records) or `geojson` (a FeatureCollection).",
          {"type": "string", "enum": ["json", "geojson"], "default": "json"}),
)
_V1_DOWNLOAD = (
    *_V1_FILTERS, V1_SORT, V1_FIELDS, V1_START,
    Param("rows", "Number of records; -1 (default): all of them.", integer(-1, minimum=-1)),
    Param("format", "`csv`, `json` (an array of v1 records), `jsonl`, `geojson`, `xlsx` (`xls` is read "
          "as `xlsx`) or `parquet`.",
          {"type": "string", "enum": ["csv", "json", "jsonl", "geojson", "xlsx", "xls", "parquet"],
           "default": "csv"}),
    Param("csv_separator", "The CSV delimiter, one character.", {"type": "string", "default": ";"}),
    Param("use_labels_for_header", "CSV and XLSX header: field labels instead of names.",
          {"type": "boolean", "default": False}),
    Param("lang", "Accepted, as Opendatasoft's portal sends it; field labels are not translated."),
)
V1_DOWNLOAD = ParamSpec(V1_DATASET, *_V1_DOWNLOAD)
# the old portal's /explore/dataset/{dataset_id}/download/: the dataset is in the path
V1_PORTAL_DOWNLOAD = ParamSpec(*_V1_DOWNLOAD)
V1_ANALYZE = ParamSpec(
    V1_DATASET, *_V1_FILTERS,
    Param("x", "The field whose values (or, for dates, periods) are the series' x axis.", required=True),
    Param("precision", "For a date x: `year`, `month`, `day`, `hour` or `minute`.",
          {"type": "string", "enum": ["year", "month", "day", "hour", "minute"], "default": "day"}),
    Param("y.{series}.func", "The aggregate of series `series`: `COUNT`, `AVG`, `SUM`, `MIN`, `MAX` or "
          "`STDDEV`, e.g. `y.total.func=SUM`. At least one series.", pattern=r"y\.[^.]+\.func"),
    Param("y.{series}.expr", "The field series `series` aggregates, e.g. `y.total.expr=aantal` "
          "(not needed for COUNT).", pattern=r"y\.[^.]+\.expr"),
    Param("sort", "`x` or a series name, `-` for descending.", {"type": "string", "default": "x"}),
    Param("maxpoints", "At most this many points.", integer(1000, minimum=1)),
)
V1_CATALOG_SEARCH = ParamSpec(
    Param("q", "Words to search for, as the portal's search does (stems, compounds, typos, "
          "synonyms); the best matches come first."),
    Param("rows", "Number of datasets (-1: all).", integer(10, minimum=-1)),
    Param("start", "Index of the first dataset returned.", integer(0)),
    Param("refine.{facet}", "Only datasets with this `theme`, `keyword` or `publisher`: "
          "`refine.theme=Mobiliteit`.", pattern=r"refine\..+"),
)

# -- Explore v2.1 ---------------------------------------------------------------------------
CATALOG_Q = Param("q", "Words to search the catalogue for, as `where=search(\"…\")` and the portal's "
                  "search do (stems, compounds, typos, synonyms); best matches first unless `order_by`.")

SELECT = Param("select", "ODSQL select: fields, expressions and aggregates with aliases, e.g. "
               "`naam, count(*) as n`. Default: every field.")
WHERE = Param("where", "ODSQL condition, e.g. `aantal > 10 and search(\"Korenmarkt\")`. Repeatable "
              "(conditions are ANDed).", repeatable=True)
GROUP_BY = Param("group_by", "ODSQL group keys, e.g. `telpunt, year(tijdstip) as jaar`.")
ORDER_BY = Param("order_by", "ODSQL order, e.g. `count(*) desc, naam`.")
REFINE = Param("refine", "`FIELD:VALUE`: only records (datasets) where the facet has this value; "
               "dates by path (`datum:2024/03`). Repeatable; values of one field are ORed.",
               repeatable=True, example="telpunt:Korenmarkt")
EXCLUDE = Param("exclude", "`FIELD:VALUE`: leave out records (datasets) where the facet has this value. "
                "Repeatable.", repeatable=True)
TIMEZONE = Param("timezone", "IANA time zone datetimes are rendered (and date functions evaluated) in.",
                 {"type": "string", "default": "UTC"})
LANG = Param("lang", "Language of the metadata and of ODSQL date names.",
             {"type": "string", "default": "nl",
              "enum": ["ar", "ca", "de", "en", "es", "eu", "fr", "it", "nl", "pt", "sv"]})
INCLUDE_LINKS = Param("include_links", "Add `_links` (self and dataset) to the answer and its records.",
                      {"type": "boolean", "default": False})
INCLUDE_APP_METAS = Param("include_app_metas", "Accepted for compatibility; Belfort has no app metas.",
                          {"type": "boolean", "default": False})
OFFSET = Param("offset", "Index of the first result (0-based).", integer(0))
FACET = Param("facet", "A facet to count: a field name, or `facet(name=\"field\", disjunctive=true, "
              "sort=\"-count\", limit=10)`. Repeatable; default: every text, boolean and date field.",
              repeatable=True)
USE_LABELS = Param("use_labels", "Field labels instead of names as column headers.",
                   {"type": "boolean", "default": False})
DELIMITER = Param("delimiter", "CSV delimiter: `;`, `,`, `\\t` or `|`.",
                  {"type": "string", "enum": [";", ",", "\\t", "|"], "default": ";"})
LIST_SEPARATOR = Param("list_separator", "CSV: the separator of a multivalued field's values.",
                       {"type": "string", "default": ","})
QUOTE_ALL = Param("quote_all", "CSV: quote every text value.", {"type": "boolean", "default": False})
WITH_BOM = Param("with_bom", "CSV: start with a UTF-8 byte order mark (for spreadsheet programs).",
                 {"type": "boolean", "default": True})

_CSV = (DELIMITER, LIST_SEPARATOR, QUOTE_ALL, WITH_BOM)
_COMMON = (TIMEZONE, LANG, INCLUDE_LINKS, INCLUDE_APP_METAS)

V2_RECORDS = ParamSpec(
    SELECT, WHERE, GROUP_BY, ORDER_BY,
    Param("limit", "Number of results: 0–100, or up to 20,000 groups with `group_by`; "
          "offset + limit ≤ 10,000.", integer(10, minimum=-1)),
    OFFSET, REFINE, EXCLUDE, *_COMMON,
)
V2_RECORD = ParamSpec(SELECT, *_COMMON)
V2_EXPORT = ParamSpec(
    SELECT, WHERE, GROUP_BY, ORDER_BY,
    Param("limit", "Number of records; -1 (default): all.", integer(-1, minimum=-1)),
    OFFSET, REFINE, EXCLUDE, *_COMMON, USE_LABELS, *_CSV,
)
V2_FACETS = ParamSpec(FACET, WHERE, REFINE, EXCLUDE, TIMEZONE, LANG)

V2_CATALOG = ParamSpec(
    SELECT, WHERE, CATALOG_Q,
    Param("group_by", "Not supported on the catalogue: answered with 400."),
    Param("order_by", "Sort datasets by `dataset_id`, `title`, `modified`, `records_count`, `publisher` "
          "or `license`, `desc` for descending."),
    Param("limit", "Number of datasets, 0–100; offset + limit ≤ 10,000.", integer(10, minimum=-1)),
    OFFSET, REFINE, EXCLUDE, *_COMMON,
)
V2_CATALOG_DATASET = ParamSpec(*_COMMON)
V2_CATALOG_EXPORT = ParamSpec(
    WHERE, CATALOG_Q, ORDER_BY,
    Param("limit", "Number of datasets; -1 (default): all.", integer(-1, minimum=-1)),
    OFFSET, REFINE, EXCLUDE, *_COMMON, *_CSV,
)
V2_CATALOG_FACETS = ParamSpec(
    Param("facet", "A catalogue facet: `theme`, `keyword`, `publisher`, `license`, `language` or "
          "`features`, or `facet(name=\"theme\", disjunctive=true, …)`. Repeatable; default: all.",
          repeatable=True),
    WHERE, CATALOG_Q, REFINE, EXCLUDE, TIMEZONE, LANG,
)
