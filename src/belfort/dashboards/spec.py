"""A dashboard's spec: YAML or JSON text → a validated ``DashboardSpec``.

Only ``yaml.safe_load`` reads the text (JSON is YAML too), after three checks that keep
hostile text cheap: its size (``MAX_SPEC_BYTES``), no anchors or aliases (a "billion laughs"
document is refused before it is built), and a bounded nesting depth. Every problem is
collected with the path of the field it concerns (``tiles[2].thresholds[0].upto``) and
raised together as ``DashboardInvalid``.

A tile reads one source:

- ``dataset`` + ``query`` — a question in ODSQL clauses (``select``, ``where``,
  ``group_by``, ``order_by``, ``limit``) parsed here into the native query model
  (``belfort.query.model``); the gate and the engine answer it when the tile is drawn;
- ``stream`` — one sensor's observations of one property from the hot store;
- ``sensors`` — the sensors of a live dataset with their latest values (map tiles).

A ``map`` tile over a ``dataset`` draws its shapes (zones) coloured by a value: it names the
``geometry`` field, the ``value`` field, optionally a ``label`` field, and colour ``bands``
(the thresholds' shape; ``thresholds`` is accepted as another name for them). Its query may
filter, order and limit the rows (``where``, ``order_by``, ``limit``); the tile selects its
fields itself. Whether the fields exist in the dataset is checked when a dashboard is saved
(``belfort.dashboards.fields``) and again when the tile is drawn.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from belfort.errors import DashboardInvalid, QueryError
from belfort.query.model import Query
from belfort.query.odsql import parse_query

MAX_SPEC_BYTES = 64 * 1024
MAX_TILES = 40
MAX_DEPTH = 12
MAX_THRESHOLDS = 8
MAX_TILE_ROWS = 500
MAX_STREAM_HOURS = 24 * 31
MAX_TEXT = 200
MAX_CLAUSE = 2000
TILE_TYPES = ("kpi", "line", "bars", "map", "gauge", "table")
COLOURS = ("green", "orange", "red", "blue", "grey")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
TILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$")
SENSOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
ZONE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")  # as belfort.twin.zones.ZONE_ID
QUERY_KEYS = ("select", "where", "group_by", "order_by", "limit")
TILE_KEYS = {"id", "type", "title", "dataset", "query", "stream", "sensors", "value", "time",
             "x", "y", "series", "unit", "thresholds", "hours", "columns", "description",
             "geometry", "label", "bands", "forecast"}
FORECAST_HOURS = 6  # a tile's forecast: the next hours shown by default …
MAX_FORECAST_HOURS = 48  # … and at most (the models' horizon)
MAP_QUERY_KEYS = ("where", "order_by", "limit")  # a map of shapes selects its fields itself


@dataclass(frozen=True)
class Text:
    """A text in Dutch and (optionally) English."""

    nl: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else None) or self.nl

    def to_dict(self) -> dict[str, str | None]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Threshold:
    """Values up to ``upto`` (inclusive; None: every value above the previous one) get
    ``colour`` and ``label`` — the label always says it too: colour is never the only sign."""

    upto: float | None
    colour: str
    label: Text


# Ghent's crowd gauge: ≤ 33 green, ≤ 67 orange, above red
GAUGE_THRESHOLDS = (
    Threshold(33, "green", Text("rustig", "quiet")),
    Threshold(67, "orange", Text("druk", "busy")),
    Threshold(None, "red", Text("te druk", "too busy")),
)


@dataclass(frozen=True)
class Stream:
    sensor: str
    property: str | None = None


@dataclass(frozen=True)
class SensorSource:
    """The sensors of a live dataset (``*``: every dataset), optionally of one kind."""

    dataset: str = "*"
    kind: str | None = None


@dataclass(frozen=True)
class ForecastRef:
    """The forecast a tile shows beside its live value: one zone's (``zone``), one sensor's
    (``sensor``) or every zone's (``zones``, subject ``*``), for the next ``hours`` hours."""

    kind: str
    subject: str
    hours: int = FORECAST_HOURS


