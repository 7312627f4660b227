"""The ingest pipeline: any supported file → one typed Parquet file + report.

Text-like sources are read twice: pass 1 infers every column's type over the
whole file, pass 2 converts batch by batch and streams into a ParquetWriter.
Memory stays bounded by the batch size for CSV, XLSX and Parquet; JSON is parsed
in memory and therefore capped (see ``belfort.ingest.readers.json``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from belfort.errors import (
    BelfortError,
    InvalidRequest,
    UnreadableFile,
    UnsupportedFormat,
    ValidationFailed,
)
from belfort.ingest.convert import (
    ARROW_TYPES,
    Parser,
    convert_strings,
    in_zone,
    parsers_for_override,
)
from belfort.ingest.geometry import geometry_problem
from belfort.ingest.infer import TableInference
from belfort.ingest.limits import DEFAULT_LIMITS, IngestLimits
from belfort.ingest.names import clean_title, normalise_names
from belfort.ingest.readers.base import BadRow, TextSource
from belfort.ingest.report import NUL_PROBLEM, ValidationReport
from belfort.ingest.sniff import detect_format
from belfort.ingest.temporal import LOCAL_TZ, check_zone
from belfort.schema import FIELD_TYPES, Field, TableSchema

PARQUET_COMPRESSION = "snappy"

log = logging.getLogger("belfort.ingest")


@dataclass
class IngestResult:
    schema: TableSchema
    row_count: int
    report: ValidationReport
    source_format: str
    source_details: dict[str, Any]


@dataclass
class SniffResult:
    """What an upload-preview page shows before the user commits to an ingest.

    The schema is inferred from the first rows only (``inferred_from_rows``); the
    ingest itself infers over the whole file and may widen types.
    """

    format: str
    schema: TableSchema
    source_details: dict[str, Any]
    rows: list[dict[str, str | None]] = field(default_factory=list)
    inferred_from_rows: int = 0
    #: the types were inferred from every row (else from the first ``inferred_from_rows``)
    whole_file: bool = False


# --- opening sources ---------------------------------------------------------------


def _open_text_source(
    path: Path, fmt: str, sheet: str | None, limits: IngestLimits
) -> TextSource:
    if fmt == "csv":
        from belfort.ingest.readers.csv import open_csv_source

        source: TextSource = open_csv_source(path, limits)
    elif fmt in ("json", "geojson"):
        from belfort.ingest.readers.json import open_json_source

        source = open_json_source(path, limits)
    elif fmt == "xlsx":
        from belfort.ingest.readers.xlsx import XlsxSource

        source = XlsxSource(path, sheet, limits)
    else:  # pragma: no cover
        raise UnsupportedFormat(f"unsupported format {fmt!r}")
    limits.check_columns(len(source.headers))
    if any("\x00" in header for header in source.headers):
        raise UnreadableFile(f"the header row holds a {NUL_PROBLEM}")
    return source


def _unreadable(exc: Exception) -> UnreadableFile:
    """Every failure of a reader (Arrow, openpyxl, orjson, zipfile, the OS) as a typed error."""
    if not isinstance(exc, (pa.ArrowException, UnicodeError, ValueError, KeyError, EOFError)):
        log.warning("reader failed with %s", type(exc).__name__, exc_info=exc)
    text = " ".join(str(exc).split())[:300] or type(exc).__name__
    return UnreadableFile(f"the file cannot be read: {text}")


def _guard(action: Callable[[], Any]) -> Any:
    """Turn failures of readers and third-party libraries into UnreadableFile."""
    try:
        return action()
    except BelfortError:
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc


# --- schema and overrides ----------------------------------------------------------


def _resolve_overrides(
    overrides: Mapping[str, str] | None, names: list[str], titles: list[str]
) -> dict[int, str]:
    if not overrides:
        return {}
    resolved: dict[int, str] = {}
    for key, type_ in overrides.items():
        if type_ not in FIELD_TYPES:
            raise InvalidRequest(
                f"unknown type {type_!r} for field {key!r}; expected one of {', '.join(FIELD_TYPES)}"
            )
        if key in names:
            index = names.index(key)
        elif key in titles:
            index = titles.index(key)
        elif key.strip() in titles:
            index = titles.index(key.strip())
        else:
            raise InvalidRequest(
                f"override names unknown field {key!r}; fields are: {', '.join(names)}",
                details={"field": key, "fields": names},
            )
        resolved[index] = type_
    return resolved


@dataclass
class _Plan:
    fields: list[Field]
    parsers: list[list[Parser] | None]  # None: keep as string
    trusted: list[bool]  # the inferred parser, already checked in pass 1

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in self.fields])


def _plan(
    source: TextSource,
    inferred: list[Parser | None],
    overrides: Mapping[str, str] | None,
    zone: str = LOCAL_TZ,
) -> _Plan:
    titles = [clean_title(h) for h in source.headers]
    names = normalise_names(source.headers)
    forced = _resolve_overrides(overrides, names, titles)
    fields: list[Field] = []
    parsers: list[list[Parser] | None] = []
    trusted: list[bool] = []
    for index, (name, title) in enumerate(zip(names, titles, strict=True)):
        guess = inferred[index] if index < len(inferred) else None
        type_ = forced.get(index) or source.forced_types.get(index)
        if type_ is None:
            type_ = guess.type if guess is not None else "string"
            column_parsers = [in_zone(guess, zone)] if guess is not None else None
        elif type_ == "string":
            column_parsers = None
        else:
            column_parsers = parsers_for_override(type_, guess, zone)
        fmt = None
        if type_ == "geometry":
            fmt = "geojson"
        elif guess is not None and guess.type == type_:
            fmt = guess.format
        fields.append(Field(name=name, type=type_, title=title or None, format=fmt))
        parsers.append(column_parsers)
        trusted.append(index not in forced and index not in source.forced_types)
    return _Plan(fields, parsers, trusted)


# --- the two passes ----------------------------------------------------------------


def _stream(source: TextSource) -> Iterator[pa.RecordBatch]:
    """The source's batches, with parser failures reported as UnreadableFile."""
    iterator = source.batches()
    while (batch := _guard(lambda: next(iterator, None))) is not None:
        yield batch


