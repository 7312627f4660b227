"""Reading SensorThings entities: collections with their query options, single entities,
navigation and ``$expand``.

A ``$filter`` tree (``belfort.streams.sta_query``) becomes SQLAlchemy expressions over the
columns ``sta_entities.KINDS`` names, with every value bound; a page is at most ``$top``
rows (capped by ``BELFORT_STA_MAX_TOP``) and an expansion is paged the same way.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from belfort.catalog.models import Observation, StaDatastream
from belfort.errors import SensorThingsInvalid, SensorThingsNotFound
from belfort.platform import Platform
from belfort.streams import sta_lake
from belfort.streams.model import ItemInvalid, parse_time
from belfort.streams.sta_entities import (
    KINDS,
    PREFIX,
    base_query,
    check_select,
    entity_id,
    id_column,
    related,
    render,
    select_fields,
)
from belfort.streams.sta_query import (
    Compare,
    Function,
    Literal,
    Node,
    Not,
    Options,
    Path,
)

_SWAPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


@dataclass
class Page:
    """One page of a collection: rendered entities, whether more follow, the total."""

    value: list[dict[str, Any]]
    more: bool
    count: int | None


def _column(plural: str, path: Path) -> tuple[ColumnElement[Any], str]:
    found = KINDS[plural].columns.get(path.name)
    if found is None:
        known = sorted(name for name in KINDS[plural].columns if not name.startswith("@"))
        raise SensorThingsInvalid(
            f"{plural} cannot be filtered or ordered on {path.name[:60]!r}; "
            f"known: {', '.join(known)}")
    column: ColumnElement[Any] = found[0]
    return column, found[1]


def _value(literal: Literal, kind: str, name: str) -> Any:
    value = literal.value
    if kind == "time":
        if isinstance(value, str):
            try:
                return parse_time(value, name)
            except ItemInvalid as exc:
                raise SensorThingsInvalid(f"$filter: {exc.message}") from None
        raise SensorThingsInvalid(f"$filter: {name} is compared with a time, e.g. "
                                  "2024-05-01T12:00:00Z")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SensorThingsInvalid(f"$filter: {name} is compared with a number")
        if isinstance(value, int) and abs(value) >= 2**63:
            raise SensorThingsInvalid(f"$filter: the number compared with {name} is too large")
        return value
    if not isinstance(value, str) or literal.is_time:
        raise SensorThingsInvalid(f"$filter: {name} is compared with a quoted text")
    return value


def _compare(plural: str, node: Compare) -> ColumnElement[bool]:
    left, right, op = node.left, node.right, node.op
    if isinstance(left, Literal) and isinstance(right, Path):
        left, right, op = right, left, _SWAPPED[op]
    if not (isinstance(left, Path) and isinstance(right, Literal)):
        raise SensorThingsInvalid("$filter: each comparison sets a property against a value")
    column, kind = _column(plural, left)
    if right.value is None:
        if op not in ("eq", "ne"):
            raise SensorThingsInvalid("$filter: null can only be compared with eq or ne")
        return column.is_(None) if op == "eq" else column.is_not(None)
    value = _value(right, kind, left.name)
    compared: ColumnElement[bool] = {
        "eq": column == value, "ne": column != value, "gt": column > value,
        "ge": column >= value, "lt": column < value, "le": column <= value}[op]
    return compared


def _function(plural: str, node: Function) -> ColumnElement[bool]:
    args = node.args
    if node.name == "substringof":  # substringof('text', property)
        args = (args[1], args[0])
    path, literal = args
    if not (isinstance(path, Path) and isinstance(literal, Literal)):
        raise SensorThingsInvalid(f"$filter: {node.name} takes a property and a quoted text")
    column, kind = _column(plural, path)
    if kind != "text" or not isinstance(literal.value, str) or literal.is_time:
        raise SensorThingsInvalid(f"$filter: {node.name} works on text properties and text")
    text = literal.value
    found: ColumnElement[bool]
    if node.name == "startswith":
        found = column.startswith(text, autoescape=True)
    elif node.name == "endswith":
        found = column.endswith(text, autoescape=True)
    else:
        found = column.contains(text, autoescape=True)
    return found


def condition(plural: str, node: Node) -> ColumnElement[bool]:
    """A ``$filter`` tree as a SQLAlchemy condition over ``plural``'s columns."""
    if isinstance(node, Compare):
        return _compare(plural, node)
    if isinstance(node, Function):
        return _function(plural, node)
    if isinstance(node, Not):
        return not_(condition(plural, node.operand))
    combine = and_ if node.op == "and" else or_
    return combine(condition(plural, node.left), condition(plural, node.right))


