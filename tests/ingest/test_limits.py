"""Issue 11, item 6: hostile files are refused early, with a typed error, in little time and
memory — each hostile file is built here, scaled down to what proves the point."""

from __future__ import annotations

import functools
import gzip
import io
import json
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import (
    FileShapeRefused,
    FileTooLarge,
    UnreadableFile,
    UnsupportedFormat,
    ValidationFailed,
)
from belfort.ingest import convert_to_parquet
from belfort.ingest.limits import IngestLimits
from belfort.ingest.pipeline import sniff
from belfort.settings import Settings
from tests.ingest.hostile_files import cell, string_bomb, workbook


@contextmanager
def bounded(seconds: float, megabytes: float) -> Iterator[None]:
    """The block takes less than ``seconds`` and its Python allocations peak under ``megabytes``."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.1f} MiB"


def refused(tmp_path: Path, data: bytes, name: str, error: type[Exception], **kwargs: Any) -> Any:
    source = tmp_path / name
    source.write_bytes(data)
    destination = tmp_path / "out.parquet"
    with pytest.raises(error) as info:
        convert_to_parquet(source, destination, **kwargs)
    assert not destination.exists()
    return info.value


def test_defaults_are_the_settings_defaults() -> None:
    settings = Settings()
    assert IngestLimits() == IngestLimits(
        max_columns=settings.ingest_max_columns,
        max_cells=settings.ingest_max_cells,
        max_decompressed_bytes=settings.ingest_max_decompressed_bytes,
        max_shared_strings=settings.ingest_max_shared_strings,
        max_shared_strings_bytes=settings.ingest_max_shared_strings_bytes,
    )


# ── columns ───────────────────────────────────────────────────────────────────────────


def test_a_200_000_column_header_is_refused_at_once(tmp_path: Path) -> None:
    header = ",".join(f"k{i}" for i in range(200_000)).encode()  # 1.3 MB: one line, no rows
    data = header + b"\n" + b"1," * 199_999 + b"1\n"
    source = tmp_path / "breed.csv"
    source.write_bytes(data)
    with bounded(seconds=1.0, megabytes=40):
        with pytest.raises(FileShapeRefused) as info:
            convert_to_parquet(source, tmp_path / "out.parquet",
                               limits=IngestLimits(max_columns=1000))
    assert "columns" in info.value.message and info.value.http_status == 422
    assert info.value.details["limit"] == "columns"
    # the preview refuses it the same way
    with pytest.raises(FileShapeRefused):
        sniff(source, limits=IngestLimits(max_columns=1000))


def test_a_wide_header_behind_another_delimiter_is_refused_after_detection(
    tmp_path: Path,
) -> None:
    # a few semicolons keep the cheap check from deciding; the detected header still counts
    header = ";".join(["a", "b", ",".join(f"k{i}" for i in range(3000))])
    rows = "\n".join(",".join("1" for _ in range(3002)) for _ in range(3))
    data = (header.replace(";", ",") + "\n" + rows + "\n").encode()
    refused(tmp_path, data, "breed.csv", FileShapeRefused, limits=IngestLimits(max_columns=1000))


def test_columns_within_the_limit_are_read(tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_bytes(b"a,b,c\n1,2,3\n")
    result = convert_to_parquet(source, tmp_path / "out.parquet",
                                limits=IngestLimits(max_columns=3))
    assert [f.name for f in result.schema.fields] == ["a", "b", "c"]


def test_json_keys_are_columns(tmp_path: Path) -> None:
    rows = [{f"k{i}": i} for i in range(2000)]  # each record its own key: 2,000 columns
    refused(tmp_path, json.dumps(rows).encode(), "data.json", FileShapeRefused,
            limits=IngestLimits(max_columns=1000))


def test_parquet_schema_width_is_checked_before_reading(tmp_path: Path) -> None:
    table = pa.table({f"k{i}": [1] for i in range(1500)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    refused(tmp_path, buffer.getvalue(), "breed.parquet", FileShapeRefused,
            limits=IngestLimits(max_columns=1000))


# ── cells ─────────────────────────────────────────────────────────────────────────────


def test_cells_are_counted_as_rows_arrive(tmp_path: Path) -> None:
    data = b"a,b,c,d\n" + b"1,2,3,4\n" * 3000  # 12,000 cells
    error = refused(tmp_path, data, "lang.csv", FileShapeRefused,
                    limits=IngestLimits(max_cells=10_000))
    assert error.details["limit"] == "cells"
    source = tmp_path / "kort.csv"
    source.write_bytes(b"a,b,c,d\n" + b"1,2,3,4\n" * 2000)
    assert convert_to_parquet(source, tmp_path / "ok.parquet",
                              limits=IngestLimits(max_cells=10_000)).row_count == 2000


def test_json_and_parquet_cells(tmp_path: Path) -> None:
    rows = [{"a": i, "b": i} for i in range(6000)]
    refused(tmp_path, json.dumps(rows).encode(), "data.json", FileShapeRefused,
            limits=IngestLimits(max_cells=10_000))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": list(range(6000)), "b": list(range(6000))}), buffer)
    refused(tmp_path, buffer.getvalue(), "data.parquet", FileShapeRefused,
            limits=IngestLimits(max_cells=10_000))


def test_parquet_declared_uncompressed_size(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": ["x" * 1000] * 2000}), buffer, compression="zstd",
                   use_dictionary=False)
    assert len(buffer.getvalue()) < 100_000  # compresses well; two megabytes inflated
    error = refused(tmp_path, buffer.getvalue(), "bom.parquet", FileTooLarge,
                    limits=IngestLimits(max_decompressed_bytes=1_000_000))
    assert error.http_status == 413


# ── XLSX ──────────────────────────────────────────────────────────────────────────────

SHARED_ROWS = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
               '<row r="2"><c r="A2" t="s"><v>1</v></c></row>')


def test_a_handmade_workbook_reads(tmp_path: Path) -> None:
    rows = f'<row r="1"><c r="A1" t="s"><v>0</v></c>{cell("B1", "n")}</row>' \
           f'<row r="2">{cell("A2", "Gent")}<c r="B2"><v>3</v></c></row>'
    source = tmp_path / "ok.xlsx"
    source.write_bytes(workbook(rows))
    convert_to_parquet(source, tmp_path / "out.parquet")
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == [{"naam": "Gent", "n": 3}]


def test_a_sheet_declaring_a1_xfd1048576_is_read_cheaply(tmp_path: Path) -> None:
    # 4.8 kB in the probe: the dimension says 17 billion cells, the sheet holds three
    rows = f'<row r="1">{cell("A1", "naam")}</row><row r="2">{cell("A2", "Gent")}</row>'
    source = tmp_path / "groot.xlsx"
    source.write_bytes(workbook(rows, dimension="A1:XFD1048576"))
    with bounded(seconds=1.0, megabytes=30):
        result = convert_to_parquet(source, tmp_path / "out.parquet")
    assert result.row_count == 1 and [f.name for f in result.schema.fields] == ["naam"]


def test_one_far_cell_is_a_reported_row_not_a_million_empty_ones(tmp_path: Path) -> None:
    rows = (f'<row r="1">{cell("A1", "naam")}</row><row r="2">{cell("A2", "Gent")}</row>'
            f'<row r="1048576">{cell("XFD1048576", "ver weg")}</row>')
    source = tmp_path / "ver.xlsx"
    source.write_bytes(workbook(rows, dimension="A1:XFD1048576"))
    with bounded(seconds=1.0, megabytes=30):
        with pytest.raises(ValidationFailed) as info:
            convert_to_parquet(source, tmp_path / "out.parquet")
    (problem,) = info.value.details["report"]["problems"]
    assert problem["problem"] == "wrong number of fields"
    assert "16384" in problem["examples"][0]["value"]


def test_a_far_header_cell_is_too_many_columns(tmp_path: Path) -> None:
    rows = (f'<row r="1">{cell("A1", "naam")}{cell("XFD1", "ver")}</row>'
            f'<row r="2">{cell("A2", "Gent")}</row>')
    with bounded(seconds=1.0, megabytes=30):
        error = refused(tmp_path, workbook(rows, dimension="A1:XFD2"), "breed.xlsx",
                        FileShapeRefused)
    assert "16,384 columns" in error.message


def test_an_87_kb_shared_strings_bomb_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    rows = SHARED_ROWS
    data = workbook(rows, shared=string_bomb(5_500_000))  # 71 MB of XML, 5.5 million strings
    assert len(data) < 150_000  # the probe's was 87 kB
    with bounded(seconds=3.0, megabytes=30):
        error = refused(tmp_path, data, "bom.xlsx", FileShapeRefused)  # the default limits
    assert "shared-strings" in error.message and error.details["limit"] == "shared_strings"
    # and by its inflated size
    error = refused(tmp_path, data, "bom.xlsx", FileTooLarge,
                    limits=IngestLimits(max_shared_strings_bytes=10 << 20))
    assert error.http_status == 413


def test_declared_member_sizes_are_checked_before_inflating(tmp_path: Path) -> None:
    big = "".join(f'<row r="{i}">{cell(f"A{i}", "x" * 50)}</row>' for i in range(1, 20_001))
    data = workbook(big)
    error = refused(tmp_path, data, "groot.xlsx", FileTooLarge,
                    limits=IngestLimits(max_decompressed_bytes=1_000_000))
    assert error.details["limit"] == "decompressed_bytes"


def _patch_declared_size(data: bytes, name: bytes, size: int) -> bytes:
    """Make the archive claim ``name`` inflates to ``size`` bytes (local and central headers)."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x03\x04", start)) >= 0:
        length = struct.unpack_from("<H", out, start + 26)[0]
        if out[start + 30:start + 30 + length] == name:
            struct.pack_into("<I", out, start + 22, size)
        start += 4
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack_from("<H", out, start + 28)[0]
        if out[start + 46:start + 46 + length] == name:
            struct.pack_into("<I", out, start + 24, size)
        start += 4
    return bytes(out)


