"""XLSX reader (openpyxl's streaming sheet parser).

The header is the first row with any non-empty cell; fully empty rows are
skipped (Excel files are full of them) and not numbered. Typed cells are
rendered to canonical text (dates as ISO, so they infer as date/datetime again;
numbers as Python literals), which lets XLSX share the CSV inference, overrides
and report. The workbook is streamed twice (inference, conversion) so memory does
not grow with the sheet.

Hostile workbooks (issue 11): the archive's declared member sizes are checked before
anything is inflated, and the shared-strings table (which openpyxl holds in memory) is
counted while it is inflated, before the workbook is opened (:func:`check_archive`). The
sheet's declared dimension (``A1:XFD1048576``) is never trusted: rows are taken as the
sheet's XML holds them, each as the cells it has, so a sheet with one far cell costs one
row, not a million padded ones.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from belfort.errors import FileShapeRefused, FileTooLarge, InvalidRequest, UnreadableFile
from belfort.ingest.limits import DEFAULT_LIMITS, IngestLimits
from belfort.ingest.readers.base import BATCH_ROWS, BadRow, TextSource, rows_to_batch, to_text

SHARED_STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# an entry starts <si (no other element of a shared-strings table does) or, with a namespace
# prefix, <x:si followed by >, / or white space
_PREFIXED = re.compile(rb"<\w{1,10}:si[\s>/]")
_OVERLAP = 16  # longer than any match: one cut by a chunk edge is counted in the next
_CHUNK = 1 << 20
MAX_CONTENT_TYPES_BYTES = 1 << 20

Row = list[tuple[int, Any]]  # (column from 1, value) of the non-empty cells of one row


def _shared_strings_members(archive: zipfile.ZipFile) -> set[str]:
    names = {n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")}
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return names
    if info.file_size <= MAX_CONTENT_TYPES_BYTES:
        manifest = archive.read(info)
        for match in re.finditer(rb'<Override[^>]*>', manifest):
            element = match.group(0)
            part = re.search(rb'PartName="/?([^"]+)"', element)
            if part and SHARED_STRINGS_TYPE in element:
                names.add(part.group(1).decode("utf-8", "replace"))
    return names


def _count_shared_strings(archive: zipfile.ZipFile, name: str, limits: IngestLimits) -> int:
    """Count the entries of a shared-strings table while inflating it, chunk by chunk."""
    count = inflated = 0
    tail = b""
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            inflated += len(chunk)
            if inflated > limits.max_shared_strings_bytes:
                raise _strings_too_large(inflated, limits)
            buffer = tail + chunk
            # occurrences ending in this chunk (those wholly inside the tail were counted)
            count += buffer.count(b"<si") - tail.count(b"<si")
            if b":si" in buffer:
                count += len(_PREFIXED.findall(buffer)) - len(_PREFIXED.findall(tail))
            if count > limits.max_shared_strings:
                raise FileShapeRefused(
                    f"the workbook's shared-strings table holds more than "
                    f"{limits.max_shared_strings:,} entries (BELFORT_INGEST_MAX_SHARED_STRINGS)",
                    details={"limit": "shared_strings", "maximum": limits.max_shared_strings},
                )
            tail = buffer[-_OVERLAP:]
    return count


def _strings_too_large(size: int, limits: IngestLimits) -> FileTooLarge:
    return FileTooLarge(
        f"the workbook's shared-strings table inflates to {size:,} bytes; at most "
        f"{limits.max_shared_strings_bytes:,} are accepted (BELFORT_INGEST_MAX_SHARED_STRINGS_BYTES)",
        details={"limit": "shared_strings_bytes", "maximum": limits.max_shared_strings_bytes},
    )


def check_archive(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> None:
    """Refuse a workbook whose archive would inflate past the limits, before openpyxl opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            limits.check_decompressed(sum(i.file_size for i in infos), "the workbook")
            for name in _shared_strings_members(archive):
                try:
                    size = archive.getinfo(name).file_size
                except KeyError:
                    continue
                if size > limits.max_shared_strings_bytes:
                    raise _strings_too_large(size, limits)
                _count_shared_strings(archive, name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of errors on corrupt files
        raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc


def _rows(workbook: Any, sheet: str) -> Iterator[Row]:
    """The sheet's non-empty rows as their non-empty cells, in file order.

    openpyxl's own row iterator pads every row to the declared dimension and yields every
    missing row in between; this reads the same parser's rows as they are.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    worksheet = workbook[sheet]
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for _, cells in parser.parse():
            row = [(c["column"], c["value"]) for c in cells if c["value"] is not None]
            if any(not _is_blank(value) for _, value in row):
                yield row


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class XlsxSource(TextSource):
    format = "xlsx"

    def __init__(
        self, path: Path, sheet: str | None, limits: IngestLimits = DEFAULT_LIMITS
    ) -> None:
        super().__init__()
        self.path = path
        check_archive(path, limits)
        workbook = _load(path)
        try:
            sheets = list(workbook.sheetnames)
            if not sheets:
                raise UnreadableFile("the workbook has no sheets")
            if sheet is None:
                self.sheet = sheets[0]
            elif sheet in sheets:
                self.sheet = sheet
            else:
                raise InvalidRequest(
                    f"the workbook has no sheet {sheet!r}; sheets are: {', '.join(sheets)}",
                    details={"sheets": sheets},
                )
            header = next(_rows(workbook, self.sheet), None)
        finally:
            workbook.close()
        if header is None:
            raise UnreadableFile(f"sheet {self.sheet!r} is empty: no header row")
        width = max(column for column, value in header if not _is_blank(value))
        limits.check_columns(width, f"sheet {self.sheet!r}")
        values: list[Any] = [None] * width
        for column, value in header:
            if column <= width:
                values[column - 1] = value
        self.headers = [to_text(h) or "" for h in values]
        self.details = {"sheet": self.sheet, "sheets": sheets}

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.bad_rows = []
        width = len(self.headers)
        workbook = _load(self.path)
        try:
            rows = _rows(workbook, self.sheet)
            next(rows, None)  # the header
            pending: list[list[str | None]] = []
            number = 0
            for row in rows:
                number += 1
                last = max(column for column, value in row if not _is_blank(value))
                if last > width:
                    self.bad_rows.append(BadRow(
                        number, repr([v for _, v in row])[:200],
                        f"expected {width} fields, found {last}",
                        params={"expected": width, "found": last},
                    ))
                    continue
                cells: list[str | None] = [None] * width
                for column, value in row:
                    if column <= width:
                        cells[column - 1] = to_text(value, self.headers[column - 1])
                pending.append(cells)
                if len(pending) >= BATCH_ROWS:
                    yield rows_to_batch(pending, width)
                    pending = []
            if pending:
                yield rows_to_batch(pending, width)
        finally:
            workbook.close()
