"""Dates and datetimes: ISO 8601, day-first forms (31/12/2024), Excel serial numbers,
and the rule that a time without an offset is Ghent local time (Europe/Brussels),
stored in UTC. Part of the converters in ``belfort.ingest.convert``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from belfort.ingest.kernels import ConversionError, all_match, cast_checked

LOCAL_TZ = "Europe/Brussels"
_LOCAL = ZoneInfo(LOCAL_TZ)
_UTC = dt.timezone.utc
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_EPOCH_DAYS = -25569  # 1899-12-30 relative to 1970-01-01
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def localize(naive: pa.Array) -> pa.Array:
    """Naive local (Brussels) timestamps → UTC.

    Ambiguous autumn times take the earlier (summer-time) instant; times in the
    spring-forward gap move to the first valid instant after it.
    """
    if naive.null_count == len(naive):
        return pa.nulls(len(naive), UTC_TIMESTAMP)
    local = pc.assume_timezone(naive, LOCAL_TZ, ambiguous="earliest", nonexistent="latest")
    return local.cast(UTC_TIMESTAMP)


def localize_scalar(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_LOCAL)
    return value.astimezone(_UTC)



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


def iso_datetime_vector(arr: pa.Array) -> pa.Array:
    naive, aware, has_tz = _iso_parts(arr)
    local = localize(naive)
    if has_tz is None:
        return local
    return pc.if_else(has_tz, aware, local)


def iso_datetime_scalar(text: str) -> dt.datetime:
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return localize_scalar(dt.datetime.fromisoformat(text.replace(",", ".")))


def make_dmy_datetime_vector(sep: str) -> Callable[[pa.Array], pa.Array]:
    formats = (f"%d{sep}%m{sep}%Y %H:%M:%S", f"%d{sep}%m{sep}%Y %H:%M")

    def vector(arr: pa.Array) -> pa.Array:
        return localize(_strptime_checked(arr, formats, (16, 19)))

    return vector


def make_dmy_datetime_scalar(sep: str) -> Callable[[str], dt.datetime]:
    formats = (f"%d{sep}%m{sep}%Y %H:%M:%S", f"%d{sep}%m{sep}%Y %H:%M")

    def scalar(text: str) -> dt.datetime:
        text = text.replace("T", " ")
        for fmt in formats:
            try:
                return localize_scalar(dt.datetime.strptime(text, fmt))
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


def serial_datetime_vector(arr: pa.Array) -> pa.Array:
    days = _serial_days(arr)
    micros = pc.round(pc.multiply(pc.add(days, _EXCEL_EPOCH_DAYS), 86_400_000_000.0))
    return localize(cast_checked(micros, pa.int64()).cast(pa.timestamp("us")))


def serial_to_datetime(text: str) -> dt.datetime:
    value = float(text)
    if not 1 <= value <= _EXCEL_MAX_SERIAL:
        raise ConversionError("Excel serial out of range")
    return EXCEL_EPOCH + dt.timedelta(days=value)

