"""The data dictionary: what each field of a dataset means — a title, a description and a
unit, in Dutch and English.

Descriptions are kept per dataset and field *name* (``FieldDescription``), not per version,
so they survive new versions. A write may only describe a field of the dataset's newest
version; a field that a newer version no longer has keeps its description (it comes back
with the field) but is not shown. Every way in — the CLI, a fields file at ingest, the API
and the staff page — goes through ``check_texts`` / ``check_entries`` and ``set_texts``
here, so the rules are the same everywhere. Functions take an open session; the caller owns
the transaction, the gate, the audit event and the catalogue generation
(``belfort.publishing.describe_fields``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.metadata import Classification
from belfort.catalog.models import Dataset, FieldDescription, Version, utcnow
from belfort.errors import InvalidRequest, UnknownField

TEXT_KEYS = ("title_nl", "title_en", "description_nl", "description_en", "unit")
LIMITS = {
    "title_nl": 200,
    "title_en": 200,
    "description_nl": 5_000,
    "description_en": 5_000,
    "unit": 50,
}
MAX_FIELD_NAME = 300
# control characters: none in a title or unit (one line); a description may hold line breaks
_ONE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FieldTexts:
    """One field's texts; ``None`` where nothing is said."""

    title_nl: str | None = None
    title_en: str | None = None
    description_nl: str | None = None
    description_en: str | None = None
    unit: str | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, key) is None for key in TEXT_KEYS)

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def title(self, lang: str) -> str | None:
        """The title in ``lang``, else in the other language."""
        return _in(lang, self.title_nl, self.title_en)

    def description(self, lang: str) -> str | None:
        return _in(lang, self.description_nl, self.description_en)

    def merged(self, changes: Mapping[str, str | None]) -> dict[str, str | None]:
        """These texts with some keys replaced (for a change of a few keys)."""
        return {**self.to_dict(), **changes}


def _in(lang: str, nl: str | None, en: str | None) -> str | None:
    return (en or nl) if lang == "en" else (nl or en)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one text: ``code`` is too_long, control_character, not_text or
    unknown_key; ``limit`` goes with too_long."""

    field: str
    key: str
    code: str
    limit: int | None = None

    def message(self) -> str:
        where = f"{self.field}.{self.key}" if self.field else self.key
        if self.code == "too_long":
            return f"{where}: longer than {self.limit:,} characters"
        if self.code == "control_character":
            return f"{where}: holds a control character (such as NUL)"
        if self.code == "unknown_key":
            return f"{where}: unknown; use {', '.join(TEXT_KEYS)}"
        return f"{where}: must be text"


def _problems(field: str, data: Mapping[str, Any]) -> tuple[dict[str, str | None], list[Problem]]:
    values: dict[str, str | None] = {}
    problems: list[Problem] = []
    for key in data:
        if key not in TEXT_KEYS:
            problems.append(Problem(field, str(key)[:50], "unknown_key"))
    for key in TEXT_KEYS:
        raw = data.get(key)
        if raw is None:
            values[key] = None
            continue
        if not isinstance(raw, str):
            problems.append(Problem(field, key, "not_text"))
            continue
        text = raw.strip()
        control = _TEXT_CONTROL if key.startswith("description") else _ONE_LINE_CONTROL
        if control.search(text):
            problems.append(Problem(field, key, "control_character"))
        elif len(text) > LIMITS[key]:
            problems.append(Problem(field, key, "too_long", LIMITS[key]))
        values[key] = text or None
    return values, problems


def _refuse(problems: list[Problem]) -> InvalidRequest:
    return InvalidRequest(
        "invalid field descriptions: " + "; ".join(p.message() for p in problems[:20]),
        details={"problems": [asdict(p) for p in problems]},
    )


def check_texts(data: Mapping[str, Any], field: str = "") -> FieldTexts:
    """One field's texts from plain data (missing keys are ``None``; text is stripped, empty
    text is ``None``). InvalidRequest, naming every problem, when a text is too long, holds
    a control character (NUL, or a line break in a title or unit) or is not text. HTML is
    kept as typed: it is text, escaped wherever it is shown."""
    values, problems = _problems(field, data)
    if problems:
        raise _refuse(problems)
    return FieldTexts(**values)


def check_entries(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, FieldTexts]:
    """Texts for several fields (field → data); every problem of every field in one error."""
    out: dict[str, FieldTexts] = {}
    problems: list[Problem] = []
    for field, data in entries.items():
        if not isinstance(data, Mapping):
            problems.append(Problem(field[:MAX_FIELD_NAME], "", "not_text"))
            continue
        values, found = _problems(field[:MAX_FIELD_NAME], data)
        problems += found
        out[field] = FieldTexts(**values)
    if problems:
        raise _refuse(problems)
    return out


def newest_version(session: Session, dataset: Dataset) -> tuple[int | None, list[dict[str, Any]]]:
    """The number and fields of the dataset's newest version (published or not): the fields a
    write may describe. (None, []) when it has no version yet."""
    row = session.execute(
        select(Version.number, Version.table_schema)
        .where(Version.dataset_id == dataset.id)
        .order_by(Version.number.desc())
        .limit(1)
    ).first()
    return (None, []) if row is None else (row[0], list((row[1] or {}).get("fields", [])))


def newest_fields(session: Session, dataset: Dataset) -> list[dict[str, Any]]:
    return newest_version(session, dataset)[1]


def descriptions_of(session: Session, dataset_id: str) -> dict[str, FieldTexts]:
    """``descriptions`` by the dataset's id (the caller has asked the gate)."""
    rows = session.scalars(
        select(FieldDescription).where(FieldDescription.dataset_id == dataset_id)
    )
    return {d.field: FieldTexts(**{k: getattr(d, k) for k in TEXT_KEYS}) for d in rows}


