"""The other generated Ghent demo files: neighbourhoods, sensors, garages, reports, air.

Each writer returns its row (or feature) count. Randomness comes from a
``random.Random`` seeded with the build seed *and* the dataset id, so adding a dataset
never changes the bytes of another, and periods are fixed dates (no wall clock).
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from belfort.demo._io import (
    brussels_offset,
    decimal_comma,
    geopoint,
    local_instants,
    write_csv,
    write_json,
)
from belfort.demo.ghent_places import GARAGES, STRATEN, TELPUNTEN, WIJKEN, Garage


def _rng(seed: int, dataset_id: str) -> random.Random:
    return random.Random(f"{seed}:{dataset_id}")


# ── Neighbourhoods and sensors ────────────────────────────────────────────────────────


def write_wijken(path: Path) -> int:
    """GeoJSON FeatureCollection of the 25 neighbourhoods as approximate centroid points."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [wijk.lon, wijk.lat]},
            "properties": {
                "wijknr": wijk.nr,
                "wijk": wijk.naam,
                "inwoners": wijk.inwoners,
                "peildatum": "2024-01-01",
            },
        }
        for wijk in WIJKEN
    ]
    write_json(path, {"type": "FeatureCollection", "features": features})
    return len(features)


def write_telpunten(path: Path) -> int:
    """Semicolon CSV of the counting sensors; ``locatie`` is an Opendatasoft geopoint."""
    header = (
        "id", "naam", "wijk", "locatie", "netto_oppervlakte_m2", "instrument", "in_dienst_sinds"
    )
    rows = [
        (
            t.id,
            t.naam,
            t.wijk,
            geopoint(t.lat, t.lon),
            t.netto_oppervlakte_m2,
            t.instrument,
            t.in_dienst_sinds,
        )
        for t in TELPUNTEN
    ]
    return write_csv(path, header, rows, delimiter=";")


# ── Parking garages ───────────────────────────────────────────────────────────────────

PARKING_PERIODS: dict[str, tuple[date, date]] = {
    "full": (date(2024, 3, 4), date(2024, 3, 31)),  # four weeks, Monday to Sunday
    "small": (date(2024, 3, 8), date(2024, 3, 9)),  # a Friday and a shopping Saturday
}

# Occupancy fraction by hour (0..23) per garage profile and day kind.
# fmt: off
OCCUPANCY: dict[str, dict[str, list[float]]] = {
    "centrum": {
        "week": [.15, .12, .10, .10, .10, .12, .15, .25, .40, .55, .68, .75, .78, .80, .80, .78, .72, .62, .55, .50, .45, .38, .28, .20],
        "zaterdag": [.20, .15, .12, .10, .10, .10, .12, .18, .30, .50, .72, .88, .95, .99, 1.02, 1.02, .95, .82, .65, .58, .52, .45, .35, .25],
        "zondag": [.18, .14, .12, .10, .10, .10, .10, .12, .18, .28, .38, .45, .50, .52, .52, .50, .45, .38, .30, .25, .22, .18, .15, .12],
    },
    "station": {
        "week": [.12, .10, .10, .10, .10, .15, .35, .70, .90, .95, .95, .94, .93, .93, .92, .88, .75, .55, .40, .30, .22, .18, .15, .13],
        "zaterdag": [.12, .10, .10, .10, .10, .12, .16, .22, .30, .36, .40, .42, .42, .42, .40, .38, .34, .30, .26, .22, .18, .15, .13, .12],
        "zondag": [.10, .10, .10, .10, .10, .10, .12, .15, .20, .26, .30, .32, .33, .33, .33, .33, .34, .33, .30, .25, .20, .15, .12, .10],
    },
    "buurt": {
        "week": [.78, .80, .80, .80, .80, .78, .70, .55, .45, .42, .42, .44, .46, .45, .44, .46, .52, .62, .70, .74, .76, .77, .78, .78],
        "zaterdag": [.75, .76, .77, .77, .77, .76, .74, .70, .62, .58, .58, .60, .62, .62, .60, .60, .62, .65, .68, .70, .72, .73, .74, .75],
        "zondag": [.75, .76, .77, .77, .77, .77, .76, .74, .70, .66, .62, .60, .60, .60, .60, .62, .64, .67, .70, .72, .73, .74, .75, .75],
    },
}
# fmt: on


