"""Generated hourly pedestrian counts for the Ghent demo sensors.

The numbers are synthetic but follow patterns a Ghent analyst would recognise, so that
demo charts and crowd-density queries look right: shopping streets peak on Saturday
afternoon, the Overpoort at night on weekdays in term time (Thursday strongest, since
students go home for the weekend), the station at commuting hours, the Kouter on Sunday
morning (flower market), and the inner city swells during the Gentse Feesten and the
Lichtfestival. Holidays follow the Sunday pattern. A few random sensor outages are nulls.

Timestamps are Brussels local time *with* their UTC offset (``+01:00``/``+02:00``) so
the daylight-saving days neither lose nor duplicate a ``(telpunt_id, tijdstip)`` key.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from belfort.demo._io import local_instants, write_csv
from belfort.demo.ghent_places import TELPUNTEN, Telpunt

#: Generated periods (inclusive). The small week contains the start of the 2024
#: Gentse Feesten (Friday 19 July) so fast tests can see the festival boost.
PERIODS: dict[str, tuple[date, date]] = {
    "full": (date(2024, 1, 1), date(2024, 12, 31)),
    "small": (date(2024, 7, 15), date(2024, 7, 21)),
}

# Hourly shapes in percent of a sensor's ``niveau`` (index = local hour 0..23).
# fmt: off
PROFILES: dict[str, dict[str, list[int]]] = {
    "winkel": {
        "week": [3, 1, 1, 0, 0, 1, 3, 8, 15, 25, 45, 65, 80, 85, 90, 95, 90, 70, 40, 25, 18, 12, 8, 5],
        "zaterdag": [5, 3, 1, 1, 0, 1, 2, 5, 10, 25, 55, 85, 100, 112, 122, 128, 118, 88, 45, 28, 22, 18, 12, 8],
        "zondag": [6, 3, 2, 1, 1, 0, 1, 2, 4, 8, 15, 25, 35, 40, 45, 45, 40, 30, 20, 14, 10, 7, 4, 2],
    },
    "plein": {
        "week": [10, 5, 3, 1, 1, 1, 3, 8, 15, 22, 35, 55, 70, 70, 72, 75, 78, 75, 65, 60, 55, 45, 30, 18],
        "zaterdag": [25, 15, 8, 3, 1, 1, 2, 5, 10, 22, 45, 70, 90, 100, 105, 108, 105, 95, 85, 80, 75, 65, 50, 35],
        "zondag": [30, 18, 10, 4, 2, 1, 1, 3, 6, 14, 30, 50, 70, 80, 85, 85, 80, 70, 55, 45, 35, 25, 15, 8],
    },
    "kouter": {
        "week": [4, 2, 1, 0, 0, 1, 4, 15, 30, 35, 40, 55, 75, 70, 55, 50, 55, 60, 45, 30, 22, 15, 10, 6],
        "zaterdag": [8, 4, 2, 1, 0, 1, 2, 6, 15, 30, 55, 75, 90, 95, 95, 95, 85, 65, 45, 35, 28, 20, 14, 10],
        "zondag": [8, 4, 2, 1, 0, 1, 3, 25, 70, 110, 120, 105, 70, 45, 35, 30, 28, 22, 16, 12, 9, 6, 4, 3],
    },
    "station": {
        "week": [3, 1, 0, 0, 1, 8, 35, 100, 85, 40, 30, 30, 35, 32, 35, 45, 75, 95, 60, 35, 25, 18, 12, 6],
        "zaterdag": [4, 2, 1, 0, 1, 3, 8, 15, 22, 30, 35, 38, 38, 36, 35, 35, 34, 32, 28, 22, 18, 14, 10, 6],
        "zondag": [3, 1, 0, 0, 0, 2, 5, 9, 14, 20, 26, 28, 28, 28, 30, 32, 35, 38, 36, 28, 20, 14, 8, 4],
    },
    "knooppunt": {
        "week": [4, 2, 1, 0, 1, 5, 25, 80, 75, 45, 45, 55, 65, 62, 60, 65, 80, 90, 60, 38, 28, 20, 12, 7],
        "zaterdag": [8, 4, 2, 1, 1, 2, 6, 14, 25, 40, 60, 75, 85, 90, 92, 90, 82, 65, 45, 32, 25, 20, 14, 10],
        "zondag": [8, 4, 2, 1, 0, 1, 3, 7, 12, 20, 30, 40, 45, 48, 50, 50, 45, 38, 30, 22, 16, 12, 8, 5],
    },
    "studenten": {
        "week": [12, 6, 3, 1, 1, 1, 3, 15, 45, 60, 55, 70, 95, 80, 55, 55, 65, 70, 55, 40, 35, 30, 25, 18],
        "zaterdag": [20, 12, 6, 2, 1, 1, 1, 4, 10, 22, 35, 45, 55, 60, 62, 60, 55, 45, 35, 30, 28, 25, 20, 15],
        "zondag": [15, 10, 5, 2, 1, 1, 1, 3, 6, 12, 20, 30, 38, 42, 45, 45, 40, 32, 25, 20, 15, 12, 10, 8],
    },
    # Hours 0..5 describe the end of the *previous* evening (see ``_night_factor``).
    "uitgaan": {
        "week": [90, 95, 80, 55, 25, 6, 2, 5, 12, 16, 20, 26, 32, 30, 26, 24, 24, 26, 30, 34, 40, 52, 70, 85],
        "zaterdag": [90, 95, 80, 55, 25, 6, 2, 4, 8, 12, 16, 20, 24, 24, 22, 22, 22, 24, 28, 32, 38, 50, 68, 82],
        "zondag": [90, 95, 80, 55, 25, 6, 2, 3, 6, 10, 14, 18, 22, 22, 20, 20, 20, 22, 26, 30, 36, 48, 64, 78],
    },
}

# Gentse Feesten multiplier by hour for sensors in the festival zone (evening and night).
FEEST_BOOST = [5.0, 4.5, 3.8, 2.6, 1.6, 1.2, 1.0, 1.0, 1.0, 1.1, 1.3, 1.6,
               1.9, 2.1, 2.2, 2.3, 2.4, 2.6, 2.9, 3.2, 3.6, 4.0, 4.5, 5.0]
# fmt: on

MONTH_FACTOR = [0.85, 0.88, 0.95, 1.0, 1.04, 1.05, 1.08, 1.03, 1.0, 0.98, 0.95, 1.12]

#: Belgian public holidays of 2024 (shops mostly closed: Sunday pattern).
HOLIDAYS_2024 = frozenset(
    date(2024, m, d)
    for m, d in [
        (1, 1), (4, 1), (5, 1), (5, 9), (5, 20), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)
    ]
)

#: UGent teaching weeks (approximate): nightlife and Sint-Pietersplein follow them.
TERM_2024 = (
    (date(2024, 2, 12), date(2024, 3, 29)),
    (date(2024, 4, 15), date(2024, 5, 17)),
    (date(2024, 9, 23), date(2024, 12, 20)),
)

#: A Lichtfestival edition is simulated in the evenings of these days (demo assumption).
LICHTFESTIVAL = (date(2024, 1, 31), date(2024, 2, 4))


def gentse_feesten(year: int) -> tuple[date, date]:
    """The ten festival days: from the Friday to the first Sunday after 21 July.

    Matches recent editions (2023: 14-23 July, 2024: 19-28 July, 2025: 18-27 July).
    """
    july21 = date(year, 7, 21)
    end = july21 + timedelta(days=(6 - july21.weekday()) or 7)
    return end - timedelta(days=9), end


def day_kind(day: date) -> str:
    if day.weekday() == 6 or day in HOLIDAYS_2024:
        return "zondag"
    return "zaterdag" if day.weekday() == 5 else "week"


def in_term(day: date) -> bool:
    return any(first <= day <= last for first, last in TERM_2024)


def _night_factor(evening: date) -> float:
    """Overpoort activity for the night starting on ``evening``: Thursday is the big one."""
    base = 1.0 if in_term(evening) else 0.25
    weekday_factor = [1.0, 1.1, 1.2, 1.5, 0.35, 0.3, 0.55][evening.weekday()]
    return base * weekday_factor


def expected_count(sensor: Telpunt, moment: datetime) -> float:
    """Mean count for one sensor-hour before noise (local wall-clock ``moment``)."""
    hour = moment.hour
    day = moment.date()
    # Night hours continue the previous evening for the nightlife profile and festivals.
    evening = day - timedelta(days=1) if hour < 6 else day
    kind = day_kind(evening if sensor.profiel == "uitgaan" else day)
    value = sensor.niveau * PROFILES[sensor.profiel][kind][hour] / 100.0
    value *= MONTH_FACTOR[moment.month - 1]
    if sensor.profiel == "uitgaan":
        value *= _night_factor(evening) if (hour < 6 or hour >= 20) else (
            1.0 if in_term(day) else 0.5
        )
    elif sensor.profiel == "studenten" and not in_term(day):
        value *= 0.6
    if sensor.feestzone:
        gf_start, gf_end = gentse_feesten(evening.year)
        if gf_start <= evening <= gf_end:
            value = max(value, sensor.niveau * 0.3) * FEEST_BOOST[hour]
        elif LICHTFESTIVAL[0] <= day <= LICHTFESTIVAL[1] and 18 <= hour <= 23:
            value *= 3.0
    return value


def _outages(
    rng: random.Random, hours: int, small: bool
) -> dict[str, list[tuple[int, int]]]:
    """Random outage windows ``(first hour index, length)`` per sensor.

    About one or two per sensor per year; the small week gets exactly one, so the tests
    always see nulls.
    """
    out: dict[str, list[tuple[int, int]]] = {s.id: [] for s in TELPUNTEN}
    if small:
        sensor = rng.choice(TELPUNTEN)
        length = rng.randint(4, 12)
        out[sensor.id].append((rng.randrange(hours - length), length))
        return out
    for sensor in TELPUNTEN:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            length = rng.randint(3, 96)
            out[sensor.id].append((rng.randrange(hours - length), length))
    return out


def generate_rows(seed: int, size: str) -> list[tuple[str, str, int | None]]:
    """All rows in time order, then sensor order (as an hourly export would list them)."""
    rng = random.Random(f"{seed}:passantentellingen-gent-demo")
    first, last = PERIODS[size]
    instants = local_instants(first, last, timedelta(hours=1))
    outages = _outages(rng, len(instants), size == "small")
    down = {
        sid: {i for start, length in spans for i in range(start, start + length)}
        for sid, spans in outages.items()
    }
    # One weather/mood factor per day shared by all sensors: rainy days are quieter.
    day_factor: dict[date, float] = {}
    rows: list[tuple[str, str, int | None]] = []
    for index, moment in enumerate(instants):
        day = moment.date()
        if day not in day_factor:
            day_factor[day] = math.exp(rng.gauss(0.0, 0.12))
        stamp = moment.isoformat()
        for sensor in TELPUNTEN:
            noise = math.exp(rng.gauss(0.0, 0.15))
            count = round(expected_count(sensor, moment) * day_factor[day] * noise)
            rows.append((sensor.id, stamp, None if index in down[sensor.id] else max(count, 0)))
    return rows


def write_counts(path: Path, seed: int, size: str) -> int:
    """Semicolon CSV (``telpunt_id;tijdstip;aantal``), as a Belgian Excel export."""
    return write_csv(
        path, ("telpunt_id", "tijdstip", "aantal"), generate_rows(seed, size), delimiter=";"
    )
