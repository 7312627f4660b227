"""The zones' forecasts published live: the dataset ``drukteverwachting-per-zone``, readable
through every API (Opendatasoft v1 and Explore v2.1, the native API, exports) like
``drukte-per-zone``: one row per zone and forecast hour.

Like crowding now, a zone's forecast is open (a zone's crowding score does not show a
sensor's counts). Sensor forecasts are not published as a dataset: a sensor may feed a
restricted dataset, so they are served only by ``/sensors/{id}/forecast`` through the gate
of the dataset the sensor feeds.

The source is registered in every process at start-up (``register``); its catalogue entry is
made after the first refresh that produced a forecast (``ensure``; idempotent).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import func, select

from belfort.catalog import organisations
from belfort.catalog.models import TwinForecast
from belfort.platform import Platform
from belfort.streams.live import live_registry
from belfort.streams.live_catalog import publish_live_dataset
from belfort.streams.model import now_us as clock_us
from belfort.twin.datasets import ORGANISATION, UTC_US, _fields
from belfort.twin.forecasting.registry import HOUR_US
from belfort.twin.score import label
from belfort.twin.zones import list_zones

DATASET = "drukteverwachting-per-zone"
STALE_HOURS = 6
SCHEMA = pa.schema([
    ("zone", pa.string()), ("naam", pa.string()), ("tijdstip", UTC_US),
    ("uren_vooruit", pa.int64()), ("score", pa.float64()), ("onder", pa.float64()),
    ("boven", pa.float64()), ("label", pa.string()), ("model", pa.string()),
    ("gemaakt_op", UTC_US),
])
TEXTS: dict[str, tuple[str, str, str | None]] = {
    "zone": ("Zone", "Zone", None),
    "naam": ("Naam", "Name", None),
    "tijdstip": ("Uur (begin)", "Hour (start)", None),
    "uren_vooruit": ("Uren vooruit", "Hours ahead", "uur"),
    "score": ("Verwachte drukte (0-100)", "Forecast crowding (0-100)", None),
    "onder": ("Ondergrens 80 %-interval", "Lower bound of the 80 % interval", None),
    "boven": ("Bovengrens 80 %-interval", "Upper bound of the 80 % interval", None),
    "label": ("Label (rustig, druk, te druk)", "Label", None),
    "model": ("Modelversie", "Model version", None),
    "gemaakt_op": ("Gemaakt op", "Made at", None),
}


class ZoneForecastSource:
    """``drukteverwachting-per-zone`` (a ``LiveSource``)."""

    dataset_id = DATASET

    def mark(self, platform: Platform) -> str:
        with platform.db.session() as session:
            made = session.scalar(select(func.max(TwinForecast.made_us))
                                  .where(TwinForecast.kind == "zone"))
        return f"{made or 0}-{clock_us() // HOUR_US}"

    def table(self, platform: Platform) -> pa.Table:
        return zone_table(platform, clock_us())


def zone_table(platform: Platform, now: int) -> pa.Table:
    """Every zone's newest forecast from the current hour on, one row per hour."""
    current = now - now % HOUR_US
    rows: list[dict[str, Any]] = []
    with platform.db.session() as session:
        names = {z.id: z.name for z in list_zones(session)}
        newest = (select(TwinForecast.subject, func.max(TwinForecast.origin_us).label("o"))
                  .where(TwinForecast.kind == "zone", TwinForecast.origin_us <= now,
                         TwinForecast.origin_us > now - STALE_HOURS * HOUR_US)
                  .group_by(TwinForecast.subject).subquery())
        found = session.scalars(select(TwinForecast).join(
            newest, (TwinForecast.subject == newest.c.subject)
            & (TwinForecast.origin_us == newest.c.o))
            .where(TwinForecast.kind == "zone").order_by(TwinForecast.subject))
        for row in found:
            if row.points is None or row.subject not in names:
                continue
            for k, point in enumerate(row.points["point"]):
                at = row.origin_us + k * HOUR_US
                if at < current:
                    continue
                rows.append({"zone": row.subject, "naam": names[row.subject], "tijdstip": at,
                             "uren_vooruit": (at - current) // HOUR_US, "score": point,
                             "onder": row.points["lower"][k], "boven": row.points["upper"][k],
                             "label": label(int(round(point))), "model": row.model_version,
                             "gemaakt_op": row.made_us - row.made_us % 1_000_000})
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def register(platform: Platform) -> None:
    """Add the source to this process's live registry (at start-up)."""
    live_registry(platform).add(ZoneForecastSource())


METADATA: dict[str, Any] = {
    "organisation": ORGANISATION[1]["name_nl"],
    "contact_point": {"name": "Dienst Data en Informatie", "email": "data@stad.gent"},
    "themes": ["TRAN", "SOCI"],
    "licence": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    "spatial": "Gent", "frequency": "continuous", "timezone": "UTC",
    "steward": "Team Data en Informatie - datasteward mobiliteit",
    "title_nl": "Drukteverwachting per zone", "title_en": "Crowding forecast per zone",
    "description_nl": (
        "De verwachte drukte in elke zone voor de komende 48 uur, per uur: score (0-100, zoals "
        "drukte-per-zone), de grenzen van het 80 %-interval, het label, de versie van het "
        "model dat de verwachting maakte en wanneer. Het model (LightGBM over alle tellers) "
        "wordt uitgelegd op /voorspellingen/modellen/<versie>."),
    "description_en": (
        "The forecast crowding in every zone for the next 48 hours, per hour: score (0-100, "
        "as drukte-per-zone), the bounds of the 80 % interval, the label, the version of the "
        "model that made it and when. The model (LightGBM over all counters) is explained "
        "on /voorspellingen/modellen/<version>."),
    "keywords": ["drukte", "verwachting", "voorspelling", "zones", "live"],
    "record_key": ["zone", "tijdstip"],
}


def ensure(platform: Platform) -> bool:
    """Make the dataset's catalogue entry unless it exists; True when made now."""
    with platform.db.session() as session:
        if organisations.find_organisation(session, ORGANISATION[1]["name_nl"]) is None:
            organisations.add_organisation(session, *ORGANISATION)
    texts = {name: {"title_nl": nl, "title_en": en, "unit": unit}
             for name, (nl, en, unit) in TEXTS.items()}
    made = publish_live_dataset(platform, DATASET, METADATA, SCHEMA, _fields(SCHEMA), texts)
    register(platform)
    return made
