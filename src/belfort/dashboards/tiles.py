"""A tile's data now, for one principal: through the gate, the query engine and the hot store.

- A ``dataset`` tile asks ``belfort.policy.reading.readable`` (the gate) for the dataset's
  readable version and runs its query on the engine; a dataset the principal may not read
  (or that does not exist yet) gives an empty tile, the same either way, so a tile never
  tells whether restricted data exists.
- A principal whose grant allows only aggregates (``Grant.min_group_size``) gets the tile's
  figures under the same aggregation threshold as every other dialect
  (``belfort.query.disclosure``): a bar or point of a group below k is omitted (and the ones
  that would reveal it), a single figure over fewer than k records is None with
  ``state="suppressed"``; ``suppressed`` says how many were withheld and ``threshold`` the k.
  A tile that reads rows (a table of records, a map of shapes) stays empty for it.
- A ``map`` tile over a dataset (``TileSpec.shapes``) asks the gate the same way and selects
  each row's shape, value and label (``shapes``: zones coloured by their band).
- A ``stream`` or ``sensors`` tile reads the hot store (``belfort.streams.read``) only for
  sensors whose live dataset the principal may read (staff: every sensor).

The answer (``TileData``) is plain data: the API sends it as JSON (``to_dict``), the portal
draws it. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import func, select

from belfort.catalog.models import Observation, Sensor
from belfort.dashboards.fields import shape_problems
from belfort.dashboards.forecasts import tile_forecast
from belfort.dashboards.spec import Threshold, TileSpec
from belfort.errors import BelfortError, DashboardInvalid
from belfort.platform import Platform
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import disclosure_of, readable
from belfort.query.model import (
    And,
    Compare,
    Expr,
    FieldRef,
    IsNull,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.streams.model import from_us, now_us, to_us
from belfort.streams.read import StoredObservation, sensor_observations

WEEK_US = 7 * 86_400 * 1_000_000
MAX_SENSORS = 500
MAX_STREAM_POINTS = 500
MAX_SHAPE_TEXT = 2_000_000  # characters of GeoJSON a map tile carries (to the browser too)


@dataclass
class TileData:
    """What a tile shows now. ``state``: "ok", "suppressed" (withheld by an aggregation
    threshold: fewer than k records) or "empty" (no data, or none this principal
    may see). ``rows``: line/bars points ``{"x", "y"[, "series"][, "level"]}`` or table
    rows; ``points``: map markers."""

    id: str
    type: str
    state: str = "empty"
    value: float | None = None
    time: str | None = None
    previous: float | None = None  # the value a week before (kpi)
    trend: float | None = None  # per cent change against a week before
    level: dict[str, Any] | None = None
    unit: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    # a map over a dataset: {"name", "value", "level", "geometry" (GeoJSON, or None)}
    shapes: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # why a query failed (only staff are told)
    # under an aggregation threshold: its k, and how many groups it withheld
    threshold: int | None = None
    suppressed: int = 0
    # the tile's forecast beside its live value (belfort.dashboards.forecasts), when it has one
    forecast: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "state": self.state, "value": self.value,
            "time": self.time, "previous": self.previous, "trend": self.trend,
            "level": self.level, "unit": self.unit, "columns": self.columns,
            "rows": self.rows, "points": self.points, "shapes": self.shapes,
            "problem": self.problem, "threshold": self.threshold,
            "suppressed": self.suppressed, "forecast": self.forecast,
        }


def level_dict(threshold: Threshold | None) -> dict[str, Any] | None:
    if threshold is None:
        return None
    return {"colour": threshold.colour, "label": threshold.label.to_dict()}


def tile_data(platform: Platform, principal: Principal, tile: TileSpec, *,
              count_use: bool = False) -> TileData:
    """The tile's data now; never raises for a problem with the data (an empty tile)."""
    data = TileData(tile.id, tile.type, unit=tile.unit)
    try:
        if tile.dataset is not None:
            _from_dataset(platform, principal, tile, data, count_use)
        elif tile.stream is not None:
            _from_stream(platform, principal, tile, data)
        elif tile.sensors is not None:
            _from_sensors(platform, principal, tile, data)
    except BelfortError as exc:
        data = TileData(tile.id, tile.type, unit=tile.unit,
                        problem=exc.message[:300] if principal.is_admin else None)
    if tile.forecast is not None:
        data.forecast = tile_forecast(
            platform, principal, tile.forecast,
            lambda dataset_id: may_read_sensors_of(platform, principal, dataset_id))
    return data


