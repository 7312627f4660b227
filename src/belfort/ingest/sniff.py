"""Format and CSV-dialect detection.

The extension is a hint, the content decides: a ``.csv`` that starts with
``%PDF`` is refused as unsupported, a file without extension that starts with
``[{`` is read as JSON. Binary formats we do read (XLSX, Parquet) are recognised
by their magic bytes; every other binary content is ``UnsupportedFormat``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from belfort.errors import UnreadableFile, UnsupportedFormat
from belfort.ingest.encoding import DetectedEncoding, decode_sample, detect_encoding

FORMATS = ("csv", "xlsx", "json", "geojson", "parquet")
SAMPLE_BYTES = 1 << 20

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".json": "json",
    ".ndjson": "json",
    ".jsonl": "json",
    ".geojson": "geojson",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (.xls/.doc); save as .xlsx or CSV"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
)

DELIMITERS = (",", ";", "\t", "|")

# Python's csv module refuses fields over 128 KiB by default; samples may hold
# multi-megabyte values (the limit is process-wide, raising it is harmless).
csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))


def read_sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def looks_binary(text: str) -> bool:
    """More than 5% control characters (other than tab/CR/LF) means not text.

    A handful of stray NULs in a small text file is still text (the values keep
    them); the absolute floor stops a 12-byte file with one NUL being "binary".
    """
    if not text:
        return False
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\x7f")
    return control > max(0.05 * len(text), 8)


def detect_format(path: Path, format: str | None = None) -> str:
    """Decide which reader handles ``path``; raise UnsupportedFormat / UnreadableFile."""
    if format is not None:
        format = format.lower().lstrip(".")
        if format not in FORMATS:
            raise UnsupportedFormat(f"unsupported format {format!r}; Belfort reads {', '.join(FORMATS)}")
    claimed = format or _EXTENSIONS.get(path.suffix.lower())
    sample = read_sample(path, 64 * 1024)
    if not sample.strip():
        raise UnreadableFile("the file is empty")
    if sample.startswith(b"PAR1"):
        return "parquet"
    if sample.startswith(b"PK\x03\x04"):
        names = _zip_names(path)
        if names is not None and _is_xlsx(names):
            return "xlsx"
        if claimed == "xlsx" and names is None:
            raise UnreadableFile("the workbook is not a readable ZIP archive (truncated or corrupt)")
        if claimed == "xlsx":
            raise UnreadableFile("the file is a ZIP archive but not an Excel workbook (no xl/workbook.xml)")
        raise UnsupportedFormat("ZIP archives are not supported (only .xlsx workbooks)")
    for magic, label in _MAGIC:
        if sample.startswith(magic):
            raise UnsupportedFormat(f"unsupported file type: {label}")
    if claimed in ("xlsx", "parquet"):
        raise UnreadableFile(f"the file is not a valid {claimed} file")
    encoding = detect_encoding(sample, complete=len(sample) < 64 * 1024)
    text = decode_sample(sample, encoding)
    if looks_binary(text):
        raise UnsupportedFormat("the file is binary and not a format Belfort reads")
    if claimed in ("csv", "json", "geojson"):
        return claimed
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")):
        return "json"
    return "csv"


def _zip_names(path: Path) -> set[str] | None:
    """The member names of a ZIP archive; None when it cannot be read as one."""
    try:
        with zipfile.ZipFile(path) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def _is_xlsx(names: set[str]) -> bool:
    return "xl/workbook.xml" in names or "[Content_Types].xml" in names and any(
        n.startswith("xl/") for n in names
    )


@dataclass(frozen=True)
class Dialect:
    """What a CSV file looks like, decided from a sample."""

    encoding: DetectedEncoding
    delimiter: str
    header: list[str]
    leading_blank_lines: int


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def detect_dialect(sample: bytes, *, complete: bool) -> Dialect:
    """Detect encoding, delimiter and header from the first bytes of a CSV file.

    The delimiter is the candidate that splits the sample's records into the
    most consistent number of fields (more than one), quote-aware; ties go to
    the candidate giving more fields. A sample cut mid-record drops the last one.
    """
    encoding = detect_encoding(sample, complete=complete)
    text = decode_sample(sample, encoding).lstrip("\ufeff")
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut > 0:
            text = text[: cut + 1]
    lines = text.splitlines()
    leading_blank = 0
    for line in lines:
        if line.strip():
            break
        leading_blank += 1
    body = "".join(text.splitlines(keepends=True)[leading_blank:])
    if not body.strip():
        raise UnreadableFile("the file has no header row")
    best: tuple[float, int, int] | None = None
    best_delimiter = ","
    for rank, delimiter in enumerate(DELIMITERS):
        rows = [r for r in _records(body, delimiter, 200) if any(cell.strip() for cell in r)]
        if not complete and len(rows) > 2:
            rows = rows[:-1]
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        mode, freq = counts.most_common(1)[0]
        if mode < 2:
            continue
        header_agrees = 1 if len(rows[0]) == mode else 0
        score = (freq / len(rows) + header_agrees, mode, -rank)
        if best is None or score > best:
            best, best_delimiter = score, delimiter
    records = _records(body, best_delimiter, 3)
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise UnreadableFile("the file has no header row")
    return Dialect(encoding, best_delimiter, records[0], leading_blank)
