"""The dataset page's download links: which formats, and in which time zone.

The Explore v2.1 exports write times in UTC unless asked for another ``timezone``
(CSV and JSON as ISO 8601 with the offset, XLSX as wall-clock time without a zone). Data
with times gets CSV and XLSX in Ghent time too, first, labelled as such: the same times the
table shows. GeoJSON is offered only for data with a geo point or shape (the API itself
still answers it for any dataset, as Opendatasoft's does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from belfort.portal.values import ZONE

FORMATS = ("csv", "xlsx", "json", "geojson", "parquet")
NAMES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GeoJSON", "parquet": "Parquet"}
LOCAL_FORMATS = ("csv", "xlsx")  # offered in Ghent time as well
GEO_TYPES = frozenset({"geopoint", "geometry"})
TIME_TYPES = frozenset({"datetime"})


@dataclass(frozen=True)
class Download:
    format: str
    href: str
    zone: str | None  # "local", "utc", or None when the data has no times

    @property
    def name(self) -> str:
        return NAMES[self.format]

    @property
    def text_key(self) -> str:
        """The text that labels the link (``belfort.portal.texts``)."""
        return {"local": "download_in_zone", "utc": "download_in_utc"}.get(
            self.zone or "", "download_format"
        )


def links(dataset_id: str, field_types: Sequence[str]) -> list[Download]:
    """The download links for a dataset whose fields have ``field_types``."""
    base = f"/api/explore/v2.1/catalog/datasets/{quote(dataset_id, safe='')}/exports/"
    times = any(t in TIME_TYPES for t in field_types)
    geo = any(t in GEO_TYPES for t in field_types)
    zone = quote(ZONE.key, safe="")
    local = [Download(f, f"{base}{f}?timezone={zone}", "local") for f in LOCAL_FORMATS]
    plain = [Download(f, base + f, "utc" if times else None)
             for f in FORMATS if f != "geojson" or geo]
    return (local if times else []) + plain  # Ghent time first: the times the table shows