def _infer(
    source: TextSource, max_rows: int | None = None, limits: IngestLimits = DEFAULT_LIMITS
) -> tuple[list[Parser | None], int]:
    """Pass 1; restarts once when the source asks (encoding fallback). Refuses a file
    passing the cell limit as soon as its rows (kept or dropped) say so."""
    width = len(source.headers)
    for _attempt in range(2):
        inference = TableInference(width)
        rows = 0
        try:
            for batch in source.batches():
                if max_rows is not None and rows >= max_rows:
                    break
                rows += batch.num_rows
                limits.check_cells(rows + len(source.bad_rows), width)
                inference.update(batch)
            limits.check_cells(rows + len(source.bad_rows), width)
        except BelfortError:
            raise
        except Exception as exc:
            if isinstance(exc, pa.ArrowInvalid) and source.retry_after(exc):
                continue
            raise _unreadable(exc) from exc
        return inference.results(delimiter=source.delimiter), rows
    raise UnreadableFile("the file cannot be decoded")  # pragma: no cover


def _row_number(index: int, skipped: list[int]) -> int:
    """Data-row number (from 1) of the ``index``-th kept row, given dropped rows."""
    number = index + 1
    for row in skipped:
        if row <= number:
            number += 1
        else:
            break
    return number


def _report_bad_rows(report: ValidationReport, bad_rows: list[BadRow]) -> None:
    grouped: dict[str, list[BadRow]] = {}
    for bad in bad_rows:
        grouped.setdefault(bad.problem if "fields" not in bad.problem else "wrong number of fields", []).append(bad)
    for problem, rows in grouped.items():
        first = rows[0]
        report.add_many(
            None,
            problem,
            len(rows),
            [(b.row, f"{b.problem}: {b.text}" if b.text else b.problem) for b in rows],
            code=first.code,
            params=first.params if first.code != "wrong_field_count" or len(rows) == 1 else {},
        )


