"""Crowding published live: the datasets ``druktebarometer-info`` and ``drukte-per-zone``.

``druktebarometer-info`` has the fields Ghent's crowd gauge reads (one row: now):
``status_druktemeter`` (0–100, the city centre's score), ``toelichting_drukte`` (what it
means, in Dutch, with the busiest zone) and ``tijd_van_voltooien`` (when it was computed).
``drukte-per-zone`` has a row per zone: score, label, occupancy, density, capacity, the
normal for this moment (p50) and now against it.

Both are ``LiveSource``s (``belfort.streams.live``), added to the process's live registry at
start-up (``register_live_sources``): the read path under every dialect answers from their
rows of the moment (``belfort.streams.live_catalog``). Their catalogue entries (published,
complete metadata, a data dictionary) are made when the first zone is defined
(``ensure_crowding_datasets``, with ``live_catalog.publish_live_dataset``; idempotent).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyarrow as pa

from belfort.catalog import organisations
from belfort.platform import Platform
from belfort.schema import Field, TableSchema
from belfort.streams.live import live_registry
from belfort.streams.live_catalog import publish_live_dataset
from belfort.streams.model import now_us
from belfort.streams.read import high_water
from belfort.twin.score import Crowding, crowding_now, label
from belfort.twin.zones import list_zones

GAUGE = "druktebarometer-info"
PER_ZONE = "drukte-per-zone"
ORGANISATION = ("stad-gent-dienst-data-en-informatie", {
    "name_nl": "Stad Gent - Dienst Data en Informatie",
    "name_en": "City of Ghent - Data and Information Service",
    "description_nl": "Beheert de open data van de stad en helpt diensten hun data te publiceren.",
    "description_en": "Looks after the city's open data and helps departments publish theirs.",
    "homepage": "https://stad.gent"})
MESSAGES = {
    "rustig": "Rustig in de binnenstad",
    "druk": "Druk: kom liever op een ander moment",
    "te druk": "Te druk: kom nu niet naar de binnenstad",
}
NO_DATA = "Geen actuele tellingen: de drukte in de binnenstad is nu niet gekend"
UTC_US = pa.timestamp("us", tz="UTC")


def explanation(crowding: Crowding) -> str:
    """``toelichting_drukte``: the message for the centre's band, and where it is busiest."""
    if crowding.centre_score is None or crowding.busiest is None:
        return NO_DATA
    text = MESSAGES[label(crowding.centre_score)]
    busiest = crowding.busiest
    return (f"{text}. Drukst: {busiest.name} ({busiest.score}/100, {label(busiest.score or 0)}); "
            f"binnenstad gewogen naar capaciteit: {crowding.centre_weighted}/100.")


def _mark(platform: Platform) -> str:
    """New observations, changed zones, or a new minute (windows slide with the clock)."""
    with platform.db.session() as session:
        zones = "|".join(f"{z.id}:{z.area_m2}:{z.density}:{z.dwell_seconds}:{z.centre}"
                         for z in list_zones(session))
    digest = hashlib.sha1(zones.encode()).hexdigest()[:12]
    return f"{high_water(platform)}-{digest}-{now_us() // 60_000_000}"


class GaugeSource:
    """``druktebarometer-info``: the city centre's score now (a ``LiveSource``)."""

    dataset_id = GAUGE

    def mark(self, platform: Platform) -> str:
        return _mark(platform)

    def table(self, platform: Platform) -> pa.Table:
        crowding = crowding_now(platform, with_normal=False)
        return gauge_table(crowding)


GAUGE_SCHEMA = pa.schema([("status_druktemeter", pa.int64()),
                          ("toelichting_drukte", pa.string()), ("tijd_van_voltooien", UTC_US)])


def gauge_table(crowding: Crowding) -> pa.Table:
    at = crowding.at_us - crowding.at_us % 1_000_000
    return pa.Table.from_pylist([{"status_druktemeter": crowding.centre_score or 0,
                                  "toelichting_drukte": explanation(crowding),
                                  "tijd_van_voltooien": at}], schema=GAUGE_SCHEMA)