@dataclass(frozen=True)
class TileSpec:
    id: str
    type: str
    title: Text
    description: Text | None = None
    dataset: str | None = None
    query: Query | None = None
    query_text: dict[str, Any] = field(default_factory=dict)
    stream: Stream | None = None
    sensors: SensorSource | None = None
    value: str = "value"
    time: str | None = None
    x: str | None = None
    y: str | None = None
    series: str | None = None
    unit: str | None = None
    thresholds: tuple[Threshold, ...] = ()
    hours: float = 24.0
    columns: tuple[str, ...] = ()
    geometry: str | None = None  # a map over a dataset: the field holding each shape
    label: str | None = None  # … and the field naming it
    forecast: ForecastRef | None = None  # the forecast shown beside the live value

    @property
    def shapes(self) -> bool:
        """A map of a dataset's shapes (zones), not of sensors."""
        return self.type == "map" and self.dataset is not None

    def level(self, value: float | None) -> Threshold | None:
        """The threshold a value falls in (None: no thresholds, or no value)."""
        if value is None or not self.thresholds:
            return None
        for threshold in self.thresholds:
            if threshold.upto is None or value <= threshold.upto:
                return threshold
        return None


@dataclass(frozen=True)
class DashboardSpec:
    title: Text
    tiles: tuple[TileSpec, ...]
    description: Text | None = None

    def tile(self, tile_id: str) -> TileSpec | None:
        return next((t for t in self.tiles if t.id == tile_id), None)


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        if len(self.items) < 100:
            self.items.append({"path": path or "(spec)", "message": message})


def check_id(dashboard_id: str) -> str:
    """A dashboard id: 1–60 lower-case letters, digits and '-'."""
    if not isinstance(dashboard_id, str) or not SLUG.fullmatch(dashboard_id):
        raise DashboardInvalid(
            "invalid dashboard id: 1-60 lower-case letters, digits and '-'",
            details={"problems": [{"path": "id", "message": "1-60 lower-case letters, digits "
                                   "and '-', starting with a letter or digit"}]})
    return dashboard_id


