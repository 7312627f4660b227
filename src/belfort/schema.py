"""Table schemas in the Frictionless Table Schema vocabulary.

Types: integer, number, boolean, date, datetime, string, geopoint, geometry.
A schema is stored with every version (as ``TableSchema.to_dict()``) and is the
contract the query engine checks field names and types against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIELD_TYPES = (
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "string",
    "geopoint",
    "geometry",
)


@dataclass(frozen=True)
class Field:
    """One column.

    ``name`` is the normalised field name used in queries (lowercase ASCII, digits and
    underscores, as Opendatasoft does: "Tijd van voltooien" → ``tijd_van_voltooien``);
    ``title`` keeps the header as the source wrote it; ``format`` records how the
    source wrote the values (e.g. ``%d/%m/%Y``). ``separator`` marks a multivalued text
    field (Opendatasoft's "multivalued" annotation): one text holds several values
    joined by it, which facets count and refines match one by one.
    """

    name: str
    type: str
    title: str | None = None
    format: str | None = None
    description: str | None = None
    unit: str | None = None
    separator: str | None = None

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}; expected one of {FIELD_TYPES}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        for key in ("title", "format", "description", "unit", "separator"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Field:
        return cls(
            name=data["name"],
            type=data["type"],
            title=data.get("title"),
            format=data.get("format"),
            description=data.get("description"),
            unit=data.get("unit"),
            separator=data.get("separator"),
        )


@dataclass(frozen=True)
class TableSchema:
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def get(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"fields": [f.to_dict() for f in self.fields]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableSchema:
        return cls(fields=tuple(Field.from_dict(f) for f in data.get("fields", [])))