class ZonesSource:
    """``drukte-per-zone``: every zone's crowding now (a ``LiveSource``)."""

    dataset_id = PER_ZONE

    def mark(self, platform: Platform) -> str:
        return _mark(platform)

    def table(self, platform: Platform) -> pa.Table:
        return zones_table(crowding_now(platform))


def zones_table(crowding: Crowding) -> pa.Table:
    at = crowding.at_us - crowding.at_us % 1_000_000
    rows: list[dict[str, Any]] = []
    for zone in crowding.zones:
        data, normal = zone.to_dict(), zone.normal
        p50 = normal.percentiles["p50"] if normal and normal.percentiles else None
        rows.append({
            "zone": zone.id, "naam": zone.name, "binnenstad": zone.centre,
            "score": zone.score, "label": data["label"], "bezetting": data["occupancy"],
            "dichtheid": data["density"], "capaciteit": data["capacity"],
            "methode": zone.estimate.method, "telling_nu": normal.now if normal else None,
            "normaal_p50": p50, "verhouding_tot_normaal": normal.ratio if normal else None,
            "band": normal.band if normal else None, "tijd_van_voltooien": at,
            "geo_point_2d": _centre_of(zone.geometry), "geo_shape": zone.geometry,
        })
    return pa.Table.from_pylist(rows, schema=ZONES_SCHEMA)


