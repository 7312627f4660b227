"""Query parameters: declared once, documented from that declaration, read only through it.

An endpoint states its query parameters either as FastAPI ``Query()`` arguments or, when
they are parsed by hand (the Opendatasoft and native dialects take dynamic names such as
``refine.<field>`` or ``<field>__gte``), as a :class:`ParamSpec` passed to the route
decorator: ``@router.get(path, openapi_extra=SPEC.openapi())``. Both end up in
``/openapi.json``.

:func:`declared_parameters_only`, a dependency of every documented route under ``/api/``, replaces
the request's ``query_params`` with a view that holds the declared parameters only and
raises :class:`UndeclaredParameter` when the handler asks for any other name. A handler
that reads a parameter nobody described therefore fails in the tests instead of growing
an undocumented API; one that parses the whole query string never sees undeclared names.

The same view checks every parameter its ParamSpec declares as an integer: an ASCII whole
number within the declared ``minimum``/``maximum`` (by default within ``0..INT_LIMIT``),
else :class:`belfort.errors.InvalidRequest` (400) before the handler runs, so no number a
client makes up reaches a database or the engine. FastAPI ``Query()``/``Path()`` integers
state their bounds themselves (``ge``/``le``; :data:`INT_LIMIT` at most).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams

from belfort.catalog.models import MAX_NUMBER
from belfort.errors import BelfortError, InvalidRequest, QueryError
from belfort.policy.redaction import KEY_PARAMETER

NAME_PATTERN_KEY = "x-belfort-name-pattern"
GUARDED = "/api/"
AUTH_PARAMETER = KEY_PARAMETER  # read by belfort.api.caller; documented as a security scheme
# The largest number any integer parameter (a version, page, offset, row count) may hold:
# PostgreSQL's INTEGER, so that no parameter overflows a column or a bound SQL value.
INT_LIMIT = MAX_NUMBER
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,20}")
# the error a bad value of an integer parameter raises, by code (a ParamSpec's ``error``)
INVALID_KEY = "x-belfort-invalid"
_ERRORS: dict[str, type[BelfortError]] = {InvalidRequest.code: InvalidRequest, QueryError.code: QueryError}


# A version number in a path (``…/versions/{number}``): 400 (422) unless 1..INT_LIMIT.
VersionNumber = Annotated[int, Path(ge=1, le=INT_LIMIT)]


def integer(default: int | None = None, *, minimum: int = 0, maximum: int = INT_LIMIT) -> dict[str, Any]:
    """The schema of an integer query parameter (checked by :class:`DeclaredQueryParams`)."""
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return schema


def checked_integer(name: str, text: str, minimum: int = 0, maximum: int = INT_LIMIT,
                    error: type[BelfortError] = InvalidRequest) -> int:
    """``text`` as a whole number in ``minimum..maximum`` (ASCII digits, an optional sign,
    spaces around), else ``error`` (a 400) naming the parameter and the range."""
    stripped = text.strip()
    if not _WHOLE_NUMBER.fullmatch(stripped):
        raise error(f"Invalid value for {name} API parameter: {text[:30]!r} was found "
                             f"but an integer is expected (from {minimum} to {maximum}).")
    value = int(stripped)
    if not minimum <= value <= maximum:
        raise error(f"Invalid value for {name} API parameter: {stripped[:30]} is out of "
                             f"range (from {minimum} to {maximum}).")
    return value

# Path parameters share their names across dialects; one description each.
PATH_PARAMETERS: dict[str, str] = {
    "dataset_id": "The dataset's identifier (its slug), e.g. `bezetting-parkeergarages-real-time`.",
    "number": "A version number of the dataset (1, 2, …).",
    "fmt": "Export format: `csv`, `json` or `parquet`.",
    "format": "Export format (see the operation's description for the formats it knows).",
    "record_id": "A record's identifier (`_id` in Explore v2.1, `recordid` in v1; see docs/record-ids.md).",
    "activity_id": "A processing register entry's identifier (a GUID).",
    "extension": "The serialisation: `ttl`, `jsonld`, `rdf` or `nt` (as the path's extension).",
    "service_name": "A data service of the catalogue, e.g. `explore-v2.1`.",
    "slug": "An organisation's identifier in the catalogue.",
    "page": "A page of the event stream.",
    "record": "A record's identifier.",
    "timestamp": "The moment of a record's version (ISO 8601).",
}


class UndeclaredParameter(LookupError):
    """A handler asked for a query parameter its route does not declare (a programming
    error: declare it in the route's ParamSpec or as a ``Query()`` argument)."""


@dataclass(frozen=True)
class Param:
    """One query parameter. ``pattern`` makes it stand for a family of names (a regular
    expression, e.g. ``refine\\..+`` for ``refine.<field>``); such a parameter is
    documented as an exploded object, so that an API console can send its names."""

    name: str
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False
    repeatable: bool = False
    pattern: str | None = None
    example: Any = None

    def openapi(self) -> dict[str, Any]:
        schema: dict[str, Any] = dict(self.schema)
        if self.pattern is not None:
            schema = {"type": "object", "propertyNames": {"pattern": f"^(?:{self.pattern})$"},
                      "additionalProperties": schema}
        elif self.repeatable:
            schema = {"type": "array", "items": schema}
        out: dict[str, Any] = {"name": self.name, "in": "query", "required": self.required,
                               "description": self.description, "schema": schema}
        if self.pattern is not None:
            out.update(style="form", explode=True)
            out[NAME_PATTERN_KEY] = self.pattern
        elif self.repeatable:
            out.update(style="form", explode=True)
        if self.example is not None:
            out["example"] = self.example
        return out


class ParamSpec:
    """The query parameters of one endpoint."""

    def __init__(self, *params: Param, error: type[BelfortError] = InvalidRequest) -> None:
        """``error``: what a bad value of an integer parameter raises (the dialect's own
        error, e.g. the native API's ``QueryError``)."""
        names = [p.name for p in params]
        if len(names) != len(set(names)):
            raise ValueError(f"a parameter is declared twice: {names}")
        self.params = params
        self.error = error

    def __iter__(self) -> Any:
        return iter(self.params)

    def __add__(self, other: ParamSpec) -> ParamSpec:
        return ParamSpec(*self.params, *other.params, error=self.error)

    def without(self, *names: str) -> ParamSpec:
        return ParamSpec(*(p for p in self.params if p.name not in names), error=self.error)

    def openapi(self, **extra: Any) -> dict[str, Any]:
        """``openapi_extra`` for the route decorator (``extra``: more operation fields)."""
        parameters = [p.openapi() for p in self.params]
        if self.error is not InvalidRequest:
            for p in parameters:
                p[INVALID_KEY] = self.error.code
        return {"parameters": parameters, **extra}


class Allowed:
    """The names a route may read: literal names and patterns."""

    def __init__(self, names: Iterable[str], patterns: Iterable[str],
                 integers: Mapping[str, tuple[int, int, type[BelfortError]]] | None = None) -> None:
        self.names = frozenset(names) | {AUTH_PARAMETER}
        self.patterns = tuple(re.compile(p) for p in patterns)
        # name → (minimum, maximum, error) of the parameters declared as integers
        self.integers: dict[str, tuple[int, int, type[BelfortError]]] = dict(integers or {})
        self._known: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name in self.names:
            return True
        known = self._known.get(name)
        if known is None:
            known = any(p.fullmatch(name) for p in self.patterns)
            if len(self._known) < 10_000:
                self._known[name] = known
        return known


def _declared_query_names(dependant: Dependant) -> Iterable[str]:
    """The ``Query()`` parameters of a route and of its dependencies."""
    for parameter in dependant.query_params:
        yield parameter.alias
    for sub in dependant.dependencies:
        yield from _declared_query_names(sub)


def allowed_for(route: APIRoute) -> Allowed:
    """What ``route`` declares: its FastAPI query parameters and its ``openapi_extra``."""
    cached = getattr(route, "_belfort_allowed", None)
    if isinstance(cached, Allowed):
        return cached
    names = set(_declared_query_names(route.dependant))
    patterns = []
    integers: dict[str, tuple[int, int, type[BelfortError]]] = {}
    for p in (route.openapi_extra or {}).get("parameters", []):
        if p.get("in") != "query":
            continue
        if p.get(NAME_PATTERN_KEY):
            patterns.append(p[NAME_PATTERN_KEY])
            continue
        names.add(p["name"])
        schema = p.get("schema") or {}
        if schema.get("type") == "array":
            schema = schema.get("items") or {}
        if schema.get("type") == "integer":
            integers[p["name"]] = (int(schema.get("minimum", 0)), int(schema.get("maximum", INT_LIMIT)),
                                   _ERRORS[p.get(INVALID_KEY, InvalidRequest.code)])
    allowed = Allowed(names, patterns, integers)
    route._belfort_allowed = allowed  # type: ignore[attr-defined]  # per-route memo
    return allowed


class DeclaredQueryParams(QueryParams):
    """The request's query parameters, limited to the declared ones; asking for another
    name raises :class:`UndeclaredParameter`."""

    def __init__(self, items: list[tuple[str, str]], allowed: Allowed, path: str) -> None:
        super().__init__([(k, v) for k, v in items if k in allowed])
        self._allowed = allowed
        self._path = path
        for name, value in self.multi_items():
            bounds = allowed.integers.get(name)
            if bounds is not None and value.strip():  # empty: the handler's default
                checked_integer(name, value, *bounds)

    def _check(self, key: Any) -> None:
        if key not in self._allowed:
            raise UndeclaredParameter(
                f"{self._path} reads the query parameter {key!r}, which it does not declare "
                "(add it to the route's ParamSpec or as a Query() argument)"
            )

    def get(self, key: Any, default: Any = None) -> Any:
        self._check(key)
        return super().get(key, default)

    def getlist(self, key: Any) -> list[str]:
        self._check(key)
        return super().getlist(key)

    def __getitem__(self, key: Any) -> str:
        self._check(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self._check(key)
        return super().__contains__(key)


async def declared_parameters_only(request: Request) -> None:
    """Every documented API route (under ``/api/``) reads its query string through its
    declaration. (Routes that may answer with a portal page, such as the linked-data ones,
    also read the page's ``lang``; they are outside this rule.)"""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema or not route.path_format.startswith(GUARDED):
        return
    original = request.query_params
    if isinstance(original, DeclaredQueryParams):
        return
    # Starlette builds ``query_params`` once per request and keeps it in ``_query_params``;
    # the view takes its place for the handler and every dependency after this one.
    request._query_params = DeclaredQueryParams(
        original.multi_items(), allowed_for(route), route.path_format
    )
