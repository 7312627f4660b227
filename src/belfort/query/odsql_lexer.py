"""Tokens of ODSQL, the Opendatasoft Query Language (Explore API v2.1).

The lexer is a single loop over the text (no recursion, no regular-expression
backtracking on user input beyond simple character classes), so hostile input costs
linear time. Every token keeps its start position for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from belfort.errors import QueryError

MAX_TEXT_LENGTH = 10_000
MAX_NUMBER_LENGTH = 40


class ODSQLError(QueryError):
    """An ODSQL clause that cannot be parsed.

    The message says what went wrong and where: ``Unexpected token "AND" at position 12:
    expected a value``; ``details["position"]`` is the 0-based character offset and
    ``details["clause"]`` (when known) the parameter: select, where, group_by or order_by.
    """

    def __init__(
        self, problem: str, position: int, hint: str | None = None, *, clause: str | None = None
    ) -> None:
        message = f"{problem} at position {position}" + (f": {hint}" if hint else "")
        details: dict[str, object] = {"position": position}
        if clause:
            details["clause"] = clause
        super().__init__(message, details=details)
        self.position = position
        self.clause = clause


# kinds: NUM STR IDENT QIDENT DATE GEOM OP EOF
@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    pos: int

    @property
    def keyword(self) -> str | None:
        """The lowercased word of a bare identifier (keywords are case-insensitive)."""
        return self.value.lower() if self.kind == "IDENT" else None

    def describe(self) -> str:
        if self.kind == "EOF":
            return "end of input"
        if self.kind == "STR":
            return f"string {_short(self.value)!r}"
        if self.kind == "DATE":
            return f"date literal {_short(self.value)!r}"
        if self.kind == "GEOM":
            return "geometry literal"
        if self.kind == "QIDENT":
            return f"field `{_short(self.value)}`"
        return f'token "{_short(self.value)}"'


def _short(text: str, limit: int = 40) -> str:
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DIGITS = set("0123456789")
_IDENT_START = re.compile(r"[A-Za-z_]")
_IDENT = re.compile(r"[A-Za-z0-9_]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_TWO_CHAR_OPS = ("!=", "<>", "<=", ">=", "..", "==")
_ONE_CHAR_OPS = set("=<>+-*/(),:[]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}
# prefixes of typed literals: date'2024-01-01', geom'POINT(3.72 51.05)'
_TYPED_LITERALS = {"date": "DATE", "geom": "GEOM", "geometry": "GEOM"}


def tokenize(text: str, clause: str | None = None) -> list[Token]:
    if not isinstance(text, str):
        raise ODSQLError("Invalid clause", 0, f"expected text, not {type(text).__name__}", clause=clause)
    if len(text) > MAX_TEXT_LENGTH:
        raise ODSQLError(
            f"Clause too long ({len(text)} characters)", MAX_TEXT_LENGTH,
            f"at most {MAX_TEXT_LENGTH} characters are allowed", clause=clause,
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c in "\"'":
            value, end = _read_string(text, i, clause)
            tokens.append(Token("STR", value, i))
            i = end
            continue
        if c == "`":
            value, end = _read_quoted_field(text, i, clause)
            tokens.append(Token("QIDENT", value, i))
            i = end
            continue
        if (c in _DIGITS or (c == "." and text[i + 1 : i + 2] in _DIGITS)):
            m = _NUMBER.match(text, i)
            assert m is not None
            if len(m.group()) > MAX_NUMBER_LENGTH:
                raise ODSQLError("Number too long", i, f"at most {MAX_NUMBER_LENGTH} characters", clause=clause)
            tokens.append(Token("NUM", m.group(), i))
            i = m.end()
            continue
        if _IDENT_START.match(c):
            m = _IDENT.match(text, i)
            assert m is not None
            word = m.group()
            kind = _TYPED_LITERALS.get(word.lower())
            if kind and m.end() < n and text[m.end()] in "\"'":
                value, end = _read_string(text, m.end(), clause, raw=True)
                tokens.append(Token(kind, value, i))
                i = end
                continue
            tokens.append(Token("IDENT", word, i))
            i = m.end()
            continue
        two = text[i : i + 2]
        if two in _TWO_CHAR_OPS:
            tokens.append(Token("OP", "=" if two == "==" else two, i))
            i += 2
            continue
        if c in _ONE_CHAR_OPS:
            tokens.append(Token("OP", c, i))
            i += 1
            continue
        shown = repr(c) if c.isprintable() else f"U+{ord(c):04X}"
        raise ODSQLError(f"Unexpected character {shown}", i, "not part of ODSQL", clause=clause)
    tokens.append(Token("EOF", "", n))
    return tokens


def _read_string(text: str, start: int, clause: str | None, raw: bool = False) -> tuple[str, int]:
    """A quoted string from ``start`` (the quote); returns (value, index after the closing quote).

    Both quote kinds accept backslash escapes (``"it\\"s"``, as the official client writes
    them with JSON.stringify) and a doubled quote (``'it''s'``, as in SQL). ``raw`` strings
    (date and geometry literals) only undo the quote escapes.
    """
    quote = text[start]
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "u" and not raw and re.fullmatch(r"[0-9A-Fa-f]{4}", text[i + 2 : i + 6]):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            if raw:
                out.append(nxt if nxt in (quote, "\\") else c + nxt)
            else:
                out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if c == quote:
            if i + 1 < n and text[i + 1] == quote:
                out.append(quote)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise ODSQLError("Unterminated string", start, f"the opening {quote} is never closed", clause=clause)


def _read_quoted_field(text: str, start: int, clause: str | None) -> tuple[str, int]:
    """A back-quoted field name: `` `my field` ``; `` \\` `` or a doubled `` ` `` is a back-quote."""
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "`\\":
            out.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            if i + 1 < n and text[i + 1] == "`":
                out.append("`")
                i += 2
                continue
            if not out:
                raise ODSQLError("Empty field name", start, "write a name between the back-quotes", clause=clause)
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise ODSQLError("Unterminated field name", start, "the opening ` is never closed", clause=clause)
