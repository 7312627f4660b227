"""ODSQL, the Opendatasoft Query Language of Explore API v2.1, parsed into Belfort's query model.

``select``, ``where``, ``group_by`` and ``order_by`` arrive as text; this module turns each
into model objects (``belfort.query.model``) and never into SQL: the compiler checks field
names against the schema and binds every value as a parameter.

The parser is a hand-written Pratt parser over the tokens of ``odsql_lexer``. Nesting is
capped (``MAX_DEPTH``) and so is the length of a clause, so hostile input ends in an
``ODSQLError`` that says where and why, never in another exception.

Precedence, loosest first: OR, AND, NOT, comparison (= != <> < <= > >= : IN LIKE IS),
+ -, * /, unary minus. Keywords and function names are case-insensitive.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from datetime import date, datetime

from belfort.query.compiler import AGGREGATES, SCALAR_FUNCTIONS, like_escape
from belfort.query.model import (
    Aggregate,
    And,
    Arithmetic,
    Compare,
    Expr,
    FieldRef,
    Function,
    In,
    InBBox,
    InPolygon,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    Search,
    SelectItem,
    WithinDistance,
)
from belfort.query.odsql_geo import Geometry, GeometryError, parse_geometry
from belfort.query.odsql_lexer import MAX_TEXT_LENGTH, ODSQLError, Token, tokenize

__all__ = [
    "MAX_DEPTH", "MAX_TEXT_LENGTH", "ODSQLError",
    "parse_group_by", "parse_order_by", "parse_query", "parse_select", "parse_where",
]

MAX_DEPTH = 100  # nested sub-expressions: parentheses, function calls, operands
MAX_IN_VALUES = 1000
MAX_ITEMS = 200  # select / group_by / order_by items
INTERSECTS_POINT_METERS = 1.0  # intersects(geo_point_field, geom'POINT(…)'): "at that point"

BP_OR, BP_AND, BP_NOT, BP_CMP, BP_ADD, BP_MUL, BP_UNARY = 1, 2, 3, 4, 5, 6, 7
COMPARE_OPS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", ":": "="}
# words that are never a bare field name (back-quote them: `not`)
OPERATOR_WORDS = {"and", "or", "not", "in", "is", "like", "as", "asc", "desc", "distinct", "null",
                  "true", "false"}
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
CONDITIONS = (Compare, In, IsNull, Like, Search, WithinDistance, InBBox, InPolygon, And, Or, Not)

_PLAIN_DATE = re.compile(r"([0-9]{4})(?:[-/]([0-9]{1,2})(?:[-/]([0-9]{1,2}))?)?")


# -- public API ---------------------------------------------------------------------------


def _guarded(func):  # type: ignore[no-untyped-def]
    """Turn a RecursionError (a last line of defence behind MAX_DEPTH) into an ODSQLError."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return func(*args, **kwargs)
        except RecursionError:
            raise ODSQLError("Expression nested too deeply", 0, "simplify the clause") from None

    return wrapper


@_guarded
def parse_where(text: str) -> Expr:
    """A where clause as one condition; an empty clause matches everything (``And(())``)."""
    p = _Parser(text, "where", aggregates=False)
    if p.peek().kind == "EOF":
        return And(())
    start = p.peek()
    result = p.condition(p.expr(), start)
    p.expect_end("an operator (AND, OR, =, …) or the end of the clause")
    return result


@_guarded
def parse_select(text: str) -> tuple[SelectItem, ...]:
    """Select items; ``*`` alone (or an empty clause) is every field, the empty tuple."""
    p = _Parser(text, "select", aggregates=True)
    if p.peek().kind == "EOF":
        return ()
    items: list[SelectItem] = []
    star: Token | None = None
    for _ in p.comma_list():
        after = p.peek(1)
        if p.at_op("*") and (after.kind == "EOF" or (after.kind == "OP" and after.value == ",")):
            star = p.advance()
            continue
        p.item_end = "AS, a comma or the end of the clause"
        expr = p.expr()
        alias = p.alias()
        p.item_end = "a comma or the end of the clause" if alias else p.item_end
        items.append(SelectItem(expr, alias))
    if star is not None and items:
        raise ODSQLError(
            "Unsupported select", star.pos,
            "* together with other expressions is not supported yet; list the fields instead",
            clause="select",
        )
    return tuple(items)


