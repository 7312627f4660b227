"""Hostile files built in the tests (no Belfort imports: the probes also run against old code)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
OOXML = "http://schemas.openxmlformats.org"
SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIPS = f"{OOXML}/officeDocument/2006/relationships"
NS = f'xmlns="{OOXML}/spreadsheetml/2006/main"'


def _override(part: str, kind: str) -> str:
    return f'<Override PartName="{part}" ContentType="{SHEET_ML}.{kind}+xml"/>'


def _relationship(number: int, kind: str, target: str) -> str:
    return f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'


CONTENT_TYPES = (
    f'{XML}<Types xmlns="{OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + _override("/xl/workbook.xml", "sheet.main")
    + _override("/xl/worksheets/sheet1.xml", "worksheet")
    + _override("/xl/sharedStrings.xml", "sharedStrings")
    + "</Types>"
)
ROOT_RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
             + _relationship(1, "officeDocument", "xl/workbook.xml") + "</Relationships>")
WORKBOOK = (f'{XML}<workbook {NS} xmlns:r="{RELATIONSHIPS}">'
            '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
                 + _relationship(1, "worksheet", "worksheets/sheet1.xml")
                 + _relationship(2, "sharedStrings", "sharedStrings.xml") + "</Relationships>")


def workbook(rows: str, dimension: str = "A1:B2",
             shared: Callable[[Any], None] | str = "<si><t>naam</t></si>") -> bytes:
    """A minimal workbook written by hand (what a hostile one looks like inside)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml",
                         f'{XML}<worksheet {NS}><dimension ref="{dimension}"/>'
                         f"<sheetData>{rows}</sheetData></worksheet>")
        if callable(shared):
            with archive.open("xl/sharedStrings.xml", "w") as member:
                shared(member)
        else:
            archive.writestr("xl/sharedStrings.xml", f"{XML}<sst {NS}>{shared}</sst>")
    return buffer.getvalue()


def cell(ref: str, text: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def string_bomb(count: int) -> Callable[[Any], None]:
    """A shared-strings table of ``count`` empty strings (deflates about 500:1)."""
    def write(member: Any) -> None:
        member.write(f"{XML}<sst {NS}>".encode())
        block = b"<si><t/></si>" * 100_000
        for _ in range(count // 100_000):
            member.write(block)
        member.write(b"</sst>")
    return write