def _occupancy_profile(garage: Garage, moment: datetime) -> float:
    """Profile value at a 15-minute instant, linearly interpolated between hours."""
    kind = {5: "zaterdag", 6: "zondag"}.get(moment.weekday(), "week")
    table = OCCUPANCY[garage.profiel][kind]
    frac = moment.minute / 60.0
    return table[moment.hour] * (1 - frac) + table[(moment.hour + 1) % 24] * frac


def parking_rows(seed: int, size: str) -> list[tuple[Any, ...]]:
    """Occupancy every 15 minutes; ``bezet + vrije_plaatsen == capaciteit`` always."""
    rng = _rng(seed, "bezetting-parkeergarages-demo")
    first, last = PARKING_PERIODS[size]
    instants = local_instants(first, last, timedelta(minutes=15))
    drift = {g.naam: 0.0 for g in GARAGES}  # AR(1) deviation: garages fill in waves
    day_level: dict[tuple[str, date], float] = {}
    rows: list[tuple[Any, ...]] = []
    for moment in instants:
        for garage in GARAGES:
            key = (garage.naam, moment.date())
            if key not in day_level:
                day_level[key] = rng.gauss(1.0, 0.06)
            drift[garage.naam] = 0.92 * drift[garage.naam] + rng.gauss(0.0, 0.015)
            share = _occupancy_profile(garage, moment) * day_level[key] + drift[garage.naam]
            bezet = min(garage.capaciteit, max(0, round(share * garage.capaciteit)))
            vrij = garage.capaciteit - bezet
            is_open = not (garage.nachtsluiting and moment.hour < 7)
            rows.append(
                (
                    garage.naam,
                    moment.isoformat(),
                    garage.capaciteit,
                    bezet,
                    vrij,
                    decimal_comma(bezet / garage.capaciteit),
                    "ja" if is_open else "nee",
                )
            )
    return rows


def write_parking(path: Path, seed: int, size: str) -> int:
    header = (
        "garage", "tijdstip", "capaciteit", "bezet", "vrije_plaatsen", "bezettingsgraad", "open"
    )
    return write_csv(path, header, parking_rows(seed, size), delimiter=";")


# ── Internal reports about public space ───────────────────────────────────────────────

MELDING_TEKSTEN: dict[str, tuple[str, ...]] = {
    "Sluikstort": (
        "Vuilniszakken naast de glasbol, al {n} dagen.",
        "Oude matras en kasten op de stoep voor nummer {nr}.",
        "Bouwafval gedumpt aan de hoek, melder woont ernaast en vraagt terugkoppeling.",
    ),
    "Zwerfvuil": (
        "Veel blikjes en plastic langs het fietspad.",
        "Na het weekend ligt het plein vol glas.",
    ),
    "Beschadigd wegdek": (
        "Put in het fietspad, gevaarlijk bij regen.",
        "Losliggende kasseien ter hoogte van nummer {nr}, mijn buurvrouw is gevallen.",
    ),
    "Defecte straatverlichting": (
        "Lantaarnpaal voor nummer {nr} brandt al {n} dagen niet.",
        "Hele straat donker sinds gisteren.",
    ),
    "Graffiti": ("Graffiti op de gevel van nummer {nr}, eigenaar vraagt verwijdering.",),
    "Kapotte fietsenstalling": ("Fietsenrek omvergereden, {n} beugels los.",),
    "Wateroverlast": ("Riooldeksel loopt over bij hevige regen, kelder van nummer {nr} nat.",),
    "Overhangend groen": ("Takken hangen over het voetpad, kinderwagen kan er niet door.",),
}
KANALEN = ("Gentinfo telefoon", "webformulier", "app", "e-mail", "loket")
STATUSSEN = ("nieuw", "in behandeling", "afgehandeld")
MELDING_AANTAL = {"full": 6_000, "small": 300}