def test_a_member_lying_about_its_size_stops_at_the_declared_size(tmp_path: Path) -> None:
    rows = SHARED_ROWS
    data = _patch_declared_size(workbook(rows, shared=string_bomb(2_000_000)),
                                b"xl/sharedStrings.xml", 1000)
    with bounded(seconds=1.0, megabytes=30):
        refused(tmp_path, data, "leugen.xlsx", UnreadableFile)


# ── compressed input ──────────────────────────────────────────────────────────────────


@functools.cache
def _gzip_bomb() -> bytes:
    return gzip.compress(b"a,b\n" + b"0" * 100_000_000, compresslevel=9)  # 100 MB in 100 kB


@pytest.mark.parametrize("name", ["bom.csv", "bom.json", "bom"])
def test_a_gzip_bomb_is_never_inflated(tmp_path: Path, name: str) -> None:
    data = _gzip_bomb()
    with bounded(seconds=1.0, megabytes=30):
        error = refused(tmp_path, data, name, UnsupportedFormat)
    assert "gzip" in error.message


def test_a_zip_bomb_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.csv", "w") as member:
            for _ in range(100):
                member.write(b"0" * 2_000_000)
    with bounded(seconds=1.0, megabytes=30):
        refused(tmp_path, buffer.getvalue(), "bom.zip", UnsupportedFormat)
        refused(tmp_path, buffer.getvalue(), "bom.xlsx", UnreadableFile)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_shared_strings_are_counted_exactly_across_chunks(tmp_path: Path, prefix: str) -> None:
    from belfort.ingest.readers.xlsx import check_archive

    entries = [f"<{prefix}si><{prefix}t>{'w' * (i % 7)}</{prefix}t></{prefix}si>"
               for i in range(300_000)]  # several 1 MiB chunks, entries cut at their edges
    table = f'<{prefix}sst xmlns{":x" if prefix else ""}="urn:x">{"".join(entries)}</{prefix}sst>'
    source = tmp_path / "tel.xlsx"
    source.write_bytes(workbook(SHARED_ROWS, shared=lambda member: member.write(table.encode())))
    check_archive(source, IngestLimits(max_shared_strings=300_000))
    with pytest.raises(FileShapeRefused):
        check_archive(source, IngestLimits(max_shared_strings=299_999))