# --- datasets --------------------------------------------------------------------------


def _from_dataset(platform: Platform, principal: Principal, tile: TileSpec, data: TileData,
                  count_use: bool) -> None:
    assert tile.dataset is not None and tile.query is not None
    try:
        rv = readable(platform, principal, tile.dataset, count_use=count_use,
                      action=Action.AGGREGATE)
    except BelfortError:
        return  # not there, or not for this principal: the same empty tile
    disclosure = disclosure_of(platform, rv)
    if disclosure is not None:
        if tile.shapes or tile.type == "kpi" and tile.time:
            return  # shapes are rows; a KPI's "newest value" is one record's: refused
        data.threshold = disclosure.min_group_size
    elif tile.shapes:
        _shapes(platform, rv, tile, data)
        return
    result = platform.engine.execute(tile.query, rv.schema, rv.path, disclosure=disclosure)
    data.suppressed = result.suppressed
    records = [{k: plain(v) for k, v in r.items()} for r in result.records()]
    if disclosure is not None and tile.type in ("kpi", "gauge") and records and all(
            v is None for v in records[0].values()):
        data.state = "suppressed"  # one figure over fewer than k records
        return
    if not records:
        if data.suppressed:
            data.state = "suppressed"
        return
    data.state = "ok"
    if tile.type in ("kpi", "gauge"):
        first = records[0]
        data.value = number(first.get(tile.value))
        data.time = _text(first.get(tile.time)) if tile.time else None
        data.level = level_dict(tile.level(data.value))
        if tile.type == "kpi" and tile.time and data.value is not None:
            moment = result.records()[0].get(tile.time)
            if isinstance(moment, dt.datetime | dt.date):
                _dataset_trend(platform, rv, tile, moment, data)
        if data.value is None:
            data.state = "empty"
    elif tile.type in ("line", "bars"):
        data.rows = _points(records, tile)
        if data.rows:
            last = max(data.rows, key=lambda r: str(r["x"])) if tile.type == "line" else None
            data.value = last["y"] if last else None
        if tile.time:
            times = [t for r in records if (t := _text(r.get(tile.time)))]
            data.time = max(times) if times else None
    else:  # table
        data.columns = list(tile.columns) or list(records[0])
        data.rows = [{c: r.get(c) for c in data.columns} for r in records]


def _dataset_trend(platform: Platform, rv: Any, tile: TileSpec, moment: dt.date,
                   data: TileData) -> None:
    """The same question about a week before ``moment``: the newest answer at or before it."""
    assert tile.query is not None and tile.time is not None
    before = Compare("<=", FieldRef(tile.time), Literal(moment - dt.timedelta(days=7)))
    where: Expr = before if tile.query.where is None else And((tile.query.where, before))
    try:
        earlier = platform.engine.execute(replace(tile.query, where=where, limit=1), rv.schema,
                                          rv.path).records()
    except BelfortError:
        return
    if earlier:
        _trend(data, number(earlier[0].get(tile.value)))


def _trend(data: TileData, previous: float | None) -> None:
    data.previous = previous
    if previous is not None and data.value is not None and previous != 0:
        data.trend = round((data.value - previous) / abs(previous) * 100, 1)


def _points(records: list[dict[str, Any]], tile: TileSpec) -> list[dict[str, Any]]:
    points = []
    for r in records:
        y = number(r.get(tile.y or "value"))
        x = r.get(tile.x or "x")
        if x is None:
            continue
        point: dict[str, Any] = {"x": x, "y": y}
        if tile.series:
            point["series"] = _text(r.get(tile.series)) or ""
        if tile.thresholds:
            point["level"] = level_dict(tile.level(y))
        points.append(point)
    if tile.type == "line":
        points.sort(key=lambda p: str(p["x"]))
    return points