def load_source(source: str) -> Any:
    """The YAML (or JSON) text as plain data; ``DashboardInvalid`` when it is too large,
    not YAML, uses anchors or aliases, or nests too deeply."""
    if not isinstance(source, str):
        raise _invalid("(spec)", "the spec must be text")
    if len(source.encode("utf-8", "replace")) > MAX_SPEC_BYTES:
        raise _invalid("(spec)", f"the spec is larger than {MAX_SPEC_BYTES // 1024} KiB")
    if "\x00" in source:
        raise _invalid("(spec)", "the spec contains a NUL character")
    try:
        depth = 0
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _invalid("(spec)", "anchors and aliases (& and *) are not allowed")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _invalid("(spec)", f"the spec nests deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
        raise _invalid("(spec)", f"{str(problem)[:200]}{where}") from None


def parse_spec(source: str) -> DashboardSpec:
    """Validate a spec's text; ``DashboardInvalid`` lists every problem found."""
    data = load_source(source)
    problems = _Problems()
    if not isinstance(data, dict):
        raise _invalid("(spec)", "the spec must be a mapping with a title and tiles")
    for key in data:
        if key not in ("title", "description", "tiles"):
            problems.add(str(key)[:60], "unknown field (expected title, description, tiles)")
    title = _text(data.get("title"), "title", problems, required=True)
    description = _text(data.get("description"), "description", problems)
    tiles_data = data.get("tiles")
    tiles: list[TileSpec] = []
    if not isinstance(tiles_data, list) or not tiles_data:
        problems.add("tiles", "a list of at least one tile")
    elif len(tiles_data) > MAX_TILES:
        problems.add("tiles", f"at most {MAX_TILES} tiles")
    else:
        seen: set[str] = set()
        for index, item in enumerate(tiles_data):
            tile = _tile(item, f"tiles[{index}]", problems)
            if tile is not None:
                if tile.id in seen:
                    problems.add(f"tiles[{index}].id", f"{tile.id!r} is used by another tile")
                seen.add(tile.id)
                tiles.append(tile)
    if problems.items or title is None:
        raise DashboardInvalid(
            "invalid dashboard: " + "; ".join(f"{p['path']}: {p['message']}"
                                              for p in problems.items[:10]),
            details={"problems": problems.items})
    return DashboardSpec(title=title, tiles=tuple(tiles), description=description)


def _invalid(path: str, message: str) -> DashboardInvalid:
    return DashboardInvalid(f"invalid dashboard: {path}: {message}",
                            details={"problems": [{"path": path, "message": message}]})


def _string(value: Any, path: str, problems: _Problems, *, pattern: re.Pattern[str] | None = None,
            what: str = "text", limit: int = MAX_TEXT) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(path, f"must be {what}")
        return None
    if len(value) > limit:
        problems.add(path, f"at most {limit} characters")
        return None
    if pattern is not None and not pattern.match(value):
        problems.add(path, f"must be {what}")
        return None
    if any(ord(c) < 32 and c not in "\t\n" for c in value):
        problems.add(path, "control characters are not allowed")
        return None
    return value.strip()


def _text(value: Any, path: str, problems: _Problems, *, required: bool = False) -> Text | None:
    if value is None:
        if required:
            problems.add(path, "required: a text, or {nl: …, en: …}")
        return None
    if isinstance(value, str):
        text = _string(value, path, problems)
        return Text(text) if text else None
    if isinstance(value, dict):
        for key in value:
            if key not in ("nl", "en"):
                problems.add(f"{path}.{str(key)[:20]}", "only nl and en")
        nl = _string(value.get("nl"), f"{path}.nl", problems)
        en = (_string(value["en"], f"{path}.en", problems)
              if value.get("en") is not None else None)
        return Text(nl, en) if nl else None
    problems.add(path, "a text, or {nl: …, en: …}")
    return None


def _number(value: Any, path: str, problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(path, "must be a finite number")
        return None
    return float(value)


def _tile(item: Any, path: str, problems: _Problems) -> TileSpec | None:
    if not isinstance(item, dict):
        problems.add(path, "a tile must be a mapping (id, type, title, …)")
        return None
    before = len(problems.items)
    for key in item:
        if key not in TILE_KEYS:
            problems.add(f"{path}.{str(key)[:40]}", "unknown field")
    tile_id = _string(item.get("id"), f"{path}.id", problems, pattern=TILE_ID,
                      what="1-40 lower-case letters, digits and '-'")
    kind = item.get("type")
    if kind not in TILE_TYPES:
        problems.add(f"{path}.type", "one of " + ", ".join(TILE_TYPES))
    title = _text(item.get("title"), f"{path}.title", problems, required=True)
    description = _text(item.get("description"), f"{path}.description", problems)
    sources = [k for k in ("dataset", "stream", "sensors") if item.get(k) is not None]
    if len(sources) != 1:
        problems.add(path, "give exactly one source: dataset (with a query), stream or sensors")
    dataset = query = stream = sensors = None
    query_text: dict[str, Any] = {}
    if item.get("dataset") is not None:
        dataset = _string(item["dataset"], f"{path}.dataset", problems, pattern=SLUG,
                          what="a dataset id")
        query, query_text = _query(item.get("query"), f"{path}.query", problems)
    elif item.get("query") is not None:
        problems.add(f"{path}.query", "a query needs a dataset")
    if item.get("stream") is not None:
        stream = _stream(item["stream"], f"{path}.stream", problems)
        if kind in ("bars", "table", "map"):
            problems.add(f"{path}.stream", f"a {kind} tile needs a dataset or sensors")
    if kind == "map" and item.get("sensors") is None and item.get("dataset") is None:
        problems.add(f"{path}.sensors", "a map tile shows sensors (give sensors) or the "
                     "shapes of a dataset (give dataset, geometry, value and bands)")
    if item.get("sensors") is not None:
        sensors = _sensors(item["sensors"], f"{path}.sensors", problems)
        if kind not in ("map", "table"):
            problems.add(f"{path}.sensors", "only map and table tiles show sensors")
    names = {}
    for key in ("value", "time", "x", "y", "series", "geometry", "label"):
        if item.get(key) is not None:
            names[key] = _string(item[key], f"{path}.{key}", problems, pattern=NAME,
                                 what="a field name")
    if kind in ("line", "bars") and dataset is not None:
        for key in ("x", "y"):
            if item.get(key) is None:
                problems.add(f"{path}.{key}", f"a {kind} tile over a dataset names its {key} field")
    unit = (_string(item["unit"], f"{path}.unit", problems, limit=30)
            if item.get("unit") is not None else None)
    shapes = kind == "map" and item.get("dataset") is not None
    if shapes:
        _shapes(item, path, problems)
    elif any(item.get(k) is not None for k in ("geometry", "label", "bands")):
        for key in ("geometry", "label", "bands"):
            if item.get(key) is not None:
                problems.add(f"{path}.{key}", "only a map tile over a dataset has "
                             "geometry, label and bands")
    bands_key = "bands" if item.get("bands") is not None else "thresholds"
    thresholds = _thresholds(item.get(bands_key), f"{path}.{bands_key}", problems)
    if kind == "gauge" and not thresholds:
        thresholds = GAUGE_THRESHOLDS
    hours = 24.0
    if item.get("hours") is not None:
        found = _number(item["hours"], f"{path}.hours", problems)
        if found is not None and not 0 < found <= MAX_STREAM_HOURS:
            problems.add(f"{path}.hours", f"between 0 and {MAX_STREAM_HOURS}")
        elif found is not None:
            hours = found
    columns: tuple[str, ...] = ()
    if item.get("columns") is not None:
        if not isinstance(item["columns"], list) or len(item["columns"]) > 20:
            problems.add(f"{path}.columns", "a list of at most 20 field names")
        else:
            columns = tuple(c for i, c in enumerate(item["columns"]) if _string(
                c, f"{path}.columns[{i}]", problems, pattern=NAME, what="a field name"))
    forecast = (_forecast(item["forecast"], f"{path}.forecast", problems)
                if item.get("forecast") is not None else None)
    if len(problems.items) > before or tile_id is None or title is None:
        return None
    return TileSpec(
        id=tile_id, type=str(kind), title=title, description=description, dataset=dataset,
        query=query, query_text=query_text, stream=stream, sensors=sensors,
        value=names.get("value") or "value", time=names.get("time"), x=names.get("x"),
        y=names.get("y"), series=names.get("series"), unit=unit, thresholds=thresholds,
        hours=hours, columns=columns, geometry=names.get("geometry"), label=names.get("label"),
        forecast=forecast,
    )


def _shapes(item: dict[Any, Any], path: str, problems: _Problems) -> None:
    """What a map of a dataset's shapes needs besides what every tile has."""
    for key, what in (("geometry", "the one holding each shape (e.g. geo_shape)"),
                      ("value", "the one whose number colours each shape (e.g. score)")):
        if item.get(key) is None:
            problems.add(f"{path}.{key}", f"a map over a dataset names its {key} field: {what}")
    if item.get("bands") is not None and item.get("thresholds") is not None:
        problems.add(f"{path}.bands", "give bands or thresholds, not both (they are the same)")
    elif item.get("bands") is None and item.get("thresholds") is None:
        problems.add(f"{path}.bands", "a map over a dataset colours its shapes by bands: "
                     "[{upto: 33, colour: green, label: rustig}, …]")
    query = item.get("query")
    if isinstance(query, dict):
        for key in query:
            if key in QUERY_KEYS and key not in MAP_QUERY_KEYS:
                problems.add(f"{path}.query.{key}", "a map selects its geometry, value and "
                             "label itself: only " + ", ".join(MAP_QUERY_KEYS))


def _query(value: Any, path: str, problems: _Problems) -> tuple[Query | None, dict[str, Any]]:
    if value is None:
        return Query(limit=MAX_TILE_ROWS), {}
    if not isinstance(value, dict):
        problems.add(path, "a mapping of ODSQL clauses: " + ", ".join(QUERY_KEYS))
        return None, {}
    clauses: dict[str, Any] = {}
    for key, clause in value.items():
        if key not in QUERY_KEYS:
            problems.add(f"{path}.{str(key)[:40]}",
                         "unknown clause (" + ", ".join(QUERY_KEYS) + ")")
        elif key == "limit":
            if isinstance(clause, bool) or not isinstance(clause, int) or not (
                    1 <= clause <= MAX_TILE_ROWS):
                problems.add(f"{path}.limit", f"a whole number from 1 to {MAX_TILE_ROWS}")
            else:
                clauses[key] = clause
        elif not isinstance(clause, str) or len(clause) > MAX_CLAUSE or "\x00" in clause:
            problems.add(f"{path}.{key}", f"an ODSQL clause of at most {MAX_CLAUSE} characters")
        else:
            clauses[key] = clause
    if len(clauses) != len(value):
        return None, {}
    try:
        query = parse_query(select=clauses.get("select"), where=clauses.get("where"),
                            group_by=clauses.get("group_by"), order_by=clauses.get("order_by"),
                            limit=clauses.get("limit", MAX_TILE_ROWS))
    except QueryError as exc:
        clause = str(exc.details.get("clause") or "where")
        problems.add(f"{path}.{clause}", str(exc)[:300])
        return None, {}
    return query, clauses


def _stream(value: Any, path: str, problems: _Problems) -> Stream | None:
    if isinstance(value, str):
        value = {"sensor": value}
    if not isinstance(value, dict):
        problems.add(path, "a mapping: {sensor: …, property: …}")
        return None
    for key in value:
        if key not in ("sensor", "property"):
            problems.add(f"{path}.{str(key)[:40]}", "unknown field (sensor, property)")
    sensor = _string(value.get("sensor"), f"{path}.sensor", problems, pattern=SENSOR,
                     what="a sensor id")
    prop = (_string(value["property"], f"{path}.property", problems, pattern=NAME,
                    what="a property name") if value.get("property") is not None else None)
    return Stream(sensor, prop) if sensor else None


def _thresholds(value: Any, path: str, problems: _Problems) -> tuple[Threshold, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_THRESHOLDS:
        problems.add(path, f"a list of 1 to {MAX_THRESHOLDS} thresholds")
        return ()
    found: list[Threshold] = []
    previous = -math.inf
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "a mapping: {upto: number, colour: …, label: …}")
            continue
        for key in item:
            if key not in ("upto", "colour", "color", "label"):
                problems.add(f"{where}.{str(key)[:40]}", "unknown field (upto, colour, label)")
        upto = None
        if item.get("upto") is not None:
            upto = _number(item["upto"], f"{where}.upto", problems)
            if upto is not None and upto <= previous:
                problems.add(f"{where}.upto", "thresholds go up: larger than the one before")
            previous = upto if upto is not None else previous
        elif index != len(value) - 1:
            problems.add(f"{where}.upto", "only the last threshold may leave out upto")
        colour = item.get("colour", item.get("color"))
        if colour not in COLOURS:
            problems.add(f"{where}.colour", "one of " + ", ".join(COLOURS))
        label = _text(item.get("label"), f"{where}.label", problems, required=True)
        if label is not None and colour in COLOURS:
            found.append(Threshold(upto, str(colour), label))
    return tuple(found)


def _sensors(value: Any, path: str, problems: _Problems) -> SensorSource | None:
    if isinstance(value, str):
        value = {"dataset": value}
    if not isinstance(value, dict):
        problems.add(path, "a dataset id, or {dataset: …, kind: …}")
        return None
    for key in value:
        if key not in ("dataset", "kind"):
            problems.add(f"{path}.{str(key)[:40]}", "unknown field (dataset, kind)")
    dataset = _string(value.get("dataset", "*"), f"{path}.dataset", problems,
                      pattern=re.compile(r"^(\*|[a-z0-9][a-z0-9-]{0,99})$"),
                      what="a dataset id or *")
    kind = (_string(value["kind"], f"{path}.kind", problems, limit=50)
            if value.get("kind") is not None else None)
    return SensorSource(dataset, kind) if dataset else None


def _forecast(value: Any, path: str, problems: _Problems) -> ForecastRef | None:
    """``{zone: korenmarkt}``, ``{sensor: TP01}`` or ``{zones: "*"}``, with ``hours`` 1–48."""
    if not isinstance(value, dict):
        problems.add(path, "a mapping: {zone: …}, {sensor: …} or {zones: '*'}, "
                     f"optionally with hours (1-{MAX_FORECAST_HOURS})")
        return None
    for key in value:
        if key not in ("zone", "sensor", "zones", "hours"):
            problems.add(f"{path}.{str(key)[:40]}", "unknown field (zone, sensor, zones, hours)")
    given = [k for k in ("zone", "sensor", "zones") if value.get(k) is not None]
    if len(given) != 1:
        problems.add(path, "give exactly one of zone, sensor or zones: '*'")
        return None
    kind = given[0]
    subject: str | None = "*"
    if kind == "zones":
        if value["zones"] != "*":
            problems.add(f"{path}.zones", "'*': every zone")
            return None
    else:
        subject = _string(value[kind], f"{path}.{kind}", problems,
                          pattern=SENSOR if kind == "sensor" else ZONE,
                          what="a sensor id" if kind == "sensor" else "a zone id")
    hours = FORECAST_HOURS
    if value.get("hours") is not None:
        found = value["hours"]
        if isinstance(found, bool) or not isinstance(found, int) or not (
                1 <= found <= MAX_FORECAST_HOURS):
            problems.add(f"{path}.hours", f"a whole number from 1 to {MAX_FORECAST_HOURS}")
            return None
        hours = found
    return ForecastRef(kind, subject, hours) if subject else None
