"""String → typed conversion, vectorised with pyarrow.compute.

Every way a value can be written in a supported type is a :class:`Parser`. A parser
converts a whole Arrow string array at once (``vector``) and one value in Python
(``scalar``). The vector path is the fast path for clean data; it raises on the
first odd value, and only then do we fall back to the per-value Python path for
that batch, which is also where the exact bad values and their positions come
from. So a clean million-row column costs a few Arrow kernels, and a dirty one
costs Python time proportional to the batches that contain dirt.

Parsers have a *strict* pattern used for type inference (e.g. integers must not
have leading zeros, so postcodes and identifiers like ``007`` stay strings) and a
lenient mode used when the user overrides a type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from belfort.ingest.geometry import GEOMETRY_TYPES, check_geometry
from belfort.ingest.kernels import ConversionError, all_match, cast_checked
from belfort.ingest.report import type_code
from belfort.ingest.temporal import (
    ISO_DATETIME,
    LOCAL_TZ,
    UTC_TIMESTAMP,
    date_iso_vector,
    iso_datetime_check,
    localize,
    localize_scalar,
    make_dmy_date_vector,
    make_dmy_datetime_scalar,
    make_dmy_datetime_vector,
    make_iso_datetime_scalar,
    make_iso_datetime_vector,
    make_serial_datetime_vector,
    make_strptime_date,
    serial_date_vector,
    serial_to_datetime,
)

GEOPOINT_TYPE = pa.struct([("lat", pa.float64()), ("lon", pa.float64())])

ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": UTC_TIMESTAMP,
    "string": pa.string(),
    "geopoint": GEOPOINT_TYPE,
    "geometry": pa.string(),
}

# Booleans: words only. "1"/"0" columns are inferred as integer, because in city
# data a 0/1 column is as often a count or a coded value (ODS "*_codedvalue") as a
# flag; an override to boolean does accept 1/0.
TRUE_WORDS = ("ja", "j", "waar", "true", "yes")
FALSE_WORDS = ("nee", "n", "onwaar", "false", "no")
_TRUE_SET = pa.array(TRUE_WORDS)
_FALSE_SET = pa.array(FALSE_WORDS)
_TRUE_SET_01 = pa.array(TRUE_WORDS + ("1",))
_FALSE_SET_01 = pa.array(FALSE_WORDS + ("0",))



@dataclass(frozen=True)
class Parser:
    """One written form of one type.

    Three ways in, for three costs:

    * ``check`` (inference, strict): must accept exactly the values the strict
      pattern accepts, vectorised; it need not build the output.
    * ``vector(trusted=True)`` (pass 2 of an inferred column): values were already
      checked in pass 1, so only the conversion kernels run.
    * ``vector(trusted=False)`` (overrides): lenient pattern first, then convert.
    """

    key: str
    type: str
    format: str | None
    strict: str | None  # anchored regex, valid for both RE2 and Python ``re``
    lenient: str | None
    vector_fn: Callable[[pa.Array], pa.Array]
    scalar_fn: Callable[[str], Any]
    check_fn: Callable[[pa.Array], None] | None = None
    implies: tuple[str, ...] = ()
    _strict_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _lenient_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.strict:
            object.__setattr__(self, "_strict_re", re.compile(self.strict))
        if self.lenient:
            object.__setattr__(self, "_lenient_re", re.compile(self.lenient))

    def check(self, arr: pa.Array) -> None:
        """Raise ConversionError unless every non-null value is strictly of this form."""
        if self.check_fn is not None:
            self.check_fn(arr)
            return
        if self.strict is not None and not all_match(arr, self.strict):
            raise ConversionError(f"not all values match {self.key}")
        self.vector_fn(arr)

    def vector(self, arr: pa.Array, *, trusted: bool = False) -> pa.Array:
        """Convert a whole string array; raise ConversionError if any value fails."""
        if not trusted and self.lenient is not None and not all_match(arr, self.lenient):
            raise ConversionError(f"not all values match {self.key}")
        return self.vector_fn(arr)

    def scalar(self, text: str, *, strict: bool = False) -> Any:
        """Convert one stripped, non-empty value; raise ValueError if it fails."""
        regex = self._strict_re if strict else self._lenient_re
        if regex is not None and regex.fullmatch(text) is None:
            raise ConversionError(text)
        return self.scalar_fn(text)

    def accepts_python(self, values: list[Any]) -> bool:
        """Inference check per value: does every non-empty value parse strictly?"""
        for value in values:
            if value is None:
                continue
            text = value.strip()
            if not text:
                continue
            try:
                self.scalar(text, strict=True)
            except (ValueError, OverflowError):
                return False
        return True

    @property
    def problem(self) -> str:
        suffix = f" ({self.format})" if self.format else ""
        return f"not a valid {self.type}{suffix}"


def _no_leading_zero(arr: pa.Array) -> None:
    """Identifiers like 007 or 0032 (postcodes, phone prefixes) must stay text."""
    if pc.any(pc.match_substring_regex(arr, r"^[+-]?0[0-9]")).as_py():
        raise ConversionError("leading zero")


def _all_finite(arr: pa.Array) -> None:
    """Arrow's float parser accepts nan/inf; city data means text by those."""
    if pc.any(pc.invert(pc.is_finite(arr))).as_py():
        raise ConversionError("not finite")