class Reader:
    """Reads entities for one request: ``base`` is the canonical base URL."""

    def __init__(self, platform: Platform, session: Session, base: str) -> None:
        self.platform = platform
        self.session = session
        # an Observation's expanded Datastream, per request: (datastream id, options) → body
        self._datastreams: dict[tuple[int, int], dict[str, Any] | None] = {}
        self.base = base
        self.default_top = platform.settings.sta_default_top
        self.max_top = platform.settings.sta_max_top

    def check(self, plural: str, options: Options) -> None:
        """Refuse options that name what ``plural`` does not have, before any row is read
        (so an empty answer does not hide a mistake)."""
        kind = KINDS[plural]
        if options.filter is not None:
            condition(plural, options.filter)
        for name, _ in options.orderby:
            _column(plural, Path(name))
        if options.select is not None:
            check_select(options.select, kind)
        for expansion in options.expand:
            if expansion.name not in kind.navigation:
                raise SensorThingsInvalid(
                    f"$expand: {plural} have no navigation property {expansion.name[:40]!r}; "
                    f"known: {', '.join(kind.navigation)}")
            self.check(kind.navigation[expansion.name][0], expansion.options)

    def exists(self, plural: str, ident: int) -> bool:
        query = base_query(plural).where(id_column(plural) == ident)
        if self.session.execute(query.limit(1)).first() is not None:
            return True
        return plural == "Observations" and self._compacted(ident) is not None

    def _compacted(self, ident: int) -> sta_lake.Row | None:
        """Observation ``ident`` when compaction moved it into the lake."""
        everything = self.session.scalars(select(StaDatastream)).all()
        rows = sta_lake.compacted_rows(self.platform, self.session, everything, only_id=ident)
        return rows[0] if rows else None

    def observation_datastream(self, ident: int) -> int | None:
        """The Datastream of Observation ``ident`` (hot or compacted)."""
        row = self.session.execute(base_query("Observations")
                                   .where(Observation.id == ident).limit(1)).first()
        if row is not None:
            return int(row[1])
        found = self._compacted(ident)
        return None if found is None else found[1]

    def one(self, plural: str, where: ColumnElement[bool], options: Options, what: str,
            ident: int | None = None) -> dict[str, Any]:
        row: Any = self.session.execute(base_query(plural).where(where).limit(1)).first()
        if row is None and plural == "Observations" and ident is not None:
            row = self._compacted(ident)
        if row is None:
            raise SensorThingsNotFound(f"no {what}")
        return self._finish(plural, row if plural == "Observations" else row[0], options)

    def page(self, plural: str, scope: list[ColumnElement[bool]], options: Options) -> Page:
        if plural == "Observations":
            datastreams = self.session.scalars(select(StaDatastream).where(*scope)).all()
            lake = sta_lake.compacted_rows(self.platform, self.session, datastreams)
            if lake:
                return self._merged_page(scope, options, lake)
        query = base_query(plural).where(*scope)
        if options.filter is not None:
            query = query.where(condition(plural, options.filter))
        count = None
        if options.count:
            count = int(self.session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())) or 0)
        order = []
        for name, descending in options.orderby:
            column, _ = _column(plural, Path(name))
            order.append(column.desc() if descending else column.asc())
        order.append(id_column(plural).asc())
        top = self.default_top if options.top is None else options.top
        query = query.order_by(*order).offset(options.skip).limit(top + 1)
        rows = list(self.session.execute(query))
        more = top > 0 and len(rows) > top  # $top=0 (just the count) has no next page
        value = [self._finish(plural, row if plural == "Observations" else row[0], options)
                 for row in rows[:top]]
        return Page(value, more, count)

    def _merged_page(self, scope: list[ColumnElement[bool]], options: Options,
                     lake: list[sta_lake.Row]) -> Page:
        """A page of Observations from the hot store and the lake together."""
        query = base_query("Observations").where(*scope)
        if options.filter is not None:
            query = query.where(condition("Observations", options.filter))
        hot = [(row[0], int(row[1])) for row in
               self.session.execute(query.limit(sta_lake.MAX_SCANNED + 1))]
        if options.filter is not None:
            kinds = KINDS["Observations"].columns
            node = options.filter
            lake = [row for row in lake if sta_lake.matches(
                node, row, lambda lit, name: _value(lit, kinds[name][1], name))]
        rows = sta_lake.ordered(sta_lake.merged(hot, lake), options.orderby)
        top = self.default_top if options.top is None else options.top
        chosen = rows[options.skip:options.skip + top]
        more = top > 0 and len(rows) > options.skip + top
        value = [self._finish("Observations", row, options) for row in chosen]
        return Page(value, more, len(rows) if options.count else None)

    def _single(self, plural: str, where: ColumnElement[bool], options: Options
                ) -> dict[str, Any] | None:
        row = self.session.execute(base_query(plural).where(where).limit(1)).first()
        if row is None:
            return None
        return self._finish(plural, row if plural == "Observations" else row[0], options)

    def _finish(self, plural: str, row: Any, options: Options) -> dict[str, Any]:
        body = render(plural, row, self.base)
        ident = entity_id(plural, row)
        kind = KINDS[plural]
        for expansion in options.expand:
            if expansion.name not in kind.navigation:
                raise SensorThingsInvalid(
                    f"$expand: {plural} have no navigation property {expansion.name[:40]!r}; "
                    f"known: {', '.join(kind.navigation)}")
            target, where = related(plural, ident, expansion.name)
            if plural == "Observations":  # its Datastream, known also for compacted rows
                where = StaDatastream.id == int(row[1])
            _, collection = kind.navigation[expansion.name]
            if collection:
                page = self.page(target, [where], expansion.options)
                body[expansion.name] = page.value
                if page.count is not None:
                    body[f"{expansion.name}@iot.count"] = page.count
                if page.more:
                    top = self.default_top if expansion.options.top is None else \
                        expansion.options.top
                    following = {**dict(expansion.options.given), "$top": str(top),
                                 "$skip": str(expansion.options.skip + top)}
                    body[f"{expansion.name}@iot.nextLink"] = (
                        f"{self.base}{PREFIX}/{plural}({ident})/{expansion.name}"
                        f"?{urlencode(following)}")
            elif plural == "Observations":  # many Observations share one Datastream
                key = (int(row[1]), id(expansion.options))
                if key not in self._datastreams:
                    self._datastreams[key] = self._single(target, where, expansion.options)
                if self._datastreams[key] is not None:
                    body[expansion.name] = copy.deepcopy(self._datastreams[key])
            else:
                found = self._single(target, where, expansion.options)
                if found is not None:
                    body[expansion.name] = found
        if options.select is not None:
            body = select_fields(body, options.select, kind)
        return body
