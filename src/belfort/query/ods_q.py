"""The Opendatasoft API v1 ``q`` query language → Belfort's query model.

``GET /api/records/1.0/search/?dataset=ID&q=…`` filters records with a small full-text
language (help.opendatasoft.com, "Query Language and Geo Filtering")::

    film                        words: every word must occur (all text fields)
    "rue de la paix"            a quoted phrase ('single quotes' work too)
    film OR trees, NOT x, -x    boolean operators; priority NOT > AND > OR; ( … )
    a b, a AND b                several terms are ANDed
    naam:markt  naam=markt      field queries (text: full-text within the field;
    plaatsen>=10  d<=2016/09    numbers and dates: comparisons)
    d:[1950 TO 2000]            inclusive range ({…} exclusive, * open)
    d >= #now(days=-7)          relative dates
    #null(f)  #exact(f,"v")  #startswith(f,"v")
    #distance("lat,lon",m)  #distance(f,"lat,lon",m)  #distance(f,lat,lon,m)
    #polygon(f,"(lat,lon),(lat,lon),(lat,lon)")

The output is only model objects: values travel as ``Literal``s, field names are
checked against the dataset's names here and against the schema by the compiler, which
also binds every value as a parameter. Nothing here builds SQL.

Partial dates name a period, as Opendatasoft reads them: ``d:2018`` is the whole year,
``d>2018/05`` is after May, ``d<=2016/09`` includes September.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from belfort.errors import QueryError
from belfort.query.compiler import MAX_SEARCH_WORDS
from belfort.query.model import (
    And,
    Compare,
    Expr,
    FieldRef,
    IsNull,
    Literal,
    Not,
    Or,
    Search,
)
from belfort.query.ods_q_functions import (
    _INTEGER,
    TEMPORAL,
    FunctionCalls,
    _parse_period,
    _Period,
)

MAX_Q_LENGTH = 10_000
MAX_DEPTH = 20  # nested parentheses and NOTs; keeps the model well inside the compiler's limit
MAX_TERMS = 100  # words, phrases, field queries and functions in one q

NUMERIC = {"integer", "number"}
GEO = {"geopoint", "geometry"}
KEYWORDS = {"AND", "OR", "NOT"}
COMPARISONS = ("==", ">=", "<=", "=", ":", ">", "<")  # longest first

_FIELD_NAME = re.compile(r"\w+")
_OPERATOR = re.compile(r"[ \t]*(==|>=|<=|=|:|>|<)")
_FUNCTION = re.compile(r"#([A-Za-z_]\w*)[ \t]*\(")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_LIKE = re.compile(r"\d{4}[/-]\d{1,2}(?:[/-]\d{1,2}(?:[T ]\S*)?)?")
_CLOSING_SINGLE = re.compile(r"'(?=\s|[),]|$)")


class QSyntaxError(QueryError):
    """The ``q`` text cannot be read; ``details["position"]`` is the 0-based character offset."""

    def __init__(self, reason: str, position: int, q: str = "") -> None:
        near = q[position:position + 20]
        where = f"at position {position}" + (f" (near {near!r})" if near else " (at the end)")
        super().__init__(f"q: {reason} {where}", details={"position": position})
        self.reason = reason
        self.position = position


def parse_q(
    q: str,
    *,
    field_names: Collection[str],
    now: datetime | None = None,
    field_types: Mapping[str, str] | None = None,
) -> Expr | None:
    """Parse an Opendatasoft v1 ``q`` into a filter expression; None when ``q`` is blank.

    ``field_names`` are the dataset's fields: ``name:value`` with an unknown name is
    plain text, as on Opendatasoft. ``field_types`` (name → Table Schema type) is
    optional but makes values typed: without it ``d>=2002`` compares with the number
    2002 and ``#distance("lat,lon", m)`` cannot find the geopoint field.
    ``now`` (default: the current UTC time) anchors ``#now(…)``.
    """
    if len(q) > MAX_Q_LENGTH:
        raise QSyntaxError(f"q is longer than {MAX_Q_LENGTH} characters", MAX_Q_LENGTH)
    text = _clean(q)
    if not text.strip():
        return None
    parser = _Parser(text, q, set(field_names), dict(field_types or {}),
                     now or datetime.now(timezone.utc))
    return parser.parse()


def _clean(q: str) -> str:
    """Control characters and lone surrogates become spaces (positions do not move)."""
    if q.isprintable():
        return q
    return "".join(
        " " if unicodedata.category(c) in {"Cc", "Cs"} else c for c in q
    )


@dataclass(frozen=True)
class _Value:
    """A value after a field operator: its text, whether it was quoted, where it starts."""

    text: str
    quoted: bool
    position: int
    moment: datetime | None = None  # set for #now(…)


class _Parser(FunctionCalls):
    def __init__(self, s: str, original: str, names: set[str], types: dict[str, str],
                 now: datetime) -> None:
        self.s = s
        self.q = original
        self.names = names
        self.types = types
        self.now = now
        self.i = 0
        self.depth = 0
        self.terms = 0

    # -- helpers ---------------------------------------------------------------------

    def error(self, reason: str, position: int | None = None) -> QSyntaxError:
        return QSyntaxError(reason, self.i if position is None else position, self.q)

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def at_end(self) -> bool:
        return self.i >= len(self.s)

    def word_end(self, start: int) -> int:
        """A bare word runs to whitespace or a parenthesis."""
        j = start
        while j < len(self.s) and not self.s[j].isspace() and self.s[j] not in "()":
            j += 1
        return j

    def keyword_at(self, position: int) -> tuple[str, int, bool] | None:
        """(KEYWORD, end, written in capitals) when an operator word starts here."""
        end = self.word_end(position)
        word = self.s[position:end]
        if word.upper() in KEYWORDS:
            return word.upper(), end, word.isupper()
        return None

    def operand_follows(self, position: int) -> bool:
        """Can a term start after ``position`` (skipping spaces)?"""
        j = position
        while j < len(self.s) and self.s[j].isspace():
            j += 1
        if j >= len(self.s) or self.s[j] == ")":
            return False
        keyword = self.keyword_at(j)
        return keyword is None or keyword[0] == "NOT"

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep", position)

    def count_term(self, position: int) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(f"more than {MAX_TERMS} terms", position)

    # -- grammar ---------------------------------------------------------------------
    # query := or ; or := and (OR and)* ; and := unary ((AND)? unary)*
    # unary := (NOT | -) unary | + unary | primary

    def parse(self) -> Expr:
        expr = self.parse_or()
        self.skip_ws()
        if not self.at_end():  # only a ')' stops parse_or early
            raise self.error("')' without a matching '('")
        return expr

    def parse_or(self) -> Expr:
        items = [self.parse_and()]
        while True:
            self.skip_ws()
            keyword = None if self.at_end() else self.keyword_at(self.i)
            if keyword is None or keyword[0] != "OR":
                break
            self.i = keyword[1]  # parse_and only stops at an OR that has a right-hand side
            items.append(self.parse_and())
        return _combine(Or, items)

    def parse_and(self) -> Expr:
        items = [self.parse_unary()]
        while True:
            self.skip_ws()
            if self.at_end() or self.s[self.i] == ")":
                break
            keyword = self.keyword_at(self.i)
            if keyword is not None and keyword[0] in {"AND", "OR"}:
                name, end, capitals = keyword
                if self.operand_follows(end):
                    if name == "OR":
                        break
                    self.i = end
                elif capitals:
                    raise self.error(f"{name} needs a term after it")
                else:  # a dangling lowercase 'and'/'or' is just a word
                    items.append(self.parse_word())
                    continue
            items.append(self.parse_unary())
        return _combine(And, items)

    def parse_unary(self) -> Expr:
        self.skip_ws()
        if self.at_end():
            raise self.error("a term is missing")
        start = self.i
        char = self.s[start]
        keyword = self.keyword_at(start)
        if keyword is not None:
            name, end, capitals = keyword
            if name == "NOT" and self.operand_follows(end):
                self.enter(start)
                self.i = end
                item = self.parse_unary()
                self.depth -= 1
                return Not(item)
            if capitals:
                reason = "NOT needs a term after it" if name == "NOT" else f"{name} needs a term before it"
                raise self.error(reason)
            return self.parse_word()  # lowercase and/or/not where no operator fits
        if char in "-+" and start + 1 < len(self.s):
            after = self.s[start + 1]
            if after.isalnum() or after in "\"'(#":
                self.i += 1
                if char == "+":  # Lucene's "must": a term is required anyway
                    return self.parse_unary()
                self.enter(start)
                item = self.parse_unary()
                self.depth -= 1
                return Not(item)
        return self.parse_primary()

    def parse_primary(self) -> Expr:
        start = self.i
        char = self.s[start]
        if char == "(":
            self.enter(start)
            self.i += 1
            self.skip_ws()
            if not self.at_end() and self.s[self.i] == ")":
                raise self.error("empty parentheses", start)
            if self.at_end():
                raise self.error("'(' is never closed", start)
            expr = self.parse_or()
            self.skip_ws()
            if self.at_end():
                raise self.error("'(' is never closed", start)
            self.i += 1  # the ')'
            self.depth -= 1
            return expr
        if char == ")":
            raise self.error("')' where a term was expected")
        self.count_term(start)
        if char == '"':
            return self.phrase(self.read_double_quoted(), (), start)
        if char == "'":
            closing = self.single_quote_end(start)
            if closing is not None:
                self.i = closing + 1
                return self.phrase(self.s[start + 1:closing], (), start)
        if char == "#":
            match = _FUNCTION.match(self.s, start)
            if match:
                return self.parse_function(match)
        match = _FIELD_NAME.match(self.s, start)
        if match and match.group() in self.names:
            operator = _OPERATOR.match(self.s, match.end())
            if operator:
                return self.parse_field_query(match.group(), operator.group(1), operator.end(), start)
        return self.parse_word(counted=True)

    def parse_word(self, counted: bool = False) -> Expr:
        start = self.i
        if not counted:
            self.count_term(start)
        end = self.word_end(start)
        self.i = end
        return Search(_word(self.s[start:end]))

    def phrase(self, text: str, fields: tuple[str, ...], position: int) -> Search:
        text = " ".join(text.split())
        if len(text.split()) > MAX_SEARCH_WORDS:
            raise self.error(f"a phrase may hold at most {MAX_SEARCH_WORDS} words", position)
        return Search(text, fields)

    # -- quoting ---------------------------------------------------------------------

    def read_double_quoted(self) -> str:
        """A "…" string with \\" and \\\\ escapes; the cursor is on the opening quote."""
        start = self.i
        out: list[str] = []
        j = start + 1
        while j < len(self.s):
            c = self.s[j]
            if c == "\\" and j + 1 < len(self.s) and self.s[j + 1] in '"\\':
                out.append(self.s[j + 1])
                j += 2
                continue
            if c == '"':
                self.i = j + 1
                return "".join(out)
            out.append(c)
            j += 1
        raise self.error("unterminated quote", start)

    def single_quote_end(self, start: int) -> int | None:
        """Where a '…' string that opens at ``start`` closes; None when it is an apostrophe.

        A closing quote is followed by a space, ')', ',' or the end, so l'eau stays a word.
        """
        match = _CLOSING_SINGLE.search(self.s, start + 1)
        return match.start() if match else None

    # -- field queries ---------------------------------------------------------------

    def parse_field_query(self, field: str, op: str, after: int, start: int) -> Expr:
        self.i = after
        self.skip_ws()
        if self.at_end() or self.s[self.i] == ")":
            raise self.error(f"a value is missing after {field}{op}", start)
        char = self.s[self.i]
        if char in "[{":
            if op != ":":
                raise self.error(f"a range is written {field}:[a TO b]", self.i)
            return self.parse_range(field)
        if char == "(":
            raise self.error(f"write (…) around the whole field queries, not after {field}{op}")
        value = self.read_value(stops="")
        equality = op in {":", "==", "="}
        return self.field_condition(field, "=" if equality else op, value, text_match=equality)

    def read_value(self, stops: str) -> _Value:
        """A value: "…", '…', #now(…) or a bare token up to a space, ')' or one of ``stops``."""
        start = self.i
        char = self.s[start]
        if char == '"':
            return _Value(self.read_double_quoted(), True, start)
        if char == "'":
            closing = self.single_quote_end(start)
            if closing is None:
                closing = self.closing_single_in(start, stops)
            if closing is not None:
                self.i = closing + 1
                return _Value(self.s[start + 1:closing], True, start)
        if char == "#":
            match = _FUNCTION.match(self.s, start)
            if match and match.group(1).lower() == "now":
                self.i = match.end()
                args = self.read_args(match.group(1), start)
                return _Value(self.s[start:self.i], False, start, moment=self.compute_now(args))
            if match:
                raise self.error(f"#{match.group(1)}() cannot be used as a value; only #now() can", start)
        j = start
        while j < len(self.s) and not self.s[j].isspace() and self.s[j] != ")" and self.s[j] not in stops:
            j += 1
        self.i = j
        return _Value(self.s[start:j], False, start)

    def closing_single_in(self, start: int, stops: str) -> int | None:
        """Inside a range, '…' may close right before ']' or '}'."""
        if not stops:
            return None
        j = self.s.find("'", start + 1)
        if j > 0 and j + 1 < len(self.s) and self.s[j + 1] in stops:
            return j
        return None

    def parse_range(self, field: str) -> Expr:
        open_at = self.i
        low_inclusive = self.s[open_at] == "["
        self.i += 1
        self.skip_ws()
        if self.at_end():
            raise self.error("the range is never closed", open_at)
        low = self.read_value(stops="]}")
        self.skip_ws()
        keyword_end = self.i + 2
        if self.s[self.i:keyword_end].upper() != "TO" or (
            keyword_end < len(self.s) and not self.s[keyword_end].isspace()
        ):
            raise self.error("a range is written [a TO b]")
        self.i = keyword_end
        self.skip_ws()
        if self.at_end():
            raise self.error("the range is never closed", open_at)
        high = self.read_value(stops="]}")
        self.skip_ws()
        if self.at_end() or self.s[self.i] not in "]}":
            raise self.error("the range is never closed (']' or '}' expected)", open_at)
        high_inclusive = self.s[self.i] == "]"
        self.i += 1
        parts: list[Expr] = []
        if not (low.text == "*" and not low.quoted):
            parts.append(self.field_condition(field, ">=" if low_inclusive else ">", low))
        if not (high.text == "*" and not high.quoted):
            parts.append(self.field_condition(field, "<=" if high_inclusive else "<", high))
        if not parts:  # [* TO *]: the field has a value
            return IsNull(FieldRef(field), negated=True)
        return _combine(And, parts)

    def field_condition(self, field: str, op: str, value: _Value, text_match: bool = False) -> Expr:
        """``field op value`` typed by the field's type (or, unknown, by how the value looks)."""
        ref = FieldRef(field)
        kind = self.types.get(field)
        if value.moment is not None:
            return Compare(op, ref, Literal(value.moment))
        text = value.text
        if text_match and text == "*" and not value.quoted:
            return IsNull(ref, negated=True)  # field:* — the field has a value
        if kind == "string" or (kind is None and (value.quoted or not _looks_typed(text))):
            if text_match:
                return self.phrase(text if value.quoted else _word(text), (field,), value.position)
            return Compare(op, ref, Literal(text))
        if kind in TEMPORAL or (kind is None and _DATE_LIKE.fullmatch(text)):
            period = _parse_period(text, allow_year=kind in TEMPORAL)
            if period is None:
                raise self.error(
                    f"{text[:40]!r} is not a date (YYYY, YYYY/MM, YYYY/MM/DD or ISO 8601)",
                    value.position)
            return self.period_condition(ref, op, period, kind)
        if kind in NUMERIC or (kind is None and _NUMBER.fullmatch(text)):
            return Compare(op, ref, Literal(self.number(text, value.position)))
        return Compare(op, ref, Literal(text))  # boolean, geo: the compiler coerces or refuses

    def period_condition(self, ref: FieldRef, op: str, period: _Period, kind: str | None) -> Expr:
        start, end = Literal(period.start), Literal(period.end)
        if period.end is None:
            return Compare(op, ref, start)
        if op == "=":
            if period.day and kind == "date":
                return Compare("=", ref, start)
            return And((Compare(">=", ref, start), Compare("<", ref, end)))
        if op == ">=":
            return Compare(">=", ref, start)
        if op == ">":
            return Compare(">=", ref, end)
        if op == "<":
            return Compare("<", ref, start)
        return Compare("<", ref, end)  # <=: up to the end of the period

    def number(self, text: str, position: int) -> int | float:
        if not _NUMBER.fullmatch(text):
            raise self.error(f"{text[:40]!r} is not a number", position)
        if _INTEGER.fullmatch(text):
            if len(text) > 20:
                raise self.error("number out of range", position)
            return int(text)
        value = float(text)
        if not math.isfinite(value):
            raise self.error("number out of range", position)
        return value


# -- values ---------------------------------------------------------------------------


def _word(text: str) -> str:
    """A bare word as Opendatasoft tokenises it: no surrounding punctuation or wildcard.

    Search matches substrings, so ``film*`` (a prefix query) needs no star.
    A word of punctuation only is kept as typed.
    """
    stripped = text.strip("*")
    if not stripped:
        return ""  # a lone wildcard
    start, end = 0, len(stripped)
    while start < end and unicodedata.category(stripped[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(stripped[end - 1]).startswith("P"):
        end -= 1
    return stripped[start:end] or text


def _looks_typed(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text) or _DATE_LIKE.fullmatch(text))


def _combine(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    """And/Or of the items, flattening nested ones of the same kind; one item stays itself."""
    flat: list[Expr] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    return flat[0] if len(flat) == 1 else kind(tuple(flat))
