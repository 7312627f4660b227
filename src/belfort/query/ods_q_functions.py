"""``#function`` calls of the Opendatasoft v1 ``q`` language.

A mixin of the parser in ``belfort.query.ods_q``: ``parse_function`` is called when
``#name(`` starts a term and returns a filter; ``compute_now`` gives the moment that
``#now(…)`` names when it is a field query's value. The date values (``_parse_period``)
live here too and are shared with the field queries of ``ods_q``.

    #null(f)  #exact(f,"v")  #startswith(f,"v")
    #distance("lat,lon",m)  #distance(f,"lat,lon",m)  #distance(f,lat,lon,m)
    #polygon(f,"(lat,lon),(lat,lon),(lat,lon)")  #now(days=-7, weekday=MO)
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from belfort.query.compiler import MAX_POLYGON_POINTS, like_escape
from belfort.query.model import (
    Compare,
    Expr,
    FieldRef,
    InPolygon,
    IsNull,
    Like,
    Literal,
    WithinDistance,
)

TEMPORAL = {"date", "datetime"}

_INTEGER = re.compile(r"[+-]?\d+")
_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})[/-](\d{1,2})")
_DAY = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")
_DATETIME = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})[T ](\S+)")
_POINT = r"\(\s*[^(),\s]+\s*,\s*[^(),\s]+\s*\)"
_POLYGON = re.compile(rf"\s*{_POINT}(?:\s*,\s*{_POINT})*\s*")
_POINT_PARTS = re.compile(r"\(\s*([^(),\s]+)\s*,\s*([^(),\s]+)\s*\)")
_WEEKDAY = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)(?:\(\s*([+-]?\d+)\s*\))?", re.IGNORECASE)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NOW_RELATIVE = ("years", "months", "weeks", "days", "hours", "minutes", "seconds", "microseconds")
_NOW_ABSOLUTE = ("year", "month", "day", "hour", "minute", "second", "microsecond")

if TYPE_CHECKING:
    from belfort.query.ods_q import QSyntaxError


@dataclass(frozen=True)
class _Period:
    """A date value: [start, end) for YYYY, YYYY/MM, YYYY/MM/DD; end None for an instant."""

    start: date | datetime
    end: date | datetime | None
    day: bool = False


@dataclass(frozen=True)
class _Arg:
    text: str
    quoted: bool
    position: int


class FunctionCalls:
    """Reads ``#function(…)`` calls; mixed into the ``q`` parser.

    Uses the parser's cursor (``s``, ``i``), its ``names``, ``types`` and ``now``, and
    its ``error``, ``skip_ws``, ``at_end``, ``read_double_quoted`` and ``number``.
    """

    if TYPE_CHECKING:  # what the parser (``belfort.query.ods_q._Parser``) provides
        s: str
        i: int
        names: set[str]
        types: dict[str, str]
        now: datetime

        def error(self, reason: str, position: int | None = None) -> QSyntaxError: ...
        def skip_ws(self) -> None: ...
        def at_end(self) -> bool: ...
        def read_double_quoted(self) -> str: ...
        def number(self, text: str, position: int) -> int | float: ...

    def read_args(self, name: str, start: int) -> list[_Arg]:
        """Comma-separated arguments after '('; consumes the ')'."""
        args: list[_Arg] = []
        while True:
            self.skip_ws()
            if self.at_end():
                raise self.error(f"#{name}( is never closed", start)
            if self.s[self.i] == ")" and not args:
                self.i += 1
                return args
            at = self.i
            char = self.s[at]
            if char in "\"'":
                if char == '"':
                    text = self.read_double_quoted()
                else:
                    closing = self.s.find("'", at + 1)
                    if closing < 0:
                        raise self.error("unterminated quote", at)
                    text = self.s[at + 1:closing]
                    self.i = closing + 1
                args.append(_Arg(text, True, at))
            else:
                j, nesting = at, 0
                while j < len(self.s):
                    c = self.s[j]
                    if c == "(":
                        nesting += 1
                    elif c == ")":
                        if nesting == 0:
                            break
                        nesting -= 1
                    elif c == "," and nesting == 0:
                        break
                    j += 1
                text = self.s[at:j].strip()
                if not text:
                    raise self.error(f"#{name}() has an empty argument", at)
                self.i = j
                args.append(_Arg(text, False, at))
            self.skip_ws()
            if self.at_end():
                raise self.error(f"#{name}( is never closed", start)
            if self.s[self.i] == ")":
                self.i += 1
                return args
            if self.s[self.i] != ",":
                raise self.error(f"',' or ')' expected in #{name}(…)")
            self.i += 1

    def field_arg(self, arg: _Arg) -> str:
        if arg.text not in self.names:
            raise self.error(f"unknown field {arg.text[:100]!r}", arg.position)
        return arg.text

    def parse_function(self, match: re.Match[str]) -> Expr:
        start = match.start()
        name = match.group(1).lower()
        self.i = match.end()
        args = self.read_args(match.group(1), start)
        if name == "null":
            if len(args) != 1:
                raise self.error("#null(field) takes one field", start)
            return IsNull(FieldRef(self.field_arg(args[0])))
        if name == "exact":
            if len(args) != 2:
                raise self.error('#exact(field, "value") takes a field and a value', start)
            field = self.field_arg(args[0])
            kind = self.types.get(field)
            if kind in TEMPORAL:
                period = _parse_period(args[1].text, allow_year=False)
                if period is not None:
                    return Compare("=", FieldRef(field), Literal(period.start))
            return Compare("=", FieldRef(field), Literal(args[1].text))
        if name == "startswith":
            if len(args) != 2:
                raise self.error('#startswith(field, "text") takes a field and a text', start)
            field = self.field_arg(args[0])
            return Like(FieldRef(field), like_escape(args[1].text) + "%")
        if name == "distance":
            return self.distance(args, start)
        if name == "polygon":
            return self.polygon(args, start)
        if name == "now":
            raise self.error("#now() is a value: compare a field with it, e.g. date>=#now(days=-7)", start)
        if name == "attr":
            raise self.error("#attr() (SAML attributes) is not supported", start)
        raise self.error(f"unknown function #{match.group(1)[:50]}()", start)

    def geo_field(self, position: int) -> str:
        geo = [name for name, kind in self.types.items() if kind == "geopoint" and name in self.names]
        if len(geo) != 1:
            raise self.error("name the geopoint field: #distance(field, \"lat,lon\", metres)", position)
        return geo[0]

    def distance(self, args: list[_Arg], start: int) -> Expr:
        usage = '#distance(field, "lat,lon", metres)'
        if args and not args[0].quoted and args[0].text in self.names:
            field, rest = args[0].text, args[1:]
        else:
            field, rest = "", args
        parts = [(piece.strip(), arg.position) for arg in rest for piece in arg.text.split(",")]
        if len(parts) != 3:
            raise self.error(f"{usage} needs a point and a distance", start)
        if not field:
            field = self.geo_field(start)
        lat = self.coordinate(parts[0], 90, "latitude")
        lon = self.coordinate(parts[1], 180, "longitude")
        text, position = parts[2]
        factor = 1.0
        lowered = text.lower()
        for unit, multiplier in (("km", 1000.0), ("m", 1.0)):
            if lowered.endswith(unit):
                text, factor = text[: -len(unit)].strip(), multiplier
                break
        meters = float(self.number(text, position)) * factor
        if meters < 0 or not math.isfinite(meters):
            raise self.error("the distance must be a positive number of metres", position)
        return WithinDistance(field, lat, lon, meters)

    def coordinate(self, part: tuple[str, int], limit: int, what: str) -> float:
        text, position = part
        value = float(self.number(text, position))
        if abs(value) > limit:
            raise self.error(f"invalid {what} {text[:30]!r}", position)
        return value

    def polygon(self, args: list[_Arg], start: int) -> Expr:
        if len(args) == 2:
            field, points = self.field_arg(args[0]), args[1]
        elif len(args) == 1:
            field, points = self.geo_field(start), args[0]
        else:
            raise self.error('#polygon(field, "(lat,lon),(lat,lon),(lat,lon)") takes a field and points', start)
        text = points.text.strip()
        if text.startswith("((") and text.endswith("))"):
            text = text[1:-1]
        if not _POLYGON.fullmatch(text):
            raise self.error('polygon points are written "(lat,lon),(lat,lon),(lat,lon)"', points.position)
        pairs = _POINT_PARTS.findall(text)
        if not 3 <= len(pairs) <= MAX_POLYGON_POINTS:
            raise self.error(f"a polygon needs 3 to {MAX_POLYGON_POINTS} points", points.position)
        return InPolygon(field, tuple(
            (self.coordinate((a, points.position), 90, "latitude"),
             self.coordinate((b, points.position), 180, "longitude"))
            for a, b in pairs
        ))

    def compute_now(self, args: list[_Arg]) -> datetime:
        """``#now(…)`` with python-dateutil ``relativedelta`` semantics, as Opendatasoft."""
        relative: dict[str, float] = {}
        absolute: dict[str, int] = {}
        weekday: tuple[int, int] | None = None
        for arg in args:
            key, sep, raw = arg.text.partition("=")
            key, raw = key.strip().lower(), raw.strip()
            if not sep or arg.quoted:
                raise self.error("#now() takes name=value arguments, e.g. #now(days=-1)", arg.position)
            if key in relative or key in absolute or (key == "weekday" and weekday is not None):
                raise self.error(f"#now() got {key} twice", arg.position)
            if key == "weekday":
                weekday = self.weekday(raw, arg.position)
            elif key in _NOW_RELATIVE:
                value = self.number(raw, arg.position)
                if key in {"years", "months"} and not isinstance(value, int):
                    raise self.error(f"{key} must be a whole number", arg.position)
                relative[key] = value
            elif key in _NOW_ABSOLUTE:
                value = self.number(raw, arg.position)
                if not isinstance(value, int):
                    raise self.error(f"{key} must be a whole number", arg.position)
                absolute[key] = value
            else:
                raise self.error(f"#now() has no parameter {key[:30]!r}", arg.position)
        try:
            base = self.now
            months = (absolute.get("year", base.year) + int(relative.get("years", 0))) * 12 + (
                absolute.get("month", base.month) - 1) + int(relative.get("months", 0))
            if not 1 <= absolute.get("month", 1) <= 12 or absolute.get("day", 1) < 1:
                raise ValueError
            year, month = divmod(months, 12)
            month += 1
            day = min(calendar.monthrange(year, month)[1], absolute.get("day", base.day))
            moment = base.replace(year=year, month=month, day=day, hour=absolute.get("hour", base.hour),
                                  minute=absolute.get("minute", base.minute),
                                  second=absolute.get("second", base.second),
                                  microsecond=absolute.get("microsecond", base.microsecond))
            moment += timedelta(**{key: relative[key] for key in _NOW_RELATIVE[2:] if key in relative})
            if weekday is not None:
                target, nth = weekday
                jump = (abs(nth) - 1) * 7
                if nth > 0:
                    jump += (7 - moment.weekday() + target) % 7
                else:
                    jump = -(jump + (moment.weekday() - target) % 7)
                moment += timedelta(days=jump)
        except (ValueError, OverflowError, calendar.IllegalMonthError):
            raise self.error("#now(…) gives a date out of range", args[0].position if args else self.i) from None
        return moment

    def weekday(self, raw: str, position: int) -> tuple[int, int]:
        if _INTEGER.fullmatch(raw) and len(raw) < 4 and 0 <= int(raw) <= 6:
            return int(raw), 1
        match = _WEEKDAY.fullmatch(raw)
        if not match or match.group(2) == "0" or (match.group(2) and len(match.group(2)) > 4):
            raise self.error("weekday is 0–6 (0 is Monday) or MO…SU, optionally MO(2)", position)
        return _WEEKDAYS.index(match.group(1).upper()), int(match.group(2) or 1)


# -- values ---------------------------------------------------------------------------


def _parse_period(text: str, *, allow_year: bool) -> _Period | None:
    try:
        if allow_year and (m := _YEAR.fullmatch(text)):
            year = int(m.group(1))
            return _Period(date(year, 1, 1), date(year + 1, 1, 1))
        if m := _MONTH.fullmatch(text):
            year, month = int(m.group(1)), int(m.group(2))
            start = date(year, month, 1)
            return _Period(start, date(year + month // 12, month % 12 + 1, 1))
        if m := _DAY.fullmatch(text):
            start = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return _Period(start, start + timedelta(days=1), day=True)
        if m := _DATETIME.fullmatch(text):
            year_text, month_text, day_text, time = m.groups()
            moment = datetime.fromisoformat(
                f"{year_text}-{int(month_text):02d}-{int(day_text):02d}T{time.replace('Z', '+00:00')}")
            return _Period(moment, None)
    except (ValueError, OverflowError):
        return None
    return None
