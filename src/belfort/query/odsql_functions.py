"""Function calls of ODSQL: aggregates, scalar functions, search and geographic filters.

A mixin of the parser in ``belfort.query.odsql``: each ``fn_<name>`` method is called
after ``name(`` has been read and consumes the arguments up to and including ``)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, TypeGuard

from belfort.query.compiler import AGGREGATES, SCALAR_FUNCTIONS
from belfort.query.model import (
    Aggregate,
    Expr,
    FieldRef,
    Function,
    InBBox,
    InPolygon,
    Literal,
    Not,
    Or,
    Search,
    WithinDistance,
)
from belfort.query.odsql_geo import Geometry, GeometryError, parse_geometry
from belfort.query.odsql_lexer import Token

if TYPE_CHECKING:
    from belfort.query.odsql_lexer import ODSQLError

OPERATOR_WORDS = {"and", "or", "not", "in", "is", "like", "as", "asc", "desc", "distinct", "null",
                  "true", "false"}  # never a bare field name (back-quote them: `not`)
INTERSECTS_POINT_METERS = 1.0  # intersects(geo_point_field, geom'POINT(…)'): "at that point"
DISTANCE_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01,
                  "mm": 0.001}
FUNCTION_ARITY: dict[str, tuple[int, int]] = {  # scalar functions: (min, max) arguments
    **{name: (1, 1) for name in SCALAR_FUNCTIONS},
    "round": (1, 2),
    "ifnull": (2, 8),
}
GEO_RELATIONS = {"intersects", "within", "disjoint", "polygon"}
UNSUPPORTED = {
    "envelope": "the envelope() aggregate",
    "include": "include() in select",
    "exclude": "exclude() in select",
    "random": "random()",
    "geometry_type": "geometry_type()",
}


class FunctionCalls:
    """Parses the arguments of function calls; mixed into the ODSQL parser."""

    if TYPE_CHECKING:  # what the parser (``belfort.query.odsql._Parser``) provides
        clause: str
        allow_aggregates: bool
        in_aggregate: bool

        def peek(self, k: int = 0) -> Token: ...
        def advance(self) -> Token: ...
        def at_op(self, value: str) -> bool: ...
        def error(self, problem: str, tok: Token | int, hint: str | None = None) -> ODSQLError: ...
        def unexpected(self, tok: Token, expected: str) -> ODSQLError: ...
        def expect_op(self, value: str, expected: str | None = None) -> Token: ...
        def expr(self, min_bp: int = 0) -> Expr: ...
        def value(self, expr: Expr, start: Token) -> Expr: ...
        def number(self, tok: Token) -> int | float: ...

    def call(self, name_tok: Token) -> Expr:
        name = name_tok.keyword or ""
        self.advance()  # name
        self.advance()  # (
        if name in AGGREGATES:
            return self.aggregate(name, name_tok)
        if name in UNSUPPORTED:
            raise self.error(f"{UNSUPPORTED[name]} is not supported yet", name_tok)
        handler = getattr(self, f"fn_{name}", None)
        if handler is not None:
            called: Expr = handler(name_tok)
            return called
        if name in GEO_RELATIONS:
            return self.geo_relation(name, name_tok)
        if name in FUNCTION_ARITY:
            low, high = FUNCTION_ARITY[name]
            args = self.arguments(name_tok)
            if not low <= len(args) <= high:
                count = str(low) if low == high else f"{low} to {high}"
                raise self.error(f"{name}() takes {count} argument{'s' * (high > 1)}", name_tok,
                                 f"got {len(args)}")
            return Function(name, tuple(args))
        known = sorted({*FUNCTION_ARITY, *AGGREGATES, "date_format", "range", "now", "distance",
                        "within_distance", "in_bbox", "search", "suggest", "startswith",
                        *GEO_RELATIONS})
        raise self.error(f"Unknown function {name_tok.value[:40]}()", name_tok,
                         "known functions: " + ", ".join(known))

    def arguments(self, name_tok: Token) -> list[Expr]:
        """Comma-separated value arguments up to the closing parenthesis."""
        args: list[Expr] = []
        if self.at_op(")"):
            self.advance()
            return args
        while True:
            start = self.peek()
            args.append(self.value(self.expr(), start))
            if len(args) > 20:
                raise self.error("Too many arguments", start)
            if self.at_op(","):
                self.advance()
                continue
            self.expect_op(")", f"a comma or ) to close {name_tok.value[:40]}(")
            return args

    def close(self, name_tok: Token) -> None:
        self.expect_op(")", f") to close {name_tok.value[:40]}(")

    def comma(self, what: str) -> None:
        self.expect_op(",", f"a comma, then {what}")

    def aggregate(self, name: str, name_tok: Token) -> Expr:
        if not self.allow_aggregates:
            raise self.error(f"Aggregate {name}() is not allowed in {self.clause}", name_tok,
                             "aggregates belong in select and order_by")
        if self.in_aggregate:
            raise self.error(f"Aggregate {name}() inside another aggregate", name_tok)
        if name == "count" and self.at_op("*"):
            self.advance()
            self.close(name_tok)
            return Aggregate("count")
        distinct = False
        if self.peek().keyword == "distinct":
            self.advance()
            distinct = True
        self.in_aggregate = True
        try:
            start = self.peek()
            arg = self.value(self.expr(), start)
        finally:
            self.in_aggregate = False
        param: float | None = None
        if name == "percentile":
            self.comma("the percentile (0 to 100)")
            tok = self.peek()
            param = float(self.signed_number())
            if not 0 <= param <= 100:
                raise self.error("Percentile out of range", tok, "expected a number from 0 to 100")
        self.close(name_tok)
        return Aggregate(name, arg, distinct=distinct, param=param)

    def signed_number(self) -> int | float:
        sign = 1
        if self.at_op("-") or self.at_op("+"):
            sign = -1 if self.advance().value == "-" else 1
        tok = self.peek()
        if tok.kind != "NUM":
            raise self.unexpected(tok, "a number")
        self.advance()
        return sign * self.number(tok)

    def field_arg(self, what: str = "a field name") -> str:
        tok = self.peek()
        if tok.kind == "QIDENT" or (tok.kind == "IDENT" and tok.keyword not in OPERATOR_WORDS
                                    and not (self.peek(1).kind == "OP" and self.peek(1).value == "(")):
            self.advance()
            return tok.value
        raise self.unexpected(tok, what)

    def string_arg(self, what: str) -> str:
        tok = self.peek()
        if tok.kind != "STR":
            raise self.unexpected(tok, what)
        self.advance()
        return tok.value

    def geometry_arg(self) -> tuple[Geometry, Token]:
        tok = self.peek()
        if tok.kind != "GEOM":
            raise self.unexpected(tok, "a geometry literal such as geom'POINT(3.7174 51.0543)'")
        self.advance()
        try:
            return parse_geometry(tok.value), tok
        except GeometryError as e:
            raise self.error("Invalid geometry literal", tok, str(e)) from None

    def point_arg(self) -> tuple[float, float]:
        geometry, tok = self.geometry_arg()
        if geometry.point is None:
            raise self.error("Expected a point", tok, "use geom'POINT(longitude latitude)'")
        return geometry.point

    def distance_arg(self) -> float:
        tok = self.peek()
        meters = float(self.signed_number())
        unit_tok = self.peek()
        if unit_tok.kind == "IDENT" and unit_tok.keyword not in OPERATOR_WORDS:
            unit = unit_tok.value.lower()
            if unit not in DISTANCE_UNITS:
                raise self.error(f"Unknown distance unit {unit_tok.value[:20]!r}", unit_tok,
                                 "use m, km, mi, yd, ft, cm or mm")
            self.advance()
            meters *= DISTANCE_UNITS[unit]
        if meters < 0 or not math.isfinite(meters):
            raise self.error("Invalid distance", tok, "expected a positive distance such as 500m")
        return meters

    # each fn_<name> is called after "name(" and consumes up to and including ")"

    def fn_search(self, name_tok: Token) -> Expr:
        fields: list[str] = []
        while self.peek().kind != "STR":
            fields.append(self.field_arg('a field name or the quoted text to search for'))
            self.comma("more fields or the quoted text")
        text = self.string_arg("the quoted text to search for")
        self.close(name_tok)
        return _search(text, tuple(fields))

    fn_suggest = fn_search

    def fn_startswith(self, name_tok: Token) -> Expr:
        fields: list[str] = []
        while self.peek().kind != "STR":
            fields.append(self.field_arg('a field name or the quoted prefix'))
            self.comma("more fields or the quoted prefix")
        prefix = self.string_arg("the quoted prefix")
        self.close(name_tok)
        if not fields:
            raise self.error("startswith() over all fields is not supported yet", name_tok,
                             'name the field: startswith(field, "prefix")')
        items = [Function("startswith", (FieldRef(f), Literal(prefix))) for f in fields]
        return items[0] if len(items) == 1 else Or(tuple(items))

    def fn_within_distance(self, name_tok: Token) -> Expr:
        field = self.field_arg("a geo field name")
        self.comma("the centre as geom'POINT(longitude latitude)'")
        lat, lon = self.point_arg()
        self.comma("a distance such as 500m or 2km")
        meters = self.distance_arg()
        self.close(name_tok)
        return WithinDistance(field, lat, lon, meters)

    def fn_distance(self, name_tok: Token) -> Expr:
        """``distance(geo, geom'POINT(…)')`` is the distance in metres (select, order_by);
        with a third argument it is the older spelling of within_distance()."""
        field = self.field_arg("a geo field name")
        self.comma("a point as geom'POINT(longitude latitude)'")
        lat, lon = self.point_arg()
        if self.at_op(","):
            self.advance()
            meters = self.distance_arg()
            self.close(name_tok)
            return WithinDistance(field, lat, lon, meters)
        self.close(name_tok)
        return Function("distance", (FieldRef(field), Literal(lat), Literal(lon)))

    def fn_in_bbox(self, name_tok: Token) -> Expr:
        field = self.field_arg("a geo field name")
        corners: list[float] = []
        for what in ("lat1", "lon1", "lat2", "lon2"):
            self.comma(f"the {what} coordinate")
            corners.append(float(self.signed_number()))
        self.close(name_tok)
        return InBBox(field, *corners)

    def fn_geometry(self, name_tok: Token) -> Expr:
        """The older ``geometry(field, geom'…', INTERSECT|WITHIN|DISJOINT)``."""
        field = self.field_arg("a geo field name")
        self.comma("a geometry literal")
        geometry, geom_tok = self.geometry_arg()
        self.comma("INTERSECTS, WITHIN or DISJOINT")
        mode_tok = self.peek()
        mode = (mode_tok.keyword or "").rstrip("s")
        if mode not in {"intersect", "within", "disjoint"}:
            raise self.unexpected(mode_tok, "INTERSECTS, WITHIN or DISJOINT")
        self.advance()
        self.close(name_tok)
        return self.relation({"intersect": "intersects"}.get(mode, mode), field, geometry, geom_tok)

    def geo_relation(self, name: str, name_tok: Token) -> Expr:
        field = self.field_arg("a geo field name")
        self.comma("a geometry literal")
        geometry, geom_tok = self.geometry_arg()
        self.close(name_tok)
        return self.relation(name, field, geometry, geom_tok)

    def relation(self, name: str, field: str, geometry: Geometry, geom_tok: Token) -> Expr:
        if geometry.point is not None:
            if name == "polygon":
                raise self.error("polygon() needs a polygon", geom_tok)
            lat, lon = geometry.point
            node: Expr = WithinDistance(field, lat, lon, INTERSECTS_POINT_METERS)
        else:
            parts = [InPolygon(field, ring) for ring in geometry.polygons]
            node = parts[0] if len(parts) == 1 else Or(tuple(parts))
        return Not(node) if name == "disjoint" else node

    def fn_bbox(self, name_tok: Token) -> Expr:
        """The older ``bbox(field, geom'POINT(…)', geom'POINT(…)')`` filter (two corners)."""
        if self.peek(1).kind == "OP" and self.peek(1).value == ")":
            raise self.error("the bbox() aggregate is not supported yet", name_tok)
        field = self.field_arg("a geo field name")
        self.comma("the first corner as geom'POINT(longitude latitude)'")
        lat1, lon1 = self.point_arg()
        self.comma("the second corner as geom'POINT(longitude latitude)'")
        lat2, lon2 = self.point_arg()
        self.close(name_tok)
        return InBBox(field, lat1, lon1, lat2, lon2)

    def fn_date_format(self, name_tok: Token) -> Expr:
        start = self.peek()
        arg = self.value(self.expr(), start)
        self.comma("a quoted date pattern such as 'yyyy-MM'")
        pattern = self.string_arg("a quoted date pattern such as 'yyyy-MM'")
        self.close(name_tok)
        return Function("date_format", (arg, Literal(pattern)))

    def fn_range(self, name_tok: Token) -> Expr:
        start = self.peek()
        arg = self.value(self.expr(), start)
        self.comma("the width of each range, such as 10")
        tok = self.peek()
        if self.at_op("[") or self.at_op("]"):
            raise self.error("Static ranges are not supported yet", tok,
                             "use ranges of equal width: range(field, 10)")
        width = self.signed_number()
        if self.peek().kind == "IDENT":
            raise self.error("Date ranges such as range(date, 1 day) are not supported yet",
                             self.peek(), "use date_format() or year()/month()/day()")
        if width <= 0:
            raise self.error("Invalid range width", tok, "expected a positive number")
        self.close(name_tok)
        return Function("range", (arg, Literal(width)))

    def fn_now(self, name_tok: Token) -> Expr:
        if not self.at_op(")"):
            raise self.error("now() with arguments is not supported yet", self.peek(),
                             "use now() and compare with a date literal")
        self.advance()
        return Function("now")




def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _search(text: str, fields: tuple[str, ...]) -> Search:
    """A search text: ``*`` (prefix wildcard) is dropped, as every word already matches
    anywhere inside a value."""
    words = [w.replace("*", "") for w in text.split()]
    return Search(" ".join(w for w in words if w), fields)