# --- integer / number --------------------------------------------------------------

INT_STRICT = r"^[+-]?(0|[1-9][0-9]*)$"
INT_LENIENT = r"^[+-]?[0-9]+$"


def _int_vector(arr: pa.Array) -> pa.Array:
    return cast_checked(arr, pa.int64())


def _int_check(arr: pa.Array) -> None:
    # Arrow's integer cast also takes 0x10 and 007; the round trip rejects both
    # (and "+5"), which is exactly the strict pattern, without a regex.
    ints = cast_checked(arr, pa.int64())
    if pc.all(pc.equal(pc.cast(ints, pa.string()), arr)).as_py() is False:
        raise ConversionError("not canonical integers")


def _int_scalar(text: str) -> int:
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ConversionError("integer out of range")
    return value


NUM_POINT_STRICT = r"^[+-]?((0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NUM_POINT_LENIENT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NUM_COMMA_STRICT = r"^[+-]?(0|[1-9][0-9]{0,2}(\.[0-9]{3})+|[1-9][0-9]*)(,[0-9]+)?$"
NUM_COMMA_LENIENT = r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"


def _num_point_vector(arr: pa.Array) -> pa.Array:
    return cast_checked(arr, pa.float64())


def _num_point_check(arr: pa.Array) -> None:
    _all_finite(cast_checked(arr, pa.float64()))
    _no_leading_zero(arr)


def _num_comma_vector(arr: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring(arr, ".")).as_py():
        arr = pc.replace_substring(arr, ".", "")
    return cast_checked(pc.replace_substring(arr, ",", "."), pa.float64())


def _num_comma_check(arr: pa.Array) -> None:
    if pc.any(pc.match_substring(arr, ".")).as_py():
        # dots must be thousands separators: 1.234,5 yes, 12.5 no
        if not all_match(arr, NUM_COMMA_STRICT):
            raise ConversionError("not decimal-comma numbers")
    _all_finite(_num_comma_vector(arr))
    _no_leading_zero(arr)