def descriptions(dataset: Dataset) -> dict[str, FieldTexts]:
    """Every description kept for the dataset (also of fields its versions no longer have)."""
    return {
        d.field: FieldTexts(**{k: getattr(d, k) for k in TEXT_KEYS})
        for d in dataset.field_descriptions
    }


def set_texts(
    session: Session, dataset: Dataset, texts: Mapping[str, FieldTexts], actor: str | None = None
) -> list[str]:
    """Replace the texts of these fields (empty texts remove the description). Every field
    must be one of the newest version's (UnknownField otherwise, and nothing changes).
    Returns the names of the fields whose texts changed."""
    known = {f["name"] for f in newest_fields(session, dataset)}
    unknown = sorted(name for name in texts if name not in known)
    if unknown:
        shown = ", ".join(repr(n[:60]) for n in unknown[:10])
        if not known:
            raise UnknownField(
                f"dataset {dataset.id!r} has no version yet, so no fields to describe"
            )
        raise UnknownField(
            f"dataset {dataset.id!r} has no field {shown} in its newest version",
            details={"fields": [n[:MAX_FIELD_NAME] for n in unknown[:50]]},
        )
    rows = {d.field: d for d in dataset.field_descriptions}
    changed: list[str] = []
    for name, new in texts.items():
        row = rows.get(name)
        old = (
            FieldTexts(**{k: getattr(row, k) for k in TEXT_KEYS})
            if row is not None
            else FieldTexts()
        )
        if old == new:
            continue
        changed.append(name)
        if new.empty and (row is None or row.classification is None):
            if row is not None:
                dataset.field_descriptions.remove(row)
            continue
        if row is None:
            row = FieldDescription(dataset_id=dataset.id, field=name)
            dataset.field_descriptions.append(row)
        for key in TEXT_KEYS:
            setattr(row, key, getattr(new, key))
        row.updated_by = actor[:100] if actor else None
    session.flush()
    return sorted(changed)


def classifications_of(session: Session, dataset_id: str) -> dict[str, str]:
    """The fields of a dataset with a classification of their own (field → level)."""
    rows = session.execute(
        select(FieldDescription.field, FieldDescription.classification)
        .where(FieldDescription.dataset_id == dataset_id,
               FieldDescription.classification.is_not(None))
    ).all()
    return {field: level for field, level in rows if level is not None}


def set_classification(
    session: Session, dataset: Dataset, field: str, level: str | None, actor: str | None = None
) -> bool:
    """Classify one field of the newest version (``None``: as its dataset); InvalidRequest
    for an unknown level, UnknownField for a field the newest version lacks. True when it
    changed."""
    levels = [c.value for c in Classification]
    if level is not None and level not in levels:
        raise InvalidRequest(f"classification must be one of {', '.join(levels)} (or null: "
                             "as the dataset)")
    if field not in {f["name"] for f in newest_fields(session, dataset)}:
        raise UnknownField(f"dataset {dataset.id!r} has no field {field[:60]!r} in its newest "
                           "version")
    row = next((d for d in dataset.field_descriptions if d.field == field), None)
    if (row.classification if row is not None else None) == level:
        return False
    if row is None:
        row = FieldDescription(dataset_id=dataset.id, field=field)
        dataset.field_descriptions.append(row)
    row.classification = level
    row.updated_by = actor[:100] if actor else None
    dataset.updated_at = utcnow()  # what the dataset shows changed: every copy of it moves on
    if level is None and all(getattr(row, key) is None for key in TEXT_KEYS):
        dataset.field_descriptions.remove(row)
    session.flush()
    return True