@_guarded
def parse_group_by(text: str) -> tuple[SelectItem, ...]:
    """Group keys, each with an optional label: ``year(date) as y, range(n, 10)``."""
    p = _Parser(text, "group_by", aggregates=False)
    if p.peek().kind == "EOF":
        return ()
    items: list[SelectItem] = []
    for _ in p.comma_list():
        p.item_end = "AS, a comma or the end of the clause"
        expr = p.expr()
        alias = p.alias()
        p.item_end = "a comma or the end of the clause" if alias else p.item_end
        items.append(SelectItem(expr, alias))
    return tuple(items)


@_guarded
def parse_order_by(text: str) -> tuple[OrderItem, ...]:
    """``f desc, count(*) asc``; the default direction is ascending."""
    p = _Parser(text, "order_by", aggregates=True)
    if p.peek().kind == "EOF":
        return ()
    items: list[OrderItem] = []
    for _ in p.comma_list():
        p.item_end = "ASC, DESC, a comma or the end of the clause"
        expr = p.expr()
        descending = False
        if p.peek().keyword in {"asc", "desc"}:
            descending = p.advance().keyword == "desc"
            p.item_end = "a comma or the end of the clause"
        items.append(OrderItem(expr, descending))
    return tuple(items)


def parse_query(
    select: str | None = None,
    where: str | Sequence[str] | None = None,
    group_by: str | None = None,
    order_by: str | None = None,
    limit: int | str | None = None,
    offset: int | str | None = 0,
) -> Query:
    """All clauses at once. Several ``where`` strings are combined with AND; ``limit=-1``
    (Opendatasoft's "no limit") means the engine's maximum."""
    conditions: list[Expr] = []
    for text in ([where] if isinstance(where, str) else list(where or [])):
        cond = parse_where(text)
        if cond != And(()):
            conditions.extend(cond.items if isinstance(cond, And) else [cond])
    combined: Expr | None = None
    if len(conditions) == 1:
        combined = conditions[0]
    elif conditions:
        combined = And(tuple(conditions))
    return Query(
        select=parse_select(select) if select is not None else (),
        where=combined,
        group_by=parse_group_by(group_by) if group_by is not None else (),
        order_by=parse_order_by(order_by) if order_by is not None else (),
        limit=_count_param(limit, "limit", allow_all=True),
        offset=_count_param(offset, "offset") or 0,
    )


def _count_param(value: int | str | None, name: str, allow_all: bool = False) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ODSQLError(f"Invalid {name}", 0, "expected a whole number", clause=name) from None
    if allow_all and number == -1:
        return None
    if number < 0:
        raise ODSQLError(f"Invalid {name}", 0, "must not be negative", clause=name)
    return number


