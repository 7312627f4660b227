"""Type inference over the whole file, batch by batch.

Every column starts with all candidate parsers alive; each batch kills the
candidates some value in it does not satisfy. After the last batch the narrowest
survivor wins. Because every row is seen, a value on row 900,000 that is ``12,5``
in an otherwise integer column makes the column a number, instead of failing the
ingest later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from belfort.ingest.convert import (
    INFERENCE_ORDER,
    NUMBER_COMMA,
    NUMBER_POINT,
    ConversionError,
    Parser,
)

_HEAD = 256


def _accepts(parser: Parser, arr: pa.Array, values: list[object] | None) -> bool:
    """Vectorised strict check; per value in Python only when that fails."""
    try:
        parser.check(arr)
        return True
    except (ConversionError, pa.ArrowException):
        pass
    return parser.accepts_python(arr.to_pylist() if values is None else values)


@dataclass
class ColumnInference:
    """Candidate parsers still alive for one column."""

    alive: list[Parser] = field(default_factory=lambda: list(INFERENCE_ORDER))
    values_seen: int = 0

    def update(self, arr: pa.Array) -> None:
        """Narrow the candidates with one batch of string values (nulls = empty)."""
        non_null = len(arr) - arr.null_count
        if non_null == 0 or not self.alive:
            return
        self.values_seen += non_null
        values: list[object] | None = None
        head = arr.slice(0, _HEAD) if len(arr) > _HEAD else None
        survivors: list[Parser] = []
        implied: set[str] = set()
        for parser in self.alive:
            if parser.key in implied:
                survivors.append(parser)
                continue
            if head is not None and not _accepts(parser, head, head.to_pylist()):
                continue  # cheap rejection on the first values, before the whole batch
            if values is None and len(arr) > _HEAD:
                ok = _accepts(parser, arr, None)
            else:
                ok = _accepts(parser, arr, values)
            if ok:
                survivors.append(parser)
                implied.update(parser.implies)
        self.alive = survivors

    @property
    def decimal_comma_only(self) -> bool:
        keys = {p.key for p in self.alive}
        return NUMBER_COMMA.key in keys and NUMBER_POINT.key not in keys and "integer" not in keys

    def result(self, prefer_comma: bool) -> Parser | None:
        """The winning parser, or None for string (also for an all-empty column)."""
        if self.values_seen == 0 or not self.alive:
            return None
        keys = {p.key for p in self.alive}
        if "integer" not in keys and NUMBER_POINT.key in keys and NUMBER_COMMA.key in keys:
            return NUMBER_COMMA if prefer_comma else NUMBER_POINT
        return self.alive[0]


class TableInference:
    """Inference state for every column of a table."""

    def __init__(self, column_count: int) -> None:
        self.columns = [ColumnInference() for _ in range(column_count)]

    def update(self, batch: pa.RecordBatch) -> None:
        for column, state in zip(batch.columns, self.columns, strict=True):
            state.update(column)

    def results(self, *, delimiter: str | None = None) -> list[Parser | None]:
        """Per column the winning parser (None = string).

        A column whose values read the same with decimal point and decimal comma
        (e.g. only ``1.234``) follows the file: comma if another column is
        unambiguously decimal-comma, or if the file is semicolon-delimited (the
        Belgian Excel default) and no column says otherwise.
        """
        comma_votes = sum(1 for c in self.columns if c.decimal_comma_only)
        point_votes = sum(
            1
            for c in self.columns
            if NUMBER_POINT.key in {p.key for p in c.alive}
            and NUMBER_COMMA.key not in {p.key for p in c.alive}
            and c.values_seen
        )
        if comma_votes or point_votes:
            prefer_comma = comma_votes > point_votes
        else:
            prefer_comma = delimiter == ";"
        return [c.result(prefer_comma) for c in self.columns]


def infer_types(batches: Sequence[pa.RecordBatch]) -> list[Parser | None]:
    """Convenience for in-memory tables (tests, previews)."""
    if not batches:
        return []
    inference = TableInference(batches[0].num_columns)
    for batch in batches:
        inference.update(batch)
    return inference.results()
