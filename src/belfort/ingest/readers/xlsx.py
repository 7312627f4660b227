"""XLSX reader (openpyxl, read-only streaming).

The header is the first row with any non-empty cell; fully empty rows are
skipped (Excel files are full of them) and not numbered. Typed cells are
rendered to canonical text (dates as ISO, so they infer as date/datetime again;
numbers as Python literals), which lets XLSX share the CSV inference, overrides
and report. The workbook is streamed twice (inference, conversion) so memory does
not grow with the sheet.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from belfort.errors import InvalidRequest, UnreadableFile
from belfort.ingest.readers.base import BATCH_ROWS, BadRow, TextSource, rows_to_batch, to_text


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc
    except Exception as exc:  # openpyxl raises a zoo of errors on corrupt files
        raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc


def _is_empty(row: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


class XlsxSource(TextSource):
    format = "xlsx"

    def __init__(self, path: Path, sheet: str | None) -> None:
        super().__init__()
        self.path = path
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
            header: list[Any] | None = None
            for row in workbook[self.sheet].iter_rows(values_only=True):
                if not _is_empty(row):
                    header = list(row)
                    break
        finally:
            workbook.close()
        if header is None:
            raise UnreadableFile(f"sheet {self.sheet!r} is empty: no header row")
        while header and (header[-1] is None or str(header[-1]).strip() == ""):
            header.pop()
        self.headers = [to_text(h) or "" for h in header]
        self.details = {"sheet": self.sheet, "sheets": sheets}

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.bad_rows = []
        width = len(self.headers)
        workbook = _load(self.path)
        try:
            rows = workbook[self.sheet].iter_rows(values_only=True)
            for row in rows:  # skip to the header
                if not _is_empty(row):
                    break
            pending: list[list[str | None]] = []
            number = 0
            for row in rows:
                if _is_empty(row):
                    continue
                number += 1
                extra = row[width:]
                if any(v is not None and str(v).strip() for v in extra):
                    self.bad_rows.append(
                        BadRow(number, repr(row)[:200], f"expected {width} fields, found {len(row)}")
                    )
                    continue
                cells = [to_text(v, self.headers[i]) for i, v in enumerate(row[:width])]
                cells.extend([None] * (width - len(cells)))
                pending.append(cells)
                if len(pending) >= BATCH_ROWS:
                    yield rows_to_batch(pending, width)
                    pending = []
            if pending:
                yield rows_to_batch(pending, width)
        finally:
            workbook.close()