# -- the parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, clause: str, *, aggregates: bool) -> None:
        self.clause = clause
        self.tokens = tokenize(text, clause)
        self.i = 0
        self.depth = 0
        self.allow_aggregates = aggregates
        self.in_aggregate = False
        self.item_end = "a comma or the end of the clause"  # what may follow a list item

    # -- token helpers

    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.peek()
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def at_op(self, value: str) -> bool:
        tok = self.peek()
        return tok.kind == "OP" and tok.value == value

    def error(self, problem: str, tok: Token | int, hint: str | None = None) -> ODSQLError:
        pos = tok if isinstance(tok, int) else tok.pos
        return ODSQLError(problem, pos, hint, clause=self.clause)

    def unexpected(self, tok: Token, expected: str) -> ODSQLError:
        if tok.kind == "EOF":
            return self.error("Unexpected end of input", tok, f"expected {expected}")
        return self.error(f"Unexpected {tok.describe()}", tok, f"expected {expected}")

    def expect_op(self, value: str, expected: str | None = None) -> Token:
        if not self.at_op(value):
            raise self.unexpected(self.peek(), expected or f'"{value}"')
        return self.advance()

    def expect_end(self, expected: str) -> None:
        if self.peek().kind != "EOF":
            raise self.unexpected(self.peek(), expected)

    def comma_list(self):  # type: ignore[no-untyped-def]
        """Yield once per comma-separated item; the caller parses the item."""
        count = 0
        while True:
            count += 1
            if count > MAX_ITEMS:
                raise self.error("Too many items", self.peek(), f"at most {MAX_ITEMS}")
            if self.peek().kind == "EOF" or self.at_op(","):
                raise self.unexpected(self.peek(), "an expression")
            self.item_end = "a comma or the end of the clause"
            yield count
            if self.at_op(","):
                self.advance()
                continue
            self.expect_end(self.item_end)
            return

    def alias(self) -> str | None:
        if self.peek().keyword != "as":
            return None
        self.advance()
        tok = self.peek()
        if tok.kind == "QIDENT" or (tok.kind == "IDENT" and tok.keyword not in OPERATOR_WORDS):
            return self.advance().value
        raise self.unexpected(tok, "a label after AS")

    # -- expressions

    def expr(self, min_bp: int = 0) -> Expr:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error(
                    "Expression nested too deeply", self.peek(),
                    f"at most {MAX_DEPTH} levels of parentheses, functions and operands",
                )
            return self._expr(min_bp)
        finally:
            self.depth -= 1

    def _expr(self, min_bp: int) -> Expr:
        start = self.peek()
        left: Expr
        if start.keyword == "not":
            if min_bp > BP_NOT:
                raise self.unexpected(start, "a value")
            self.advance()
            operand_start = self.peek()
            left = _negate(self.condition(self.expr(BP_NOT), operand_start))
        elif start.kind == "OP" and start.value in {"-", "+"}:
            self.advance()
            operand_start = self.peek()
            operand = self.expr(BP_UNARY)
            self.value(operand, operand_start)
            if start.value == "+":
                left = operand
            elif isinstance(operand, Literal) and _is_number(operand.value):
                left = Literal(-operand.value)  # type: ignore[operator]
            else:
                left = Arithmetic("-", Literal(0), operand)
        else:
            left = self.primary()

        compared = False
        while True:
            tok = self.peek()
            op, bp = self.infix(tok)
            if op is None or bp <= min_bp:
                return left
            if bp == BP_CMP and compared:
                raise self.unexpected(tok, "AND or OR (comparisons cannot be chained)")
            self.advance()
            if op in {"and", "or"}:
                left_c = self.condition(left, start)
                right_start = self.peek()
                right_c = self.condition(self.expr(bp), right_start)
                left = _combine(And if op == "and" else Or, left_c, right_c)
            elif op in {"+", "-", "*", "/"}:
                self.value(left, start)
                right_start = self.peek()
                right = self.expr(bp)
                self.value(right, right_start)
                left = Arithmetic(op, left, right)
            else:
                self.value(left, start)
                left = self.comparison(op, tok, left)
                compared = True

    def infix(self, tok: Token) -> tuple[str | None, int]:
        if tok.kind == "OP":
            if tok.value in COMPARE_OPS:
                return tok.value, BP_CMP
            if tok.value in {"+", "-"}:
                return tok.value, BP_ADD
            if tok.value in {"*", "/"}:
                return tok.value, BP_MUL
            return None, 0
        word = tok.keyword
        if word == "or":
            return "or", BP_OR
        if word == "and":
            return "and", BP_AND
        if word in {"in", "like", "is"}:
            return word, BP_CMP
        if word == "not" and self.peek(1).keyword in {"in", "like"}:
            return "not", BP_CMP
        return None, 0

    def comparison(self, op: str, tok: Token, left: Expr) -> Expr:
        negated = False
        if op == "not":
            negated = True
            op = self.advance().keyword or ""
        if op == "is":
            return self.is_test(left)
        if op == "like":
            pattern = self.peek()
            if pattern.kind != "STR":
                raise self.unexpected(pattern, 'a quoted pattern after LIKE, such as "paris*"')
            self.advance()
            return _like(left, pattern.value, negated)
        if op == "in" or (op == ":" and (self.at_op("[") or self.at_op("]"))):
            if self.at_op("[") or self.at_op("]"):
                node = self.range_filter(left)
                return _negate(node) if negated else node
            self.expect_op("(", "( with a list of values, or a range such as [1..10]")
            values: list[Expr] = []
            while True:
                if len(values) >= MAX_IN_VALUES:
                    raise self.error("Too many values in IN", self.peek(), f"at most {MAX_IN_VALUES}")
                value_start = self.peek()
                values.append(self.value(self.expr(BP_CMP), value_start))
                if self.at_op(","):
                    self.advance()
                    continue
                self.expect_op(")", "a comma or )")
                return In(left, tuple(values), negated=negated)
        right_start = self.peek()
        right = self.value(self.expr(BP_CMP), right_start)
        return Compare(COMPARE_OPS[op], left, right)

    def is_test(self, left: Expr) -> Expr:
        negated = False
        if self.peek().keyword == "not":
            self.advance()
            negated = True
        tok = self.peek()
        if tok.keyword == "null":
            self.advance()
            return IsNull(left, negated=negated)
        if tok.keyword in {"true", "false"}:
            self.advance()
            value = tok.keyword == "true"
            if negated:  # IS NOT TRUE also holds for null
                return Or((IsNull(left), Compare("=", left, Literal(not value))))
            return Compare("=", left, Literal(value))
        raise self.unexpected(tok, "NULL, TRUE or FALSE after IS")

    def range_filter(self, left: Expr) -> Expr:
        """``[1..10]``, ``]1 TO 10[``, ``[date'2017'..date'2018']``: [ and ] include a bound
        when they face it, exclude it when they face away."""
        opening = self.advance()
        lo_start = self.peek()
        lo = self.value(self.expr(BP_CMP), lo_start)
        if self.at_op(".."):
            self.advance()
        elif self.peek().keyword == "to":
            self.advance()
        else:
            raise self.unexpected(self.peek(), ".. or TO between the bounds of a range")
        hi_start = self.peek()
        hi = self.value(self.expr(BP_CMP), hi_start)
        closing = self.peek()
        if not (self.at_op("]") or self.at_op("[")):
            raise self.unexpected(closing, "] or [ to close the range")
        self.advance()
        lower = Compare(">=" if opening.value == "[" else ">", left, lo)
        upper = Compare("<=" if closing.value == "]" else "<", left, hi)
        return And((lower, upper))

    def primary(self) -> Expr:
        tok = self.peek()
        if tok.kind == "NUM":
            self.advance()
            return Literal(self.number(tok))
        if tok.kind == "STR":
            self.advance()
            return Literal(tok.value)
        if tok.kind == "DATE":
            self.advance()
            return Literal(self.date_value(tok))
        if tok.kind == "GEOM":
            raise self.error(
                "Misplaced geometry literal", tok,
                "geom'…' can only be used in geographic functions such as within_distance()",
            )
        if tok.kind == "QIDENT":
            self.advance()
            return FieldRef(tok.value)
        if tok.kind == "IDENT":
            word = tok.keyword or ""
            if self.peek(1).kind == "OP" and self.peek(1).value == "(":
                return self.call(tok)
            if word in {"true", "false"}:
                self.advance()
                return Literal(word == "true")
            if word == "null":
                self.advance()
                return Literal(None)
            if word in OPERATOR_WORDS:
                raise self.unexpected(tok, "a value")
            self.advance()
            return FieldRef(tok.value)
        if self.at_op("("):
            self.advance()
            inner = self.expr()
            self.expect_op(")", ") to close the parenthesis")
            return inner
        raise self.unexpected(tok, "a value")

    # -- checks on parsed expressions

    def condition(self, expr: Expr, start: Token) -> Expr:
        """``expr`` where a true/false filter is needed: a bare field is ``field = true``
        (a boolean field filter), a bare string a full-text search over all fields."""
        if isinstance(expr, CONDITIONS):
            return expr
        if isinstance(expr, Function) and expr.name == "startswith":
            return expr
        if isinstance(expr, FieldRef):
            return Compare("=", expr, Literal(True))
        if isinstance(expr, Literal) and isinstance(expr.value, str):
            return _search(expr.value, ())
        if isinstance(expr, Literal) and isinstance(expr.value, bool):
            return expr
        raise self.error(
            f"Expected a condition, not {_describe(expr)},", start,
            "compare it (=, <, IN, LIKE, IS NULL) or use a filter function",
        )

    def value(self, expr: Expr, start: Token) -> Expr:
        """``expr`` where a value is needed (operand of arithmetic or a comparison)."""
        if isinstance(expr, CONDITIONS) or (isinstance(expr, Function) and expr.name == "startswith"):
            raise self.error(
                f"Expected a value, not {_describe(expr)},", start,
                "conditions can only be combined with AND, OR and NOT",
            )
        return expr

    def number(self, tok: Token) -> int | float:
        text = tok.value
        if re.fullmatch(r"[0-9]+", text):
            return int(text)
        number = float(text)
        if not math.isfinite(number):
            raise self.error("Number out of range", tok)
        return number

    def date_value(self, tok: Token) -> date | datetime:
        text = tok.value.strip()
        try:
            m = _PLAIN_DATE.fullmatch(text)
            if m:
                return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
            head, sep, rest = text.partition("T") if "T" in text else text.partition(" ")
            iso = head.replace("/", "-") + ("T" if sep else "") + rest
            if iso.endswith(("Z", "z")):
                iso = iso[:-1] + "+00:00"
            return datetime.fromisoformat(iso)
        except ValueError:
            raise self.error(
                f"Invalid date literal {tok.value[:40]!r}", tok,
                "expected ISO 8601 (2024-01-31, 2024-01-31T08:30:00Z) or YYYY/MM/DD",
            ) from None

    # -- function calls

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
            return handler(name_tok)  # type: ignore[no-any-return]
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


