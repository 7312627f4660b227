"""SensorThings query options, parsed: ``$filter``, ``$orderby``, ``$top``, ``$skip``,
``$count``, ``$select`` and ``$expand`` (with nested options, e.g.
``Datastreams($top=2;$expand=Observations($orderby=phenomenonTime desc))``).

A ``$filter`` becomes a small tree (``Compare``, ``Logical``, ``Not``, ``Function`` over
``Path`` and ``Literal``) that ``belfort.streams.sta_read`` turns into SQLAlchemy
expressions over known columns: no text of the user ever becomes SQL. Every input is
bounded (length, tokens, nesting) and a mistake is a ``SensorThingsInvalid`` (400) naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

from belfort.errors import SensorThingsInvalid

MAX_OPTION_CHARS = 4000
MAX_TOKENS = 400
MAX_DEPTH = 20  # nesting of parentheses and 'not' in one $filter
MAX_EXPAND_DEPTH = 3
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
FUNCTIONS = {"startswith": 2, "endswith": 2, "substringof": 2, "contains": 2}
OPTION_NAMES = ("$filter", "$orderby", "$top", "$skip", "$count", "$select", "$expand")

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_@$][A-Za-z0-9_@.$]*(?:/[A-Za-z_@$][A-Za-z0-9_@.$]*)*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<comma>,)
""", re.VERBOSE)


@dataclass(frozen=True)
class Path:
    """A property, perhaps through navigation (``Datastream/id``, ``properties/owner``)."""

    name: str


@dataclass(frozen=True)
class Literal:
    value: str | float | int | bool | None
    is_time: bool = False  # an unquoted ISO 8601 time (kept as its text)


@dataclass(frozen=True)
class Compare:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[Operand, ...]


Operand = Union[Path, Literal]
Node = Union[Compare, Logical, Not, Function]


@dataclass(frozen=True)
class Expand:
    name: str  # a navigation property of the entity (``Datastreams``, ``Thing``)
    options: Options


@dataclass(frozen=True)
class Options:
    filter: Node | None = None
    orderby: tuple[tuple[str, bool], ...] = ()  # (property, descending)
    top: int | None = None  # None: the default page size
    skip: int = 0
    count: bool = False
    select: tuple[str, ...] | None = None
    expand: tuple[Expand, ...] = field(default_factory=tuple)
    # the options as given (but $top and $skip), for the @iot.nextLink of an expansion
    given: tuple[tuple[str, str], ...] = ()