ZONES_SCHEMA = pa.schema([
    ("zone", pa.string()), ("naam", pa.string()), ("binnenstad", pa.bool_()),
    ("score", pa.int64()), ("label", pa.string()), ("bezetting", pa.float64()),
    ("dichtheid", pa.float64()), ("capaciteit", pa.int64()), ("methode", pa.string()),
    ("telling_nu", pa.float64()), ("normaal_p50", pa.float64()),
    ("verhouding_tot_normaal", pa.float64()), ("band", pa.string()),
    ("tijd_van_voltooien", UTC_US),
    ("geo_point_2d", pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
    ("geo_shape", pa.string()),  # GeoJSON text
])


def _centre_of(geometry: str) -> dict[str, float]:
    """The mean of the outer ring's corners: a point inside a zone of a city's shapes."""
    ring = json.loads(geometry)["coordinates"][0][:-1]
    return {"lat": round(sum(p[1] for p in ring) / len(ring), 7),
            "lon": round(sum(p[0] for p in ring) / len(ring), 7)}


def register_live_sources(platform: Platform) -> None:
    """Add the crowding datasets to this process's live registry (at start-up)."""
    registry = live_registry(platform)
    registry.add(GaugeSource())
    registry.add(ZonesSource())


def _metadata(dataset_id: str) -> dict[str, Any]:
    common = {
        "organisation": ORGANISATION[1]["name_nl"],
        "contact_point": {"name": "Dienst Data en Informatie", "email": "data@stad.gent"},
        "themes": ["TRAN", "SOCI"], "licence":
            "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
        "spatial": "Gent", "frequency": "continuous", "timezone": "UTC",
        "steward": "Team Data en Informatie - datasteward mobiliteit",
    }
    if dataset_id == GAUGE:
        return {**common, "title_nl": "Druktebarometer binnenstad",
                "title_en": "Crowd gauge city centre",
                "description_nl": (
                    "Hoe druk het nu is in de Gentse binnenstad, live berekend uit de "
                    "passantentellers: status_druktemeter (0-100; tot 33 rustig, tot 67 druk, "
                    "daarboven te druk), toelichting_drukte en tijd_van_voltooien. De score is "
                    "die van de drukste zone van de binnenstad: 100 betekent dat er zoveel "
                    "mensen zijn als de zone veilig bevat (standaard 2 personen per m² "
                    "netto beloopbare oppervlakte)."),
                "description_en": (
                    "How busy Ghent's city centre is now, computed live from pedestrian "
                    "counters: status_druktemeter (0-100; up to 33 quiet, up to 67 busy, above "
                    "too busy), toelichting_drukte and tijd_van_voltooien. The score is the "
                    "busiest centre zone's: 100 means as many people as the zone holds at "
                    "2 persons per m² of net walkable area."),
                "keywords": ["drukte", "druktebarometer", "passanten", "binnenstad", "live"],
                "record_key": ["tijd_van_voltooien"]}
    return {**common, "title_nl": "Drukte per zone", "title_en": "Crowding per zone",
            "description_nl": (
                "De drukte nu in elke zone (pleinen en straten met tellers): score (0-100), "
                "label (rustig, druk, te druk), geschatte bezetting (personen), dichtheid "
                "(personen per m²), capaciteit, de telling van het laatste kwartier, wat "
                "normaal is voor dit moment (mediaan p50 per weekdag en kwartier over het "
                "voorbije jaar), de verhouding daartoe en de percentielband."),
            "description_en": (
                "Crowding now in every zone: score (0-100), label, estimated occupancy, "
                "density (persons per m²), capacity, the last quarter-hour's count, what is "
                "normal for this moment (p50 per weekday and quarter-hour over the last year), "
                "the ratio to it and the percentile band."),
            "keywords": ["drukte", "zones", "passanten", "bezetting", "live"],
            "record_key": ["zone"]}


FIELD_TEXTS: dict[str, tuple[str, str, str | None]] = {  # name → (title nl, title en, unit)
    "status_druktemeter": ("Drukte (0-100)", "Crowding (0-100)", None),
    "toelichting_drukte": ("Toelichting", "Explanation", None),
    "tijd_van_voltooien": ("Berekend op", "Computed at", None),
    "zone": ("Zone", "Zone", None),
    "naam": ("Naam", "Name", None),
    "binnenstad": ("In de binnenstad", "In the city centre", None),
    "score": ("Drukte (0-100)", "Crowding (0-100)", None),
    "label": ("Label (rustig, druk, te druk)", "Label", None),
    "bezetting": ("Geschatte bezetting", "Estimated occupancy", "personen"),
    "dichtheid": ("Dichtheid", "Density", "personen/m²"),
    "capaciteit": ("Capaciteit", "Capacity", "personen"),
    "methode": ("Schattingsmethode", "Estimation method", None),
    "telling_nu": ("Telling laatste kwartier", "Count of the last quarter-hour", "personen"),
    "normaal_p50": ("Normaal voor dit moment (p50)", "Normal for this moment (p50)", "personen"),
    "verhouding_tot_normaal": ("Verhouding tot normaal", "Ratio to normal", None),
    "band": ("Percentielband", "Percentile band", None),
    "geo_point_2d": ("Ligging", "Location", None),
    "geo_shape": ("Zone (polygoon)", "Zone (polygon)", None),
}


FIELD_TYPES = {pa.int64(): "integer", pa.float64(): "number", pa.bool_(): "boolean",
               pa.string(): "string", UTC_US: "datetime"}


def _fields(schema: pa.Schema) -> TableSchema:
    """The catalogue schema of a live table: its Arrow types as Belfort's field types."""
    def kind(field: pa.Field) -> str:
        if field.name == "geo_shape":
            return "geometry"  # GeoJSON text
        return "geopoint" if pa.types.is_struct(field.type) else FIELD_TYPES[field.type]
    return TableSchema(fields=tuple(Field(name=f.name, type=kind(f), title=f.name)
                                    for f in schema))


def ensure_crowding_datasets(platform: Platform) -> list[str]:
    """Make the crowding datasets' catalogue entries (published, metadata complete, a data
    dictionary) unless they exist; the ids made. Safe when two processes do it at once."""
    with platform.db.session() as session:
        if organisations.find_organisation(session, ORGANISATION[1]["name_nl"]) is None:
            organisations.add_organisation(session, *ORGANISATION)
    made: list[str] = []
    for dataset_id, schema in ((GAUGE, GAUGE_SCHEMA), (PER_ZONE, ZONES_SCHEMA)):
        texts = {name: {"title_nl": nl, "title_en": en, "unit": unit}
                 for name, (nl, en, unit) in FIELD_TEXTS.items() if name in schema.names}
        if publish_live_dataset(platform, dataset_id, _metadata(dataset_id), schema,
                                _fields(schema), texts):
            made.append(dataset_id)
    return made