def meldingen_records(seed: int, size: str) -> list[dict[str, Any]]:
    """Reports over 2024, sorted by time; free text makes them internal until pseudonymised."""
    rng = _rng(seed, "meldingen-openbaar-domein-intern")
    year_start = datetime(2024, 1, 1)
    stamps = sorted(
        year_start + timedelta(minutes=rng.randrange(366 * 24 * 60))
        for _ in range(MELDING_AANTAL[size])
    )
    categories = list(MELDING_TEKSTEN)
    weights = [26, 20, 12, 12, 8, 6, 6, 10]
    records = []
    for number, stamp in enumerate(stamps, start=1):
        # Reports arrive in daytime: fold night minutes into the day.
        if stamp.hour < 7:
            stamp += timedelta(hours=8)
        category = rng.choices(categories, weights)[0]
        street = rng.choice(STRATEN)
        text = rng.choice(MELDING_TEKSTEN[category]).format(
            n=rng.randint(2, 9), nr=rng.randint(1, 180)
        )
        age = (datetime(2025, 1, 1) - stamp).days
        status = "afgehandeld" if age > 30 or rng.random() < 0.5 else rng.choice(STATUSSEN[:2])
        done = None
        if status == "afgehandeld":
            done = (stamp + timedelta(days=rng.randint(1, 30))).date()
        local = stamp.replace(tzinfo=_brussels(stamp))
        records.append(
            {
                "melding_id": f"MOD-2024-{number:06d}",
                "ingediend_op": local.isoformat(),
                "categorie": category,
                "straat": street.naam,
                "huisnummer": rng.randint(1, 180) if rng.random() < 0.6 else None,
                "wijk": street.wijk,
                "locatie": geopoint(
                    street.lat + rng.uniform(-0.0012, 0.0012),
                    street.lon + rng.uniform(-0.0018, 0.0018),
                ),
                "omschrijving": text,
                "kanaal": rng.choice(KANALEN),
                "status": status,
                "afgehandeld_op": done.isoformat() if done else None,
            }
        )
    return records


def _brussels(local: datetime) -> timezone:
    """Offset for a naive *local* time (exact except within an hour of the changeover)."""
    return brussels_offset(local - timedelta(hours=1))


def write_meldingen(path: Path, seed: int, size: str) -> int:
    """A JSON array of records, as a ticketing system's API would return them."""
    records = meldingen_records(seed, size)
    write_json(path, records)
    return len(records)


# ── Air quality (draft) ───────────────────────────────────────────────────────────────

LUCHT_SENSOREN = (
    ("LK01", "Gustaaf Callierlaan", 51.0430, 3.7360, 34.0, 11.0),
    ("LK02", "Sint-Kristoffelstraat", 51.0560, 3.7300, 22.0, 10.0),
    ("LK03", "Baudelopark", 51.0590, 3.7300, 14.0, 9.0),
    ("LK04", "Lange Violettestraat", 51.0450, 3.7380, 27.0, 10.5),
    ("LK05", "Port Arthurlaan (haven)", 51.0900, 3.7500, 30.0, 13.0),
    ("LK06", "Drongen centrum", 51.0500, 3.6600, 12.0, 9.5),
)
LUCHT_PERIODS: dict[str, tuple[date, date]] = {
    "full": (date(2024, 11, 4), date(2024, 12, 1)),
    "small": (date(2024, 11, 4), date(2024, 11, 5)),
}
#: Relative NO2 by hour: traffic rush hours.
TRAFFIC = [0.5, 0.4, 0.35, 0.35, 0.4, 0.6, 0.9, 1.4, 1.5, 1.2, 1.0, 0.95,
           0.95, 0.95, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7, 0.6]  # fmt: skip


def air_rows(seed: int, size: str) -> list[tuple[Any, ...]]:
    """Hourly NO₂ and PM2.5 (µg/m³, one decimal, decimal comma); ~1 % missing readings."""
    rng = _rng(seed, "luchtkwaliteit-sensoren-demo")
    first, last = LUCHT_PERIODS[size]
    instants = local_instants(first, last, timedelta(hours=1))
    episode = 0.0  # slowly varying regional PM level (weather episodes)
    rows: list[tuple[Any, ...]] = []
    for moment in instants:
        episode = 0.97 * episode + rng.gauss(0.0, 0.08)
        weekday_factor = 1.0 if moment.weekday() < 5 else 0.75
        for sid, name, lat, lon, no2_base, pm_base in LUCHT_SENSOREN:
            no2 = no2_base * TRAFFIC[moment.hour] * weekday_factor * math.exp(rng.gauss(0, 0.18))
            pm25 = pm_base * math.exp(episode + rng.gauss(0, 0.12))
            missing = rng.random() < 0.01
            rows.append(
                (
                    sid,
                    name,
                    geopoint(lat, lon),
                    moment.isoformat(),
                    None if missing else decimal_comma(no2, 1),
                    None if missing else decimal_comma(pm25, 1),
                )
            )
    return rows


def write_air(path: Path, seed: int, size: str) -> int:
    header = ("sensor_id", "sensor_naam", "locatie", "tijdstip", "no2_ugm3", "pm25_ugm3")
    return write_csv(path, header, air_rows(seed, size), delimiter=";")
