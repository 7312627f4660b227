"""Dates and datetimes: ISO 8601, day-first forms (31/12/2024), Excel serial numbers,
and the rule that a time without an offset is local time of the source's zone (the
dataset's ``timezone``; Ghent's Europe/Brussels unless it says otherwise), stored in UTC.
Part of the converters in ``belfort.ingest.convert``.

Daylight-saving edges, the same on the vectorised and the per-value path:

* a local time that happens twice (autumn, 02:30 on 2024-10-27 in Brussels) is the
  earlier instant, still in summer time (00:30 UTC);
* a local time that does not exist (spring, 02:30 on 2024-03-31 in Brussels) is the
  first instant after the gap, 03:00 summer time (01:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from belfort.errors import InvalidRequest
from belfort.ingest.kernels import ConversionError, all_match, cast_checked

LOCAL_TZ = "Europe/Brussels"
_UTC = dt.timezone.utc
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_EPOCH_DAYS = -25569  # 1899-12-30 relative to 1970-01-01
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name: str) -> None:
    """InvalidRequest unless ``name`` is a time zone both zoneinfo and Arrow know."""
    try:
        if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        _zone(name)
        pc.assume_timezone(pa.array([0], pa.timestamp("us")), name)
    except (ValueError, KeyError, OSError, pa.ArrowException):  # ZoneInfoNotFoundError: KeyError
        raise InvalidRequest(
            f"unknown time zone {str(name)[:64]!r}; use an IANA name such as Europe/Brussels"
        ) from None


def localize(naive: pa.Array, zone: str = LOCAL_TZ) -> pa.Array:
    """Naive local timestamps of ``zone`` → UTC (DST edges: see the module docstring)."""
    if naive.null_count == len(naive):
        return pa.nulls(len(naive), UTC_TIMESTAMP)
    local = pc.assume_timezone(naive, zone, ambiguous="earliest", nonexistent="latest")
    return local.cast(UTC_TIMESTAMP)


def localize_scalar(value: dt.datetime, zone: str = LOCAL_TZ) -> dt.datetime:
    """One value as :func:`localize` converts it; values with an offset keep their instant."""
    if value.tzinfo is not None:
        return value.astimezone(_UTC)
    tz = _zone(zone)
    instant = value.replace(tzinfo=tz, fold=0).astimezone(_UTC)  # fold=0: the earlier of two
    if instant.astimezone(tz).replace(tzinfo=None) == value:
        return instant
    # In a spring-forward gap: the same rule as the vectorised path, from the same kernel.
    naive = pa.array([value], pa.timestamp("us"))
    result: dt.datetime = localize(naive, zone)[0].as_py()
    return result


def date_iso_vector(arr: pa.Array) -> pa.Array:
    return cast_checked(arr, pa.date32())


def _strptime_checked(arr: pa.Array, formats: Sequence[str], lengths: Sequence[int]) -> pa.Array:
    """Day-first parsing with Arrow's strptime, made strict.

    Arrow's strptime is lenient about the day (31/02 becomes 2 March), so the fast
    path only takes zero-padded values (fixed lengths) and checks that the parsed
    day equals the first two characters. Anything else falls back to Python.
    """
    length = pc.utf8_length(arr)
    valid_length = pc.is_in(length, value_set=pa.array(list(lengths), pa.int32()))
    if (pc.sum(valid_length).as_py() or 0) != len(arr) - arr.null_count:
        raise ConversionError("not zero-padded")
    parsed = None
    for fmt in formats:
        try:
            # raising is much cheaper than error_is_null when the data is clean
            candidate = pc.strptime(arr, format=fmt, unit="us", error_is_null=len(formats) > 1)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ConversionError(str(exc)) from exc
        parsed = candidate if parsed is None else pc.coalesce(parsed, candidate)
        if parsed.null_count == arr.null_count:
            break
    assert parsed is not None
    if parsed.null_count != arr.null_count:
        raise ConversionError("does not parse")
    day = cast_checked(pc.utf8_slice_codeunits(arr, 0, 2), pa.int64())
    if pc.all(pc.equal(pc.day(parsed), day)).as_py() is False:
        raise ConversionError("day out of range for month")
    return parsed


def make_dmy_date_vector(sep: str) -> Callable[[pa.Array], pa.Array]:
    fmt = f"%d{sep}%m{sep}%Y"

    def vector(arr: pa.Array) -> pa.Array:
        return _strptime_checked(arr, (fmt,), (10,)).cast(pa.date32())

    return vector


def make_strptime_date(fmt: str) -> Callable[[str], dt.date]:
    def scalar(text: str) -> dt.date:
        return dt.datetime.strptime(text, fmt).date()

    return scalar


# The time part is optional so that a column mixing dates and date-times (Excel
# renders midnight without a time) is a datetime column; a column of dates only
# is still a date column, because date is tried first.
ISO_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$"
)
_TZ_SUFFIX = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def _iso_parts(arr: pa.Array) -> tuple[pa.Array | None, pa.Array | None, pa.Array | None]:
    """(naive, aware, has_tz): parse ISO text with and without offsets."""
    try:
        return pc.cast(arr, pa.timestamp("us")), None, None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if not all_match(arr, ISO_DATETIME):
        raise ConversionError("not ISO 8601")
    has_tz = pc.match_substring_regex(arr, _TZ_SUFFIX)
    null_text = pa.scalar(None, pa.string())
    naive = cast_checked(pc.if_else(has_tz, null_text, arr), pa.timestamp("us"))
    aware = cast_checked(pc.if_else(has_tz, arr, null_text), UTC_TIMESTAMP)
    return naive, aware, has_tz


def iso_datetime_check(arr: pa.Array) -> None:
    naive, _, _ = _iso_parts(arr)
    if naive is not None and len(arr) and not all_match(arr.slice(0, 64), ISO_DATETIME):
        raise ConversionError("not ISO 8601")


def make_iso_datetime_vector(zone: str = LOCAL_TZ) -> Callable[[pa.Array], pa.Array]:
    def vector(arr: pa.Array) -> pa.Array:
        naive, aware, has_tz = _iso_parts(arr)
        local = localize(naive, zone)
        if has_tz is None:
            return local
        return pc.if_else(has_tz, aware, local)

    return vector


def make_iso_datetime_scalar(zone: str = LOCAL_TZ) -> Callable[[str], dt.datetime]:
    def scalar(text: str) -> dt.datetime:
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        return localize_scalar(dt.datetime.fromisoformat(text.replace(",", ".")), zone)

    return scalar


def make_dmy_datetime_vector(sep: str, zone: str = LOCAL_TZ) -> Callable[[pa.Array], pa.Array]:
    formats = (f"%d{sep}%m{sep}%Y %H:%M:%S", f"%d{sep}%m{sep}%Y %H:%M")

    def vector(arr: pa.Array) -> pa.Array:
        return localize(_strptime_checked(arr, formats, (16, 19)), zone)

    return vector


def make_dmy_datetime_scalar(sep: str, zone: str = LOCAL_TZ) -> Callable[[str], dt.datetime]:
    formats = (f"%d{sep}%m{sep}%Y %H:%M:%S", f"%d{sep}%m{sep}%Y %H:%M")

    def scalar(text: str) -> dt.datetime:
        text = text.replace("T", " ")
        for fmt in formats:
            try:
                return localize_scalar(dt.datetime.strptime(text, fmt), zone)
            except ValueError:
                continue
        raise ConversionError(text)

    return scalar


# --- Excel serial dates (only through overrides) -----------------------------------


def _serial_days(arr: pa.Array) -> pa.Array:
    numbers = cast_checked(arr, pa.float64())
    low = pc.min(numbers).as_py()
    high = pc.max(numbers).as_py()
    if low is not None and (low < 1 or high > _EXCEL_MAX_SERIAL):
        raise ConversionError("Excel serial out of range")
    return numbers


def serial_date_vector(arr: pa.Array) -> pa.Array:
    days = pc.floor(_serial_days(arr))
    as_int = cast_checked(pc.add(days, _EXCEL_EPOCH_DAYS), pa.int32())
    return as_int.cast(pa.date32())


def make_serial_datetime_vector(zone: str = LOCAL_TZ) -> Callable[[pa.Array], pa.Array]:
    def vector(arr: pa.Array) -> pa.Array:
        days = _serial_days(arr)
        micros = pc.round(pc.multiply(pc.add(days, _EXCEL_EPOCH_DAYS), 86_400_000_000.0))
        return localize(cast_checked(micros, pa.int64()).cast(pa.timestamp("us")), zone)

    return vector


def serial_to_datetime(text: str) -> dt.datetime:
    value = float(text)
    if not 1 <= value <= _EXCEL_MAX_SERIAL:
        raise ConversionError("Excel serial out of range")
    return EXCEL_EPOCH + dt.timedelta(days=value)