def _bad(message: str) -> SensorThingsInvalid:
    return SensorThingsInvalid(message)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    if len(text) > MAX_OPTION_CHARS:
        raise _bad(f"$filter is longer than {MAX_OPTION_CHARS} characters")
    out: list[tuple[str, str, int]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _bad(f"$filter: cannot read {text[position:position + 20]!r} "
                       f"at character {position + 1}")
        kind = match.lastgroup or ""
        if kind != "space":
            out.append((kind, match.group(), position))
            if len(out) > MAX_TOKENS:
                raise _bad(f"$filter has more than {MAX_TOKENS} terms")
        position = match.end()
    return out


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise _bad("$filter is empty")
        node = self._or()
        if self.at < len(self.tokens):
            _, value, position = self.tokens[self.at]
            raise _bad(f"$filter: unexpected {value[:20]!r} at character {position + 1}")
        return node

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _word(self, *words: str) -> str | None:
        token = self._peek()
        if token is not None and token[0] == "name" and token[1].lower() in words:
            self.at += 1
            return token[1].lower()
        return None

    def _expect(self, kind: str, what: str) -> tuple[str, str, int]:
        token = self._peek()
        if token is None or token[0] != kind:
            where = "the end" if token is None else f"{token[1][:20]!r}"
            raise _bad(f"$filter: expected {what}, found {where}")
        self.at += 1
        return token

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _bad(f"$filter nests deeper than {MAX_DEPTH} levels")

    def _or(self) -> Node:
        node = self._and()
        while self._word("or"):
            node = Logical("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._word("and"):
            node = Logical("and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._word("not"):
            self._nest()
            node: Node = Not(self._not())
            self.depth -= 1
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        token = self._peek()
        if token is not None and token[0] == "open":
            # a parenthesised condition (an operand is never parenthesised here)
            self.at += 1
            self._nest()
            node = self._or()
            self._expect("close", "')'")
            self.depth -= 1
            return node
        left = self._operand()
        if isinstance(left, Function):
            return left
        op = self._word(*COMPARISONS)
        if op is None:
            found = self._peek()
            where = "the end" if found is None else repr(found[1][:20])
            raise _bad("$filter: expected a comparison (eq, ne, gt, ge, lt, le) after "
                       f"{_show(left)}, found {where}")
        right = self._operand()
        if isinstance(right, Function):
            raise _bad("$filter: a function cannot be compared")
        return Compare(op, left, right)

    def _operand(self) -> Operand | Function:
        token = self._peek()
        if token is None:
            raise _bad("$filter ends where a value or property was expected")
        kind, value, position = token
        self.at += 1
        if kind == "string":
            return Literal(value[1:-1].replace("''", "'"))
        if kind == "time":
            return Literal(value, is_time=True)
        if kind == "number":
            return Literal(float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "name":
            lowered = value.lower()
            if lowered in ("true", "false"):
                return Literal(lowered == "true")
            if lowered == "null":
                return Literal(None)
            following = self._peek()
            if following is not None and following[0] == "open":
                return self._function(lowered, position)
            return Path(value)
        raise _bad(f"$filter: unexpected {value!r} at character {position + 1}")

    def _function(self, name: str, position: int) -> Function:
        if name not in FUNCTIONS:
            raise _bad(f"$filter: the function {name[:30]!r} (character {position + 1}) is not "
                       f"supported; known: {', '.join(sorted(FUNCTIONS))}")
        self._expect("open", "'('")
        args: list[Operand] = []
        while True:
            arg = self._operand()
            if isinstance(arg, Function):
                raise _bad("$filter: functions cannot be nested")
            args.append(arg)
            token = self._peek()
            if token is not None and token[0] == "comma":
                self.at += 1
                continue
            break
        self._expect("close", "')'")
        if len(args) != FUNCTIONS[name]:
            raise _bad(f"$filter: {name} takes {FUNCTIONS[name]} arguments")
        return Function(name, tuple(args))


def _show(operand: Operand | Function) -> str:
    if isinstance(operand, Path):
        return operand.name[:40]
    if isinstance(operand, Literal):
        return repr(operand.value)[:40]
    return operand.name


def parse_filter(text: str) -> Node:
    return _FilterParser(text).parse()


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise _bad(f"unbalanced ')' in {text[:60]!r}")
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth != 0 or quoted:
        raise _bad(f"unbalanced parentheses or quotes in {text[:60]!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts]


_PROPERTY = re.compile(r"^[A-Za-z@][A-Za-z0-9_@.]*(?:/[A-Za-z@][A-Za-z0-9_@.]*)*$")


def _orderby(text: str) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    for part in _split(text, ","):
        words = part.split()
        if not words or len(words) > 2 or not _PROPERTY.match(words[0]):
            raise _bad(f"$orderby: expected 'property [asc|desc]', found {part[:40]!r}")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise _bad(f"$orderby: the direction must be asc or desc, not {words[1][:10]!r}")
        out.append((words[0], direction == "desc"))
    if len(out) > 5:
        raise _bad("$orderby: at most 5 properties")
    return tuple(out)


def _number(name: str, text: str, maximum: int) -> int:
    stripped = text.strip()
    if not re.fullmatch(r"[0-9]{1,10}", stripped) or int(stripped) > maximum:
        raise _bad(f"{name} must be a whole number from 0 to {maximum}, not {text[:20]!r}")
    return int(stripped)


def _select(text: str) -> tuple[str, ...]:
    names = tuple(p for p in _split(text, ","))
    for name in names:
        if not _PROPERTY.match(name):
            raise _bad(f"$select: {name[:40]!r} is not a property name")
    return names


def _expand(text: str, max_top: int, depth: int) -> tuple[Expand, ...]:
    if depth >= MAX_EXPAND_DEPTH:
        raise _bad(f"$expand nests deeper than {MAX_EXPAND_DEPTH} levels")
    out: list[Expand] = []
    for item in _split(text, ","):
        match = re.fullmatch(r"([A-Za-z]+(?:/[A-Za-z]+)*)\s*(?:\((.*)\))?", item, re.DOTALL)
        if match is None:
            raise _bad(f"$expand: cannot read {item[:60]!r}")
        path, inner = match.group(1).split("/"), match.group(2)
        if len(path) + depth > MAX_EXPAND_DEPTH:
            raise _bad(f"$expand nests deeper than {MAX_EXPAND_DEPTH} levels")
        options = Options()
        if inner is not None and inner.strip():
            params: dict[str, str] = {}
            for part in _split(inner, ";"):
                key, sep, value = part.partition("=")
                key = key.strip()
                if not sep or key not in OPTION_NAMES or key in params:
                    raise _bad(f"$expand: cannot read the option {part[:40]!r} of {path[0]}")
                params[key] = value
            options = parse_options(params, max_top=max_top, depth=depth + len(path))
        # "A/B" expands B inside A
        for name in reversed(path[1:]):
            options = Options(expand=(Expand(name, options),))
        out.append(Expand(path[0], options))
    if len(out) > 10:
        raise _bad("$expand: at most 10 navigation properties")
    return tuple(out)


def parse_options(params: Mapping[str, str], *, max_top: int, depth: int = 0) -> Options:
    """The query options of a request (only the ``$`` names; unknown ones are refused);
    ``$top`` above ``max_top`` is cut to it."""
    for name, value in params.items():
        if name.startswith("$") and name not in OPTION_NAMES:
            raise _bad(f"unknown query option {name[:30]!r}; known: {', '.join(OPTION_NAMES)}")
        if len(value) > MAX_OPTION_CHARS:
            raise _bad(f"{name[:30]} is longer than {MAX_OPTION_CHARS} characters")
        if "\x00" in value:
            raise _bad(f"{name[:30]} contains a NUL character")
    count_text = params.get("$count", "false").strip().lower()
    if count_text not in ("true", "false"):
        raise _bad("$count must be true or false")
    filter_text = params.get("$filter")
    top = params.get("$top")
    return Options(
        filter=parse_filter(filter_text) if filter_text is not None else None,
        orderby=_orderby(params["$orderby"]) if params.get("$orderby") else (),
        top=min(_number("$top", top, 2_000_000_000), max_top) if top is not None else None,
        skip=_number("$skip", params["$skip"], 2_000_000_000) if "$skip" in params else 0,
        count=count_text == "true",
        select=_select(params["$select"]) if params.get("$select") else None,
        expand=_expand(params["$expand"], max_top, depth) if params.get("$expand") else (),
        given=tuple((k, v) for k, v in params.items() if k not in ("$top", "$skip")),
    )