def _shown(value: pa.Scalar) -> str:
    """A value with NUL bytes as the report shows it: visible, and short."""
    text = str(value.as_py())
    return text.replace("\x00", "\\0")[:200]


def _without_nul(column: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """The column with values holding a NUL byte nulled, and which those were (None: none)."""
    if not pa.types.is_string(column.type) or len(column) == column.null_count:
        return column, None
    mask = pc.fill_null(pc.match_substring(column, "\x00"), False)
    if not pc.any(mask).as_py():
        return column, None
    return pc.if_else(mask, pa.scalar(None, column.type), column), mask.to_numpy(zero_copy_only=False)


def _report_geometries(
    report: ValidationReport,
    name: str,
    column: pa.Array,
    bad: np.ndarray,
    row_numbers: list[int],
) -> None:
    """Invalid geometries, grouped by what is wrong with them (per feature, with the reason);
    ``row_numbers`` are the data-row numbers of the ``bad`` positions."""
    grouped: dict[str, list[tuple[int, Any]]] = {}
    counts: dict[str, int] = {}
    for number, i in zip(row_numbers, np.flatnonzero(bad), strict=True):
        text = column[int(i)].as_py()
        reason = geometry_problem(text) or "not a GeoJSON geometry"
        problem = f"invalid geometry: {reason}"
        counts[problem] = counts.get(problem, 0) + 1
        examples = grouped.setdefault(problem, [])
        if len(examples) < report.max_examples:
            examples.append((number, text[:200] if isinstance(text, str) else text))
    for problem, examples in grouped.items():
        report.add_many(name, problem, counts[problem], examples, code="invalid_geometry",
                        params={"reason": problem.removeprefix("invalid geometry: ")})


def _write_text(
    source: TextSource,
    plan: _Plan,
    destination: Path,
    report: ValidationReport,
    max_invalid_rows: int,
    progress: Callable[[int], None] | None,
) -> int:
    skipped = sorted(b.row for b in source.bad_rows)
    invalid_rows = len(source.bad_rows)
    schema = plan.arrow_schema
    rows_done = 0
    writer = pq.ParquetWriter(str(destination), schema, compression=PARQUET_COMPRESSION)
    try:
        for batch in _stream(source):
            arrays: list[pa.Array] = []
            bad_rows: np.ndarray | None = None
            for index, (spec, column_parsers) in enumerate(zip(plan.fields, plan.parsers, strict=True)):
                column, nul = _without_nul(batch.column(index))
                if nul is not None:
                    positions = np.flatnonzero(nul)
                    examples = [
                        (_row_number(rows_done + int(i), skipped), _shown(batch.column(index)[int(i)]))
                        for i in positions[: report.max_examples]
                    ]
                    report.add_many(spec.name, NUL_PROBLEM, len(positions), examples, code="nul_byte")
                    bad_rows = nul if bad_rows is None else bad_rows | nul
                if column_parsers is None:
                    if source.fill_empty_strings and column.null_count:
                        column = column.fill_null("")
                    arrays.append(column.cast(pa.string()))
                    continue
                converted = convert_strings(
                    column, spec.type, column_parsers, trusted=plan.trusted[index]
                )
                arrays.append(converted.array)
                if converted.bad is not None:
                    if spec.type == "geometry":
                        numbers = [_row_number(rows_done + int(i), skipped)
                                   for i in np.flatnonzero(converted.bad)]
                        _report_geometries(report, spec.name, column, converted.bad, numbers)
                    else:
                        positions = np.flatnonzero(converted.bad)
                        examples = [
                            (_row_number(rows_done + int(i), skipped), column[int(i)].as_py())
                            for i in positions[: report.max_examples]
                        ]
                        report.add_many(spec.name, converted.problem, len(positions), examples,
                                        code=converted.code, params=converted.params)
                    bad_rows = converted.bad if bad_rows is None else bad_rows | converted.bad
            if bad_rows is not None:
                invalid_rows += int(bad_rows.sum())
            if invalid_rows <= max_invalid_rows:
                writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            rows_done += batch.num_rows
            if progress is not None:
                progress(rows_done)
    finally:
        writer.close()
    _report_bad_rows(report, source.bad_rows)
    report.rows_read = rows_done + len(source.bad_rows)
    if invalid_rows > max_invalid_rows:
        raise ValidationFailed(
            f"{invalid_rows} row(s) failed validation (at most {max_invalid_rows} allowed)",
            details={"report": report.to_dict()},
        )
    return rows_done


# --- public API --------------------------------------------------------------------


def convert_to_parquet(
    source: Path,
    destination: Path,
    *,
    format: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_examples: int = 5,
    max_invalid_rows: int = 0,
    progress: Callable[[int], None] | None = None,
    timezone: str = LOCAL_TZ,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestResult:
    """Read ``source`` in any supported format and write one typed Parquet file.

    Times without a UTC offset are local times of ``timezone`` (an IANA name); the
    result's ``source_details["timezone"]`` records it, so the version says how it was read.
    On failure ``destination`` does not exist afterwards and UnsupportedFormat,
    UnreadableFile, ValidationFailed, InvalidRequest (bad override/sheet/zone),
    FileShapeRefused or FileTooLarge (past one of ``limits``) is raised; nothing else.
    """
    check_zone(timezone)
    source = Path(source)
    destination = Path(destination)
    report = ValidationReport(max_examples=max_examples)
    try:
        fmt = detect_format(source, format)
        if fmt == "parquet":
            from belfort.ingest.readers.parquet import convert_parquet

            schema, rows, details = _guard(
                lambda: convert_parquet(
                    source, destination, overrides, report, max_invalid_rows, progress, timezone,
                    limits,
                )
            )
            return IngestResult(schema, rows, report, "parquet", {**details, "timezone": timezone})
        text_source = _guard(lambda: _open_text_source(source, fmt, sheet, limits))
        inferred, _ = _infer(text_source, limits=limits)
        plan = _plan(text_source, inferred, overrides, timezone)
        rows = _write_text(text_source, plan, destination, report, max_invalid_rows, progress)
        details = {**text_source.details, "timezone": timezone}
        numeric_formats = {f.format for f in plan.fields if f.type == "number"}
        if numeric_formats and text_source.format == "csv":
            details["decimal"] = "," if "decimal comma" in numeric_formats else "."
        return IngestResult(
            TableSchema(tuple(plan.fields)), rows, report, text_source.format, details
        )
    except BaseException:
        destination.unlink(missing_ok=True)
        raise


def sniff(
    source: Path,
    format: str | None = None,
    sheet: str | None = None,
    sample_rows: int = 20,
    *,
    inference_rows: int | None = 10_000,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> SniffResult:
    """Detect format and dialect, infer a schema from the first ``inference_rows`` rows
    (None: from every row, as an ingest does), show a sample."""
    source = Path(source)
    fmt = detect_format(source, format)
    if fmt == "parquet":
        from belfort.ingest.readers.parquet import sniff_parquet

        sniffed: SniffResult = _guard(lambda: sniff_parquet(source, sample_rows, limits))
        return sniffed
    text_source = _guard(lambda: _open_text_source(source, fmt, sheet, limits))
    inferred, seen = _infer(text_source, max_rows=inference_rows, limits=limits)
    plan = _plan(text_source, inferred, None)
    rows: list[dict[str, str | None]] = []
    names = [f.name for f in plan.fields]
    iterator = _stream(text_source)
    try:
        for batch in iterator:
            for record in batch.to_pylist():
                rows.append(dict(zip(names, record.values(), strict=True)))
                if len(rows) >= sample_rows:
                    break
            if len(rows) >= sample_rows:
                break
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return SniffResult(
        format=text_source.format,
        schema=TableSchema(tuple(plan.fields)),
        source_details=dict(text_source.details),
        rows=rows,
        inferred_from_rows=seen,
        # every row asked for, or fewer rows than asked for: the file ended
        whole_file=inference_rows is None or seen < inference_rows,
    )