# -- helpers ------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _negate(expr: Expr) -> Expr:
    return expr.item if isinstance(expr, Not) else Not(expr)


def _combine(kind: type[And] | type[Or], left: Expr, right: Expr) -> Expr:
    items: list[Expr] = []
    for side in (left, right):
        items.extend(side.items if isinstance(side, kind) else [side])
    return kind(tuple(items))


def _search(text: str, fields: tuple[str, ...]) -> Search:
    """A search text: ``*`` (prefix wildcard) is dropped, as every word already matches
    anywhere inside a value."""
    words = [w.replace("*", "") for w in text.split()]
    return Search(" ".join(w for w in words if w), fields)


def _like(expr: Expr, pattern: str, negated: bool) -> Expr:
    """ODSQL ``field LIKE "star wars"``: the value contains every word, case-insensitively;
    ``*`` is a wildcard for any characters. Literal % and _ are escaped for SQL LIKE."""
    words = pattern.split() or [""]
    likes: list[Like] = []
    for word in words:
        body = "%".join(like_escape(part) for part in word.split("*") if part)
        likes.append(Like(expr, f"%{body}%" if body else "%", ci=True))
    if len(likes) == 1:
        return Like(expr, likes[0].pattern, ci=True, negated=negated)
    node = And(tuple(likes))
    return Not(node) if negated else node


def _describe(expr: Expr) -> str:
    if isinstance(expr, Literal):
        return "a number" if _is_number(expr.value) else f"the value {str(expr.value)[:30]!r}"
    if isinstance(expr, Function):
        return f"{expr.name}()"
    if isinstance(expr, Aggregate):
        return f"the aggregate {expr.func}()"
    if isinstance(expr, Arithmetic):
        return "a calculation"
    return "a condition"
