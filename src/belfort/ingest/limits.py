"""Limits on what one source file may make the ingest do (issue 11: hostile files).

Each limit is checked before the work it bounds: the width of a CSV header before it is
split, a Parquet footer's schema and row count before a page is read, an XLSX archive's
declared member sizes before anything is inflated (and while inflating the shared strings),
rows × columns as rows arrive. ``belfort.publishing`` fills these from the settings
(``BELFORT_INGEST_MAX_*``); the defaults here are the settings' defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from belfort.errors import FileShapeRefused, FileTooLarge


@dataclass(frozen=True)
class IngestLimits:
    #: columns of a header, JSON keys, XLSX sheet width, Parquet schema
    max_columns: int = 10_000
    #: rows × columns of one file
    max_cells: int = 1_000_000_000
    #: bytes a compressed file may inflate to (XLSX members together, Parquet pages)
    max_decompressed_bytes: int = 4 << 30
    #: entries in an XLSX shared-strings table
    max_shared_strings: int = 5_000_000
    #: bytes of an XLSX shared-strings table once inflated (it is held in memory)
    max_shared_strings_bytes: int = 256 << 20

    def check_columns(self, count: int, what: str = "the file", *, at_least: bool = False) -> None:
        if count > self.max_columns:
            counted = f"at least {count:,}" if at_least else f"{count:,}"
            raise FileShapeRefused(
                f"{what} has {counted} columns; at most {self.max_columns:,} are accepted "
                "(BELFORT_INGEST_MAX_COLUMNS)",
                details={"limit": "columns", "maximum": self.max_columns},
            )

    def check_cells(self, rows: int, columns: int) -> None:
        if rows * max(columns, 1) > self.max_cells:
            raise FileShapeRefused(
                f"the file has more than {self.max_cells:,} cells (rows × columns; "
                f"{rows:,} rows of {columns:,} columns so far; BELFORT_INGEST_MAX_CELLS)",
                details={"limit": "cells", "maximum": self.max_cells},
            )

    def check_decompressed(self, size: int, what: str = "the file") -> None:
        if size > self.max_decompressed_bytes:
            raise FileTooLarge(
                f"{what} inflates to {size:,} bytes; at most {self.max_decompressed_bytes:,} "
                "are accepted (BELFORT_INGEST_MAX_DECOMPRESSED_BYTES)",
                details={"limit": "decompressed_bytes", "maximum": self.max_decompressed_bytes},
            )


DEFAULT_LIMITS = IngestLimits()