def _num_comma_scalar(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


# --- boolean -----------------------------------------------------------------------


def _make_bool_vector(true_set: pa.Array, false_set: pa.Array) -> Callable[[pa.Array], pa.Array]:
    def vector(arr: pa.Array) -> pa.Array:
        lower = pc.utf8_lower(arr)
        is_true = pc.is_in(lower, value_set=true_set)
        is_false = pc.is_in(lower, value_set=false_set)
        valid = pc.or_(is_true, is_false)
        if (pc.sum(valid).as_py() or 0) != len(arr) - arr.null_count:
            raise ConversionError("not a boolean")
        return pc.if_else(pc.is_null(arr), pa.scalar(None, pa.bool_()), is_true)

    return vector


def _make_bool_scalar(true_words: Sequence[str], false_words: Sequence[str]) -> Callable[[str], bool]:
    def scalar(text: str) -> bool:
        lower = text.lower()
        if lower in true_words:
            return True
        if lower in false_words:
            return False
        raise ConversionError(text)

    return scalar


# --- geo ---------------------------------------------------------------------------

GEOPOINT_STRICT = (
    r"^\s*[+-]?[0-9]{1,2}(\.[0-9]+)?\s*,\s*[+-]?[0-9]{1,3}(\.[0-9]+)?\s*$"
)
GEOPOINT_LENIENT = r"^\s*[+-]?[0-9.]+\s*,\s*[+-]?[0-9.]+\s*$"
_GEOPOINT_EXTRACT = r"^\s*(?P<lat>[^,\s]+)\s*,\s*(?P<lon>[^,\s]+)\s*$"


def _geopoint_vector(arr: pa.Array) -> pa.Array:
    parts = pc.extract_regex(arr, _GEOPOINT_EXTRACT)
    lat = cast_checked(pc.struct_field(parts, "lat"), pa.float64())
    lon = cast_checked(pc.struct_field(parts, "lon"), pa.float64())
    bad_lat = pc.any(pc.greater(pc.abs(lat), 90.0)).as_py()
    bad_lon = pc.any(pc.greater(pc.abs(lon), 180.0)).as_py()
    if bad_lat or bad_lon:
        raise ConversionError("coordinates out of range")
    return pa.StructArray.from_arrays(
        [lat, lon], fields=list(GEOPOINT_TYPE), mask=pc.is_null(arr)
    )


def _geopoint_scalar(text: str) -> dict[str, float]:
    lat_text, lon_text = text.split(",")
    lat, lon = float(lat_text), float(lon_text)
    if abs(lat) > 90 or abs(lon) > 180:
        raise ConversionError("coordinates out of range")
    return {"lat": lat, "lon": lon}


GEOMETRY_STRICT = (
    r'(?s)^\s*\{.*"type"\s*:\s*"(' + "|".join(GEOMETRY_TYPES) + r')".*\}\s*$'
)


def _geometry_scalar(text: str) -> str:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ConversionError("not JSON") from exc
    problem = check_geometry(value)
    if problem is not None:
        raise ConversionError(problem)
    return text


def _geometry_vector(arr: pa.Array) -> pa.Array:
    for value in arr.to_pylist():
        if value is not None and value.strip():
            _geometry_scalar(value.strip())
    return arr.cast(pa.string())


# --- registry ----------------------------------------------------------------------


def _dmy_date(sep: str) -> Parser:
    fmt = f"%d{sep}%m{sep}%Y"
    return Parser(
        key=f"date:{fmt}",
        type="date",
        format=fmt,
        strict=rf"^[0-9]{{1,2}}\{sep}[0-9]{{1,2}}\{sep}[0-9]{{4}}$",
        lenient=None,
        vector_fn=make_dmy_date_vector(sep),
        scalar_fn=make_strptime_date(fmt),
        check_fn=make_dmy_date_vector(sep),
    )


def _dmy_datetime(sep: str, zone: str) -> Parser:
    fmt = f"%d{sep}%m{sep}%Y %H:%M"
    return Parser(
        key=f"datetime:{fmt}",
        type="datetime",
        format=fmt,
        strict=rf"^[0-9]{{1,2}}\{sep}[0-9]{{1,2}}\{sep}[0-9]{{4}}[ T][0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}})?$",
        lenient=None,
        vector_fn=make_dmy_datetime_vector(sep, zone),
        scalar_fn=make_dmy_datetime_scalar(sep, zone),
        check_fn=make_dmy_datetime_vector(sep, zone),
    )


BOOLEAN = Parser(
    "boolean", "boolean", None, None, None,
    _make_bool_vector(_TRUE_SET, _FALSE_SET), _make_bool_scalar(TRUE_WORDS, FALSE_WORDS),
)
BOOLEAN_01 = Parser(
    "boolean:01", "boolean", None, None, None,
    _make_bool_vector(_TRUE_SET_01, _FALSE_SET_01),
    _make_bool_scalar(TRUE_WORDS + ("1",), FALSE_WORDS + ("0",)),
)
INTEGER = Parser(
    "integer", "integer", None, INT_STRICT, INT_LENIENT, _int_vector, _int_scalar,
    check_fn=_int_check, implies=("number:point", "number:comma"),
)
NUMBER_POINT = Parser(
    "number:point", "number", None, NUM_POINT_STRICT, NUM_POINT_LENIENT, _num_point_vector, float,
    check_fn=_num_point_check,
)
NUMBER_COMMA = Parser(
    "number:comma", "number", "decimal comma", NUM_COMMA_STRICT, NUM_COMMA_LENIENT,
    _num_comma_vector, _num_comma_scalar, check_fn=_num_comma_check,
)
DATE_ISO = Parser(
    "date:%Y-%m-%d", "date", "%Y-%m-%d", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", None,
    date_iso_vector, make_strptime_date("%Y-%m-%d"), check_fn=date_iso_vector,
)
DATE_DMY = tuple(_dmy_date(sep) for sep in "/-.")
DATE_SERIAL = Parser(
    "date:excel", "date", "excel serial", None, NUM_POINT_LENIENT, serial_date_vector,
    lambda text: serial_to_datetime(text).date(),
)


def _date_as_datetime(parser: Parser, zone: str) -> Parser:
    def vector(arr: pa.Array) -> pa.Array:
        return localize(parser.vector(arr).cast(pa.timestamp("us")), zone)

    def scalar(text: str) -> dt.datetime:
        day = parser.scalar(text)
        return localize_scalar(dt.datetime(day.year, day.month, day.day), zone)

    return Parser(
        f"datetime<-{parser.key}", "datetime", parser.format, None, None, vector, scalar
    )


@lru_cache(maxsize=64)
def datetime_parsers(zone: str) -> dict[str, Parser]:
    """Every datetime parser, reading times without an offset as local time of ``zone``.

    Keys are the same for every zone; only the conversion to UTC differs.
    """
    iso = Parser(
        "datetime:iso8601", "datetime", "iso8601", ISO_DATETIME, None,
        make_iso_datetime_vector(zone), make_iso_datetime_scalar(zone), check_fn=iso_datetime_check,
    )
    serial = Parser(
        "datetime:excel", "datetime", "excel serial", None, NUM_POINT_LENIENT,
        make_serial_datetime_vector(zone),
        lambda text: localize_scalar(serial_to_datetime(text), zone),
    )
    parsers = [iso, *(_dmy_datetime(sep, zone) for sep in "/-."), serial,
               *(_date_as_datetime(p, zone) for p in (DATE_ISO, *DATE_DMY))]
    return {p.key: p for p in parsers}


def in_zone(parser: Parser, zone: str) -> Parser:
    """``parser`` reading times without an offset in ``zone`` (other types: itself)."""
    if parser.type != "datetime":
        return parser
    return datetime_parsers(zone)[parser.key]


_LOCAL_DATETIME = datetime_parsers(LOCAL_TZ)
DATETIME_ISO = _LOCAL_DATETIME["datetime:iso8601"]
DATETIME_DMY = tuple(_LOCAL_DATETIME[f"datetime:%d{sep}%m{sep}%Y %H:%M"] for sep in "/-.")
DATETIME_SERIAL = _LOCAL_DATETIME["datetime:excel"]
GEOPOINT = Parser(
    "geopoint", "geopoint", "lat,lon", GEOPOINT_STRICT, GEOPOINT_LENIENT,
    _geopoint_vector, _geopoint_scalar,
)
GEOMETRY = Parser(
    "geometry", "geometry", "geojson", GEOMETRY_STRICT, GEOMETRY_STRICT,
    _geometry_vector, _geometry_scalar,
)

#: Candidates tried by inference, narrowest first.
INFERENCE_ORDER: tuple[Parser, ...] = (
    BOOLEAN,
    INTEGER,
    NUMBER_POINT,
    NUMBER_COMMA,
    DATE_ISO,
    *DATE_DMY,
    DATETIME_ISO,
    *DATETIME_DMY,
    GEOPOINT,
    GEOMETRY,
)
PARSERS: dict[str, Parser] = {
    p.key: p for p in (*INFERENCE_ORDER, BOOLEAN_01, DATE_SERIAL, DATETIME_SERIAL)
}


def parsers_for_override(
    type_: str, inferred: Parser | None, zone: str = LOCAL_TZ
) -> list[Parser]:
    """Every written form accepted when a user forces ``type_`` on a column.

    The inferred form goes first (fast path), then the others; date and datetime
    also accept Excel serial numbers (epoch 1899-12-30), which is how dates arrive
    when a spreadsheet column lost its date formatting. Datetimes without an offset
    are read in ``zone``.
    """
    candidates: list[Parser] = []
    if inferred is not None and inferred.type == type_:
        candidates.append(inferred)
    if type_ == "boolean":
        candidates.append(BOOLEAN_01)
    elif type_ == "integer":
        candidates.append(INTEGER)
    elif type_ == "number":
        candidates += [NUMBER_POINT, NUMBER_COMMA]
    elif type_ == "date":
        candidates += [DATE_ISO, *DATE_DMY, DATE_SERIAL]
    elif type_ == "datetime":
        candidates += list(datetime_parsers(zone).values())
    elif type_ == "geopoint":
        candidates.append(GEOPOINT)
    elif type_ == "geometry":
        candidates.append(GEOMETRY)
    unique: dict[str, Parser] = {}
    for p in candidates:
        unique.setdefault(p.key, p)  # the first candidate of each key, in order
    return [in_zone(p, zone) for p in unique.values()]


@dataclass
class Converted:
    """A converted column; ``bad`` marks values that did not convert (now null)."""

    array: pa.Array
    bad: np.ndarray | None
    problem: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def convert_strings(
    arr: pa.Array, type_: str, parsers: Sequence[Parser], *, trusted: bool = False
) -> Converted:
    """Convert a string array to ``type_`` trying ``parsers`` in order.

    Whole-array vector conversion first; per value in Python only when every
    parser refused the whole array. Bad values become null and are flagged.
    """
    target = ARROW_TYPES[type_]
    problem = parsers[0].problem if len(parsers) == 1 else f"not a valid {type_}"
    code = type_code(type_)
    params: dict[str, Any] = {"type": type_}
    if len(parsers) == 1 and parsers[0].format:
        params["format"] = parsers[0].format
    if arr.null_count == len(arr):
        return Converted(pa.nulls(len(arr), target), None, problem, code, params)
    for parser in parsers:
        try:
            return Converted(parser.vector(arr, trusted=trusted).cast(target), None, problem, code,
                             params)
        except ConversionError:
            continue
    values = arr.to_pylist()
    out: list[Any] = [None] * len(values)
    bad = np.zeros(len(values), dtype=bool)
    for index, value in enumerate(values):
        if value is None:
            continue
        text = value.strip()
        if not text:
            continue
        for parser in parsers:
            try:
                out[index] = parser.scalar(text)
                break
            except (ValueError, OverflowError):
                continue
        else:
            bad[index] = True
    return Converted(pa.array(out, type=target), bad if bad.any() else None, problem, code, params)
