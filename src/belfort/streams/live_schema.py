"""What the live datasets of observations look like: their fields (Dutch names, as the other
Ghent datasets), the data dictionary's texts, and their catalogue metadata.

Every dataset that sensors feed (``sensors.dataset_id``) is a live dataset of observations;
next to it three rollup datasets (``<id>-per-kwartier``, ``-per-uur``, ``-per-dag``) hold
count, sum, mean, minimum, maximum and the uptime-weighted mean per sensor, property and
period (quarter hours and hours from the epoch; days from midnight to midnight in the
city's time zone, `BELFORT_STREAM_DAY_TIMEZONE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from belfort.schema import Field, TableSchema

# rollup kind → (dataset id suffix, seconds per period, Dutch and English words)
ROLLUPS: dict[str, tuple[int, str, str]] = {
    "per-kwartier": (900, "per kwartier", "per quarter hour"),
    "per-uur": (3600, "per uur", "per hour"),
    "per-dag": (86_400, "per dag", "per day"),
}
RAW = "raw"
MAX_DATASET_ID = 100

GEOPOINT = pa.struct([("lat", pa.float64()), ("lon", pa.float64())])
TIME = pa.timestamp("us", tz="UTC")

# name, type, unit, Dutch title, English title, Dutch description, English description
_F = tuple[str, str, str | None, str, str, str, str]
_SENSOR_FIELDS: tuple[_F, ...] = (
    ("sensor", "string", None, "Sensor", "Sensor", "Id van de sensor.", "The sensor's id."),
    ("sensornaam", "string", None, "Naam sensor", "Sensor name", "Naam van de sensor.",
     "The sensor's name."),
    ("soort", "string", None, "Soort sensor", "Sensor kind",
     "Soort toestel, bv. passantenteller.", "Kind of device, e.g. pedestrian counter."),
    ("eigenschap", "string", None, "Eigenschap", "Property",
     "De waargenomen eigenschap (sosa:observedProperty).",
     "The observed property (sosa:observedProperty)."),
    ("eenheid", "string", None, "Eenheid", "Unit", "Eenheid van de waarden.",
     "Unit of the values."),
    ("zone", "string", None, "Zone", "Zone", "Zone waarvoor de sensor telt.",
     "Zone the sensor counts for."),
)
_LOCATION: _F = ("locatie", "geopoint", None, "Locatie", "Location",
                 "Plaats van de sensor (WGS84).", "Where the sensor is (WGS84).")

OBSERVATION_FIELDS: tuple[_F, ...] = (
    ("volgnummer", "integer", None, "Volgnummer", "Sequence number",
     "Volgorde waarin de waarnemingen binnenkwamen.", "Order in which observations arrived."),
    *_SENSOR_FIELDS,
    ("tijdstip", "datetime", None, "Tijdstip", "Time",
     "Begin van de waargenomen periode (sosa:phenomenonTime), UTC.",
     "Start of the observed time (sosa:phenomenonTime), UTC."),
    ("tijdstip_einde", "datetime", None, "Einde", "End",
     "Einde van de waargenomen periode, als die een interval is.",
     "End of the observed time, when it is an interval."),
    ("resultaattijd", "datetime", None, "Resultaattijd", "Result time",
     "Wanneer het resultaat er was (sosa:resultTime).", "When the result was there."),
    ("waarde", "number", None, "Waarde", "Value", "De waargenomen waarde (sosa:hasSimpleResult).",
     "The observed value."),
    ("kwaliteit", "string", None, "Kwaliteit", "Quality",
     "'ok', of 'suspect' als de waarde buiten het verwachte bereik viel.",
     "'ok', or 'suspect' when the value was outside the expected range."),
    ("gewicht", "number", None, "Gewicht (uptime)", "Weight (uptime)",
     "Aandeel van de periode dat de sensor werkte (0..1), bv. Telraam's uptime.",
     "Share of the period the sensor worked (0..1), e.g. Telraam's uptime."),
    _LOCATION,
)

ROLLUP_FIELDS: tuple[_F, ...] = (
    *_SENSOR_FIELDS,
    ("periode_start", "datetime", None, "Begin periode", "Period start", "Begin (UTC).",
     "Start (UTC)."),
    ("periode_einde", "datetime", None, "Einde periode", "Period end", "Einde (UTC).",
     "End (UTC)."),
    ("aantal", "integer", None, "Aantal waarnemingen", "Observations",
     "Aantal waarnemingen in de periode.", "Number of observations in the period."),
    ("som", "number", None, "Som", "Sum", "Som van de waarden.", "Sum of the values."),
    ("gemiddelde", "number", None, "Gemiddelde", "Mean", "Gemiddelde van de waarden.",
     "Mean of the values."),
    ("minimum", "number", None, "Minimum", "Minimum", "Kleinste waarde.", "Smallest value."),
    ("maximum", "number", None, "Maximum", "Maximum", "Grootste waarde.", "Largest value."),
    ("gewogen_gemiddelde", "number", None, "Gewogen gemiddelde", "Weighted mean",
     "Gemiddelde gewogen met de uptime (leeg als geen waarneming een gewicht had).",
     "Mean weighted by uptime (empty when no observation had a weight)."),
    ("gemiddelde_uptime", "number", None, "Gemiddelde uptime", "Mean uptime",
     "Gemiddeld gewicht (uptime) van de waarnemingen met een gewicht.",
     "Mean weight (uptime) of the observations that had one."),
    _LOCATION,
)

_ARROW = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
          "datetime": TIME, "geopoint": GEOPOINT}


def table_schema(fields: tuple[_F, ...]) -> TableSchema:
    return TableSchema(tuple(Field(name, kind, title=title_nl, unit=unit)
                             for name, kind, unit, title_nl, *_ in fields))


def arrow_schema(fields: tuple[_F, ...]) -> pa.Schema:
    return pa.schema([(name, _ARROW[kind]) for name, kind, *_ in fields])


def field_texts(fields: tuple[_F, ...]) -> dict[str, dict[str, str | None]]:
    """The data dictionary's texts per field (``belfort.catalog.field_dictionary``)."""
    return {name: {"title_nl": t_nl, "title_en": t_en, "description_nl": d_nl,
                   "description_en": d_en, "unit": unit}
            for name, _kind, unit, t_nl, t_en, d_nl, d_en in fields}