def _shapes(platform: Platform, rv: Any, tile: TileSpec, data: TileData) -> None:
    """Each row's shape, value, band and label, for a map over a dataset; the shapes' GeoJSON
    up to ``MAX_SHAPE_TEXT`` characters in all (beyond it a row keeps its value and band,
    for the table, without its shape)."""
    assert tile.query is not None and tile.geometry is not None
    problems = shape_problems(rv.schema, tile, "")
    if problems:
        raise DashboardInvalid(problems[0]["path"].lstrip(".") + ": " + problems[0]["message"],
                               details={"problems": problems})
    wanted = [tile.geometry, tile.value] + [n for n in (tile.label, tile.time) if n]
    names = list(dict.fromkeys(wanted))  # a field named twice is selected once
    present: Expr = IsNull(FieldRef(tile.geometry), negated=True)
    query = replace(tile.query, select=tuple(SelectItem(FieldRef(n)) for n in names),
                    where=present if tile.query.where is None else And((tile.query.where,
                                                                        present)),
                    group_by=())
    result = platform.engine.execute(query, rv.schema, rv.path)
    at = {n: i for i, n in enumerate(names)}
    budget = MAX_SHAPE_TEXT
    times = []
    for row in result.rows:
        geometry = _geojson(row[at[tile.geometry]])
        size = len(orjson.dumps(geometry)) if geometry is not None else 0
        if size > budget:
            geometry, size = None, 0
        budget -= size
        value = number(plain(row[at[tile.value]]))
        label = row[at[tile.label]] if tile.label else None
        data.shapes.append({"name": None if label is None else str(label)[:200],
                            "value": value, "level": level_dict(tile.level(value)),
                            "geometry": geometry})
        if tile.time and (moment := _text(plain(row[at[tile.time]]))):
            times.append(moment)
    if data.shapes:
        data.state = "ok"
        data.time = max(times) if times else None


def _geojson(value: Any) -> dict[str, Any] | None:
    """A geometry field's value as GeoJSON: a geopoint ``{lat, lon}`` as a Point, GeoJSON
    text parsed (a Feature's geometry); anything else None (the portal checks positions)."""
    if isinstance(value, dict) and "lat" in value and "lon" in value:
        return {"type": "Point", "coordinates": [value["lon"], value["lat"]]}
    if not isinstance(value, str | bytes):
        return None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict) and parsed.get("type") == "Feature":
        parsed = parsed.get("geometry")
    if isinstance(parsed, dict) and isinstance(parsed.get("type"), str) and (
            "coordinates" in parsed or "geometries" in parsed):
        return parsed
    return None


# --- the hot store ---------------------------------------------------------------------


def may_read_sensors_of(platform: Platform, principal: Principal, dataset_id: str) -> bool:
    """Whether the principal may see the observations of sensors feeding ``dataset_id``:
    what the gate says of that dataset (staff see every sensor)."""
    if principal.is_admin:
        return True
    try:
        readable(platform, principal, dataset_id, count_use=False)
    except BelfortError:
        return False
    return True


def _from_stream(platform: Platform, principal: Principal, tile: TileSpec, data: TileData) -> None:
    assert tile.stream is not None
    with platform.db.session() as session:
        sensor = session.get(Sensor, tile.stream.sensor)
        found = None if sensor is None else (sensor.dataset_id, sensor.observed_property,
                                             sensor.unit)
    if found is None or not may_read_sensors_of(platform, principal, found[0]):
        return
    prop = tile.stream.property or found[1]
    data.unit = tile.unit or found[2]
    sensor_id, dataset_id = tile.stream.sensor, found[0]
    if tile.type == "line":
        since = now_us() - int(tile.hours * 3_600_000_000)
        newest = sensor_observations(platform, sensor_id, since_us=since, property=prop,
                                     limit=MAX_STREAM_POINTS, newest_first=True)
        points = [(o.phenomenon_us, o.value) for o in reversed(newest)]
        oldest_hot = points[0][0] if points else None
        if len(points) < MAX_STREAM_POINTS:  # what compaction moved to the lake: the dataset
            points = _history(platform, principal, dataset_id, sensor_id, prop, since,
                              oldest_hot, MAX_STREAM_POINTS - len(points))[::-1] + points
        data.rows = [{"x": _iso(at), "y": value} for at, value in points]
        if tile.thresholds:
            for row in data.rows:
                row["level"] = level_dict(tile.level(row["y"]))
        if newest:
            data.state, data.value, data.time = "ok", newest[0].value, _iso(newest[0].phenomenon_us)
        return
    last = sensor_observations(platform, tile.stream.sensor, property=prop, limit=1,
                               newest_first=True)
    if not last:
        return
    data.state, data.value, data.time = "ok", last[0].value, _iso(last[0].phenomenon_us)
    data.level = level_dict(tile.level(data.value))
    if tile.type == "kpi":
        until = last[0].phenomenon_us - WEEK_US + 1
        earlier = [(o.phenomenon_us, o.value) for o in sensor_observations(
            platform, sensor_id, property=prop, limit=1, until_us=until, newest_first=True)]
        earlier = earlier or _history(platform, principal, dataset_id, sensor_id, prop, None,
                                      until, 1)
        if earlier:
            _trend(data, earlier[0][1])


