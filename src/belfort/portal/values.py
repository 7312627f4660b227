"""Values as people read them: the table preview's cells in Dutch or English.

One place for the rules, mirrored line by line in ``static/js/values.js`` (the preview's
JavaScript redraws rows from the Opendatasoft v1 API and must show exactly what the server
shows; tests/portal/test_browser_table.py compares both):

- datetimes in Ghent local time (Europe/Brussels, summer time included): ``za 20 jul 2024
  22:10`` / ``Sat 20 Jul 2024 22:10``; seconds only when not zero; during the hour that
  happens twice in October the zone (CEST, CET) is added. The instant stays available as
  ISO 8601 with offset (``Cell.machine``, for ``<time datetime>``).
- dates: ``20 jul 2024`` / ``20 Jul 2024``.
- numbers: the shortest digits that give the value back, with the language's separators
  (``1.234,5`` / ``1,234.5``); from 10^15 on, or below 10^-7, as ``1,5 × 10¹⁶``. Not a
  number and infinity show as empty, as the API gives them (``null``).
- booleans: ja/nee, yes/no.
- geo points and shapes: ``punt 51,0543° N 3,7174° O``, ``vlak (12 punten)``.
- multivalued text: the values joined by ``, ``; long text cut at ``MAX_TEXT`` characters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from belfort.catalog.field_dictionary import FieldTexts
from belfort.schema import Field

ZONE = ZoneInfo("Europe/Brussels")
"""Ghent's time zone: the table shows every time in it."""

MAX_TEXT = 200
"""Longer text is cut here (in characters) and ends in an ellipsis."""

WEEKDAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimal)
BOOLEANS = {"nl": ("ja", "nee"), "en": ("yes", "no")}
COMPASS = {"nl": ("N", "Z", "O", "W"), "en": ("N", "S", "E", "W")}
SHAPES = {  # GeoJSON type → (one, several) in each language
    "nl": {
        "Point": ("punt", "punten"),
        "MultiPoint": ("punt", "punten"),
        "LineString": ("lijn", "lijnen"),
        "MultiLineString": ("lijn", "lijnen"),
        "Polygon": ("vlak", "vlakken"),
        "MultiPolygon": ("vlak", "vlakken"),
        "GeometryCollection": ("vorm", "vormen"),
    },
    "en": {
        "Point": ("point", "points"),
        "MultiPoint": ("point", "points"),
        "LineString": ("line", "lines"),
        "MultiLineString": ("line", "lines"),
        "Polygon": ("area", "areas"),
        "MultiPolygon": ("area", "areas"),
        "GeometryCollection": ("shape", "shapes"),
    },
}
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
ZONE_NAMES = {60: "CET", 120: "CEST"}
_ID_LIKE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+|[a-z0-9]+")  # a header that is an id itself


@dataclass(frozen=True)
class Cell:
    """One shown value: ``text`` as people read it; ``machine`` the value a program reads
    (ISO 8601 for dates and times, else None); ``kind``: datetime, date, number, boolean,
    geo, text or empty (numbers are right-aligned)."""

    text: str
    kind: str
    machine: str | None = None


EMPTY = Cell("", "empty")


def field_label(field: Field, lang: str, texts: FieldTexts | None = None) -> str:
    """The column header of ``field`` in ``lang``: its title in the data dictionary
    (``texts``, in ``lang`` else the other language), else the source file's title, else
    its id made readable ("tijd_van_voltooien" → "Tijd van voltooien")."""
    described = texts.title(lang) if texts is not None else None
    if described:
        return described
    title = (field.title or "").strip()
    if title and title != field.name and not _ID_LIKE.fullmatch(title):
        return title
    return humanised(field.name)


def humanised(name: str) -> str:
    """``tijd_van_voltooien`` → ``Tijd van voltooien``."""
    words = " ".join(name.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else name


def format_value(value: Any, type_: str, lang: str, separator: str | None = None) -> Cell:
    """``value`` of a field of Belfort type ``type_`` (as the query engine gives it) for
    people reading ``lang`` (nl or en)."""
    lang = lang if lang in WEEKDAYS else "nl"
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return Cell(BOOLEANS[lang][0 if value else 1], "boolean")
    if isinstance(value, dt.datetime):
        return format_datetime(value, lang)
    if isinstance(value, dt.date):
        return Cell(
            f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}", "date", value.isoformat()
        )
    if isinstance(value, int | float | Decimal):
        if not _finite(value):
            return EMPTY
        if isinstance(value, int) and type_ != "integer":
            value = float(value)  # as the browser gets it: exact digits for integer fields only
        return Cell(format_number(value, lang), "number")
    if type_ in {"geopoint", "geometry"}:
        return Cell(geo_text(value, lang), "geo")
    if isinstance(value, list | tuple):
        return Cell(_cut(", ".join(_plain(v, lang) for v in value if v is not None)), "text")
    if isinstance(value, dict):
        return Cell(_cut(orjson.dumps(value, default=str).decode()), "text")
    text = str(value)
    if separator and type_ == "string":
        text = ", ".join(v for v in text.split(separator) if v)
    return Cell(_cut(text), "text")


def _plain(value: Any, lang: str) -> str:
    return format_value(value, "string", lang).text