@dataclass(frozen=True)
class LiveDataset:
    """One live dataset of observations or of their rollups."""

    id: str
    source_id: str  # the sensors' dataset (``sensors.dataset_id``) its rows come from
    kind: str  # RAW or a key of ROLLUPS

    @property
    def fields(self) -> tuple[_F, ...]:
        return OBSERVATION_FIELDS if self.kind == RAW else ROLLUP_FIELDS

    @property
    def record_key(self) -> list[str]:
        if self.kind == RAW:
            return ["sensor", "eigenschap", "tijdstip"]
        return ["sensor", "eigenschap", "periode_start"]

    def metadata(self) -> dict[str, Any]:
        """Complete catalogue metadata (``belfort.catalog.store.create_dataset``'s changes)."""
        if self.kind == RAW:
            title_nl = f"Sensorwaarnemingen: {self.source_id} (live)"
            title_en = f"Sensor observations: {self.source_id} (live)"
            text_nl = ("Alle waarnemingen van de sensoren die naar deze dataset sturen, seconden "
                       "na ontvangst: sensor, eigenschap, tijdstip, waarde en kwaliteit.")
            text_en = ("Every observation of the sensors that feed this dataset, seconds after "
                       "it arrived: sensor, property, time, value and quality.")
        else:
            _seconds, words_nl, words_en = ROLLUPS[self.kind]
            title_nl = f"Sensorwaarnemingen {words_nl}: {self.source_id} (live)"
            title_en = f"Sensor observations {words_en}: {self.source_id} (live)"
            text_nl = (f"De waarnemingen van {self.source_id} samengevat {words_nl} per sensor en "
                       "eigenschap: aantal, som, gemiddelde, minimum, maximum en het met de "
                       "uptime gewogen gemiddelde.")
            text_en = (f"The observations of {self.source_id} summarised {words_en} per sensor "
                       "and property: count, sum, mean, minimum, maximum and the uptime-weighted "
                       "mean.")
        return {
            "title_nl": title_nl[:300], "title_en": title_en[:300],
            "description_nl": text_nl, "description_en": text_en,
            "organisation": "Stad Gent",
            "contact_point": {"name": "Stad Gent", "email": "data@stad.gent"},
            "themes": ["TRAN", "ENVI"], "keywords": ["sensoren", "live", "waarnemingen"],
            "licence": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
            "spatial": "Gent", "frequency": "continuous", "classification": "open",
            "record_key": self.record_key,
        }


def live_datasets_of(source_id: str) -> list[LiveDataset]:
    """The observations dataset of a sensors' dataset id and its rollups (those whose id
    fits in a dataset id)."""
    found = [LiveDataset(source_id, source_id, RAW)]
    for kind in ROLLUPS:
        rollup_id = f"{source_id}-{kind}"
        if len(rollup_id) <= MAX_DATASET_ID:
            found.append(LiveDataset(rollup_id, source_id, kind))
    return found
