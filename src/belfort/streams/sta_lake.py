"""SensorThings Observations that compaction moved from the hot store into the lake.

Compaction (``belfort.streams.compaction``) moves observations older than
``BELFORT_STREAM_HOT_HOURS`` into the raw Parquet parts of their sensor's live dataset,
keeping each row's id, so an Observation keeps its ``@iot.id``. When a Datastream's sensor
has such parts, its Observations are the parts' rows plus the hot store's, each
(sensor, property, phenomenon time) once (the part's row wins over a resent copy in the hot
store), filtered, ordered and paged here in Python: at most ``MAX_SCANNED`` rows are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as pads
from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import Observation, Sensor, StaDatastream
from belfort.errors import SensorThingsInvalid
from belfort.platform import Platform
from belfort.streams.live_data import HOT_SCHEMA, part_paths
from belfort.streams.live_schema import RAW
from belfort.streams.sta_query import Compare, Function, Literal, Node, Not, Path

MAX_SCANNED = 200_000
# STA property → attribute of an Observation row (or "datastream")
_ATTRIBUTES = {"id": "id", "@iot.id": "id", "phenomenonTime": "phenomenon_us",
               "resultTime": "result_us", "result": "value", "resultQuality": "quality",
               "Datastream/id": "datastream", "Datastream/@iot.id": "datastream"}
Row = tuple[Observation, int]  # an observation and its Datastream's id


def compacted_rows(platform: Platform, session: Session, datastreams: Iterable[StaDatastream],
                   *, only_id: int | None = None) -> list[Row]:
    """The lake's rows of these Datastreams (or the one with id ``only_id``)."""
    by_key = {(d.belfort_sensor_id, d.property): d.id for d in datastreams}
    if not by_key:
        return []
    sensors = sorted({sensor for sensor, _ in by_key})
    datasets = set(session.scalars(select(Sensor.dataset_id).where(Sensor.id.in_(sensors))))
    paths = [str(path) for dataset in sorted(datasets)
             for path in part_paths(platform, dataset, RAW)]
    if not paths:
        return []
    condition = pc.field("sensor_id").isin(sensors)
    if only_id is not None:
        condition = condition & (pc.field("id") == only_id)
    scanner = pads.dataset(paths, format="parquet").scanner(
        columns=list(HOT_SCHEMA.names), filter=condition)
    rows: list[Row] = []
    for batch in scanner.to_batches():
        for item in batch.to_pylist():
            datastream = by_key.get((item["sensor_id"], item["property"]))
            if datastream is None:
                continue
            rows.append((Observation(**item), datastream))
            if len(rows) > MAX_SCANNED:
                raise SensorThingsInvalid(
                    f"more than {MAX_SCANNED:,} Observations to look through: ask for one "
                    "Datastream's Observations (Datastreams(id)/Observations)")
    return rows


def _value(row: Row, name: str) -> Any:
    attribute = _ATTRIBUTES.get(name)
    if attribute is None:
        raise SensorThingsInvalid(f"Observations cannot be filtered or ordered on {name[:60]!r}")
    return row[1] if attribute == "datastream" else getattr(row[0], attribute)


def matches(node: Node, row: Row, literal: Any) -> bool:
    """Whether ``row`` meets a ``$filter`` tree; ``literal(value_node, property)`` gives a
    literal's value as the property compares it (the SQL path's coercion)."""
    if isinstance(node, Not):
        return not matches(node.operand, row, literal)
    if isinstance(node, Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, Literal) and isinstance(right, Path):
            left, right, op = right, left, {"gt": "lt", "ge": "le", "lt": "gt",
                                            "le": "ge"}.get(op, op)
        assert isinstance(left, Path) and isinstance(right, Literal)
        have = _value(row, left.name)
        if right.value is None:
            return (have is None) == (op == "eq")
        want = literal(right, left.name)
        if have is None:
            return False
        return bool({"eq": have == want, "ne": have != want, "gt": have > want,
                     "ge": have >= want, "lt": have < want, "le": have <= want}[op])
    if isinstance(node, Function):
        path, text = (node.args[1], node.args[0]) if node.name == "substringof" else node.args
        assert isinstance(path, Path) and isinstance(text, Literal)
        have = _value(row, path.name)
        if not isinstance(have, str) or not isinstance(text.value, str):
            return False
        if node.name == "startswith":
            return have.startswith(text.value)
        if node.name == "endswith":
            return have.endswith(text.value)
        return text.value in have
    if node.op == "and":
        return matches(node.left, row, literal) and matches(node.right, row, literal)
    return matches(node.left, row, literal) or matches(node.right, row, literal)


def merged(hot: list[Row], lake: list[Row]) -> list[Row]:
    """Each (sensor, property, phenomenon time) once; the lake's row over a resent copy."""
    seen = {(o.sensor_id, o.property, o.phenomenon_us) for o, _ in lake}
    return lake + [row for row in hot
                   if (row[0].sensor_id, row[0].property, row[0].phenomenon_us) not in seen]


def ordered(rows: list[Row], orderby: tuple[tuple[str, bool], ...]) -> list[Row]:
    """Sorted as the SQL path sorts: the ``$orderby`` keys (nulls first), then the id."""
    out = sorted(rows, key=lambda row: row[0].id)
    for name, descending in reversed(orderby):
        out.sort(key=lambda row, n=name: (_value(row, n) is not None,  # type: ignore[misc]
                                          _value(row, n) or 0), reverse=descending)
    return out
