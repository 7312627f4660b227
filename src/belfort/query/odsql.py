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
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import ParamSpec, TypeVar

from belfort.query.compiler import like_escape
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
from belfort.query.odsql_functions import OPERATOR_WORDS, FunctionCalls, _is_number, _search
from belfort.query.odsql_lexer import MAX_TEXT_LENGTH, ODSQLError, Token, tokenize

__all__ = [
    "MAX_DEPTH", "MAX_TEXT_LENGTH", "ODSQLError",
    "parse_group_by", "parse_order_by", "parse_query", "parse_select", "parse_where",
]

MAX_DEPTH = 100  # nested sub-expressions: parentheses, function calls, operands
MAX_IN_VALUES = 1000
MAX_ITEMS = 200  # select / group_by / order_by items

BP_OR, BP_AND, BP_NOT, BP_CMP, BP_ADD, BP_MUL, BP_UNARY = 1, 2, 3, 4, 5, 6, 7
COMPARE_OPS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", ":": "="}
CONDITIONS = (Compare, In, IsNull, Like, Search, WithinDistance, InBBox, InPolygon, And, Or, Not)

_PLAIN_DATE = re.compile(r"([0-9]{4})(?:[-/]([0-9]{1,2})(?:[-/]([0-9]{1,2}))?)?")


# -- public API ---------------------------------------------------------------------------


P = ParamSpec("P")
R = TypeVar("R")


def _guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a RecursionError (a last line of defence behind MAX_DEPTH) into an ODSQLError."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
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


class _Parser(FunctionCalls):
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

    def comma_list(self) -> Iterator[int]:
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
                left = Literal(-operand.value)
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


# -- helpers ------------------------------------------------------------------------------


def _negate(expr: Expr) -> Expr:
    return expr.item if isinstance(expr, Not) else Not(expr)


def _combine(kind: type[And] | type[Or], left: Expr, right: Expr) -> Expr:
    items: list[Expr] = []
    for side in (left, right):
        items.extend(side.items if isinstance(side, kind) else [side])
    return kind(tuple(items))


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