def _finite(value: int | float | Decimal) -> bool:
    return (
        value.is_finite()
        if isinstance(value, Decimal)
        else isinstance(value, int) or math.isfinite(value)
    )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# -- times -------------------------------------------------------------------------------


def format_datetime(value: dt.datetime, lang: str) -> Cell:
    """An instant in Ghent's wall-clock time; a time without zone is read as UTC (as the
    API does)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(ZONE)
    clock = f"{local.hour:02d}:{local.minute:02d}" + (
        f":{local.second:02d}" if local.second else ""
    )
    text = (
        f"{WEEKDAYS[lang][local.weekday()]} {local.day} {MONTHS[lang][local.month - 1]} "
        f"{local.year} {clock}"
    )
    offset = local.utcoffset() or dt.timedelta(0)
    if local.replace(fold=1 - local.fold).utcoffset() != offset:  # the hour that happens twice
        text += " " + ZONE_NAMES.get(int(offset.total_seconds()) // 60, "")
    spec = "milliseconds" if local.microsecond else "seconds"
    return Cell(text.rstrip(), "datetime", local.isoformat(timespec=spec))


# -- numbers -----------------------------------------------------------------------------


def format_number(value: int | float | Decimal, lang: str) -> str:
    """``value`` with the language's separators; whole numbers exactly, other numbers by
    the shortest digits that give the same value back (what JavaScript and JSON write)."""
    thousands, decimal = SEPARATORS.get(lang, SEPARATORS["nl"])
    if isinstance(value, int):
        return ("-" if value < 0 else "") + _grouped(str(abs(value)), thousands)
    if value == 0:
        return "0"
    try:
        exact = Decimal(repr(value)) if isinstance(value, float) else value
        sign, digit_tuple, exponent = exact.normalize().as_tuple()
    except InvalidOperation:
        return ""
    digits = "".join(str(d) for d in digit_tuple)
    power = int(exponent) + len(digits) - 1  # value = d.ddd × 10^power
    minus = "-" if sign else ""
    if power >= 15 or power < -7:
        mantissa = digits[0] + (decimal + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa} × 10{str(power).translate(SUPERSCRIPTS)}"
    if power >= 0:
        whole = digits[: power + 1].ljust(power + 1, "0")
        fraction = digits[power + 1 :]
    else:
        whole, fraction = "0", "0" * (-power - 1) + digits
    return minus + _grouped(whole, thousands) + (decimal + fraction if fraction else "")


def _grouped(digits: str, thousands: str) -> str:
    head = len(digits) % 3 or 3
    return thousands.join(
        [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    )


def _degrees(value: Any, positive: str, negative: str, lang: str) -> str:
    """``51,0543° N``: four decimals (about 10 m), halves rounded away from zero (as
    JavaScript's ``toFixed`` does on the magnitude)."""
    number = float(value)
    rounded = Decimal(abs(number)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = f"{rounded:.4f}".replace(".", SEPARATORS[lang][1])
    return f"{text}° {negative if number < 0 else positive}"


# -- geometry ----------------------------------------------------------------------------


def point_text(lat: Any, lon: Any, lang: str) -> str:
    north, south, east, west = COMPASS[lang]
    latitude = _degrees(lat, north, south, lang)
    return f"{SHAPES[lang]['Point'][0]} {latitude} {_degrees(lon, east, west, lang)}"


def geo_text(value: Any, lang: str) -> str:
    """A geo point (``{lat, lon}``, ``[lat, lon]``) or GeoJSON shape (text or object, or a
    Feature) as a short text: ``punt 51,0543° N 3,7174° O``, ``vlak (12 punten)``."""
    try:
        if isinstance(value, str):
            value = orjson.loads(value)
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        if isinstance(value, dict) and {"lat", "lon"} <= value.keys():
            return point_text(value["lat"], value["lon"], lang)
        if isinstance(value, list | tuple) and len(value) == 2:
            return point_text(value[0], value[1], lang)
        if isinstance(value, dict):
            return _shape_text(value, lang)
    except (orjson.JSONDecodeError, TypeError, ValueError, KeyError, IndexError):
        pass
    return SHAPES[lang]["GeometryCollection"][0]


def _shape_text(geometry: dict[str, Any], lang: str) -> str:
    kind = geometry.get("type")
    names = SHAPES[lang]
    if kind == "Point":
        lon, lat = geometry["coordinates"][:2]
        return point_text(lat, lon, lang)
    if kind == "GeometryCollection":
        parts = len(geometry.get("geometries") or [])
        return f"{parts} {names[kind][0 if parts == 1 else 1]}"
    if not isinstance(kind, str) or kind not in names:
        return names["GeometryCollection"][0]
    coordinates = geometry.get("coordinates") or []
    points = _positions(coordinates)
    point_word = names["Point"][0 if points == 1 else 1]
    if kind.startswith("Multi"):
        parts = len(coordinates)
        return f"{parts} {names[kind][0 if parts == 1 else 1]} ({points} {point_word})"
    return f"{names[kind][0]} ({points} {point_word})"


def _positions(coordinates: Any) -> int:
    """How many positions ([x, y]) a GeoJSON coordinates array holds."""
    if (
        isinstance(coordinates, list)
        and coordinates
        and all(isinstance(c, int | float) for c in coordinates)
    ):
        return 1
    if isinstance(coordinates, list):
        return sum(_positions(c) for c in coordinates)
    return 0