def _history(platform: Platform, principal: Principal, dataset_id: str, sensor_id: str,
             prop: str, since_us: int | None, until_us: int | None, limit: int
             ) -> list[tuple[int, float]]:
    """A sensor's observations no longer in the hot store, newest first, from its live
    dataset (``belfort.streams.live_catalog``: hot store and compacted files as one) read
    through the gate and the engine; nothing when the dataset is not a live one."""
    conditions: list[Expr] = [Compare("=", FieldRef("sensor"), Literal(sensor_id)),
                              Compare("=", FieldRef("eigenschap"), Literal(prop))]
    if since_us is not None:
        conditions.append(Compare(">=", FieldRef("tijdstip"), Literal(from_us(since_us))))
    if until_us is not None:
        conditions.append(Compare("<", FieldRef("tijdstip"), Literal(from_us(until_us))))
    query = Query(select=(SelectItem(FieldRef("tijdstip")), SelectItem(FieldRef("waarde"))),
                  where=And(tuple(conditions)), order_by=(OrderItem(FieldRef("tijdstip"), True),),
                  limit=limit)
    try:
        rv = readable(platform, principal, dataset_id, count_use=False)
        if rv.schema.get("sensor") is None or rv.schema.get("waarde") is None:
            return []
        rows = platform.engine.execute(query, rv.schema, rv.path).rows
    except BelfortError:
        return []
    found = []
    for moment, value in rows:
        if isinstance(moment, dt.datetime) and number(value) is not None:
            found.append((to_us(moment), float(value)))
    return found


def _from_sensors(platform: Platform, principal: Principal, tile: TileSpec, data: TileData) -> None:
    assert tile.sensors is not None
    query = select(Sensor).where(Sensor.active.is_(True)).order_by(Sensor.id).limit(MAX_SENSORS)
    if tile.sensors.dataset != "*":
        query = query.where(Sensor.dataset_id == tile.sensors.dataset)
    if tile.sensors.kind is not None:
        query = query.where(Sensor.kind == tile.sensors.kind)
    with platform.db.session() as session:
        sensors = [(s.id, s.name, s.dataset_id, s.observed_property, s.unit, s.longitude,
                    s.latitude) for s in session.scalars(query)]
    allowed: dict[str, bool] = {}
    visible = []
    for sensor in sensors:
        if sensor[2] not in allowed:
            allowed[sensor[2]] = may_read_sensors_of(platform, principal, sensor[2])
        if allowed[sensor[2]]:
            visible.append(sensor)
    latest = _latest(platform, [(s[0], s[3]) for s in visible])
    for sid, name, _dataset, _prop, unit, lon, lat in visible:
        obs = latest.get(sid)
        value = obs.value if obs else None
        point = {"id": sid, "name": name, "lon": lon, "lat": lat, "value": value,
                 "time": _iso(obs.phenomenon_us) if obs else None, "unit": tile.unit or unit,
                 "level": level_dict(tile.level(value))}
        data.points.append(point)
    data.columns = ["name", "value", "time"]
    data.rows = [{"name": p["name"], "value": p["value"], "time": p["time"]}
                 for p in data.points]
    if tile.type == "map":
        data.points = [p for p in data.points if p["lon"] is not None]
    if any(p["value"] is not None for p in data.points):
        data.state = "ok"
        times = [p["time"] for p in data.points if p["time"]]
        data.time = max(times) if times else None


def _latest(platform: Platform, sensors: list[tuple[str, str]]
            ) -> dict[str, StoredObservation]:
    """The newest observation of each sensor's own property (one query for the ids)."""
    if not sensors:
        return {}
    wanted = dict(sensors)
    newest = (select(func.max(Observation.id))
              .where(Observation.sensor_id.in_(list(wanted)))
              .group_by(Observation.sensor_id, Observation.property))
    with platform.db.session() as session:
        ids = [i for i in session.scalars(newest) if i is not None]
        rows = session.scalars(select(Observation).where(Observation.id.in_(ids))).all() if ids \
            else []
        found: dict[str, StoredObservation] = {}
        for o in rows:
            if o.property != wanted.get(o.sensor_id):
                continue
            found[o.sensor_id] = StoredObservation(
                o.id, o.sensor_id, o.property, o.phenomenon_us, o.phenomenon_end_us, o.result_us,
                o.value, o.quality, o.weight)
    return found


# --- values ----------------------------------------------------------------------------


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """A value as JSON carries it: times as ISO 8601 (UTC with ``Z``), decimals as floats,
    not-a-number as None."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return None
    return value


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