@dataclass(frozen=True)
class FieldEntry:
    """One field as people see it: its texts from the dictionary, falling back on the
    source file's title and description, then on the field's name."""

    name: str
    type: str
    texts: FieldTexts
    source_title: str | None = None
    source_description: str | None = None
    source_unit: str | None = None

    def label(self, lang: str) -> str:
        return self.texts.title(lang) or self.source_title or self.name

    def description(self, lang: str) -> str | None:
        return self.texts.description(lang) or self.source_description

    @property
    def unit(self) -> str | None:
        return self.texts.unit or self.source_unit

    def to_dict(self) -> dict[str, Any]:
        """The API's and the fields file's shape."""
        return {
            "name": self.name,
            "type": self.type,
            **self.texts.to_dict(),
            "source_title": self.source_title,
            "source_description": self.source_description,
        }


def entries(
    fields: Iterable[Mapping[str, Any]], described: Mapping[str, FieldTexts]
) -> list[FieldEntry]:
    """The dictionary of a version's fields (its schema's ``fields``), in schema order;
    descriptions of fields the version lacks are left out."""
    return [
        FieldEntry(
            name=f["name"],
            type=f["type"],
            texts=described.get(f["name"], FieldTexts()),
            source_title=f.get("title") if f.get("title") != f["name"] else None,
            source_description=f.get("description"),
            source_unit=f.get("unit"),
        )
        for f in fields
    ]


def field_label(entries_: Iterable[FieldEntry], name: str, lang: str) -> str:
    """The label of field ``name`` in ``lang`` (the name itself when it has none)."""
    return next((e.label(lang) for e in entries_ if e.name == name), name)


# --- the fields file (``belfort ingest --fields``) --------------------------------------------

MAX_FILE_BYTES = 2_000_000
MAX_FILE_ENTRIES = 5_000
# what GET /api/belfort/v1/datasets/{id}/fields adds; a file saved from it may keep them
_READ_ONLY_KEYS = frozenset({"type", "source_title", "source_description", "classification"})


def read_fields_file(filename: str, data: bytes) -> dict[str, FieldTexts]:
    """The texts of a fields file: CSV (comma or semicolon, UTF-8) with a header row ``name``,
    ``title_nl``, ``title_en``, ``description_nl``, ``description_en``, ``unit`` (any subset
    besides ``name``), or JSON ``{"fields": [{"name": …, "title_nl": …}, …]}`` — the shape
    the API's ``GET …/fields`` answers. InvalidRequest for anything else."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidRequest(f"the fields file is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest("the fields file is not UTF-8 text") from None
    if filename.lower().endswith(".json"):
        records = _json_records(text)
    elif filename.lower().endswith(".csv"):
        records = _csv_records(text)
    else:
        raise InvalidRequest("a fields file is .csv or .json")
    return check_records(records)


def check_records(records: list[dict[str, Any]]) -> dict[str, FieldTexts]:
    """Texts from a list of ``{"name": …, "title_nl": …, …}`` (a fields file's entries, the
    API's ``PUT …/fields`` body); the read-only keys of the API's answer are ignored."""
    if len(records) > MAX_FILE_ENTRIES:
        raise InvalidRequest(f"more than {MAX_FILE_ENTRIES:,} fields described")
    entries_: dict[str, dict[str, Any]] = {}
    for number, record in enumerate(records, start=1):
        name = record.get("name") if isinstance(record, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InvalidRequest(f"fields, entry {number}: no field name ('name')")
        name = name.strip()[:MAX_FIELD_NAME]
        if name in entries_:
            raise InvalidRequest(f"fields: field {name[:60]!r} is described twice")
        entries_[name] = {
            k: v for k, v in record.items() if k != "name" and k not in _READ_ONLY_KEYS
        }
    return check_entries(entries_)


def _json_records(text: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidRequest("the fields file is not valid JSON") from None
    records = document.get("fields") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise InvalidRequest('a JSON fields file is {"fields": [{"name": …, "title_nl": …}, …]}')
    return records


def _csv_records(text: str) -> list[dict[str, Any]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip() for h in reader.fieldnames or []]
        if "name" not in header:
            raise InvalidRequest(
                "a CSV fields file has a header row with 'name' and some of " + ", ".join(TEXT_KEYS)
            )
        reader.fieldnames = header
        records: list[dict[str, Any]] = []
        for row in reader:
            if None in row:
                raise InvalidRequest(
                    f"fields file, line {reader.line_num}: more values than columns"
                )
            records.append({k: v for k, v in row.items() if v is not None})
            if len(records) > MAX_FILE_ENTRIES:
                break
    except csv.Error as exc:
        raise InvalidRequest(f"the fields file is not valid CSV: {exc}") from None
    return records
