"""The validation report of one ingest: what is wrong, where, with bounded examples.

Each problem carries an English ``problem`` text (for the API, the CLI and logs) and a
machine ``code`` with ``params`` (``PROBLEM_CODES``), from which the portal writes the
message in the page's language (``belfort.portal.messages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

NUL_PROBLEM = "NUL byte in text (a binary or wrongly encoded file?)"

#: Every problem code an ingest may report, with the parameters it carries. The portal
#: has a text for each in every language (a test checks that).
PROBLEM_CODES: dict[str, tuple[str, ...]] = {
    "not_integer": ("type",),
    "not_number": ("type", "format"),
    "not_boolean": ("type",),
    "not_date": ("type", "format"),
    "not_datetime": ("type", "format"),
    "not_geopoint": ("type", "format"),
    "not_geometry": ("type", "format"),
    "invalid_geometry": ("reason",),
    "nul_byte": (),
    "wrong_field_count": ("expected", "found"),
    "unterminated_quote": (),
}


def type_code(type_: str) -> str:
    """The code of a value that is not of field type ``type_`` (``not_integer``, …)."""
    code = f"not_{type_}"
    if code not in PROBLEM_CODES:
        raise ValueError(f"no problem code for type {type_!r}")
    return code


@dataclass
class Problem:
    """All occurrences of one problem in one column."""

    column: str | None
    problem: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Collects problems while a file streams through.

    Rows are numbered from 1 for the first data row (the header is not a row).
    ``max_examples`` bounds the examples kept per (column, problem), so a file with
    a million bad values yields a small report with an exact count.
    """

    max_examples: int = 5
    rows_read: int = 0
    problems: dict[tuple[str | None, str], Problem] = field(default_factory=dict)

    def add(self, row: int | None, column: str | None, value: Any, problem: str, *, code: str,
            params: dict[str, Any] | None = None) -> None:
        self.add_many(column, problem, 1, [(row, value)], code=code, params=params)

    def add_many(
        self,
        column: str | None,
        problem: str,
        count: int,
        examples: Sequence[tuple[int | None, Any]],
        *,
        code: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        """Record ``count`` occurrences; ``examples`` are (row, value) pairs, any length.
        ``code`` is one of ``PROBLEM_CODES``; ``params`` its parameters."""
        if code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {code!r}")
        if count <= 0:
            return
        key = (column, problem)
        entry = self.problems.get(key)
        if entry is None:
            entry = self.problems[key] = Problem(column=column, problem=problem, code=code,
                                                 params=dict(params or {}))
        entry.count += count
        room = self.max_examples - len(entry.examples)
        for row, value in examples[: max(room, 0)]:
            entry.examples.append({"row": row, "column": column, "value": _printable(value)})

    @property
    def error_count(self) -> int:
        return sum(p.count for p in self.problems.values())

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "rows_read": self.rows_read,
            "error_count": self.error_count,
            "problems": [
                {
                    "column": p.column,
                    "problem": p.problem,
                    "code": p.code,
                    "params": p.params,
                    "count": p.count,
                    "examples": p.examples,
                }
                for p in self.problems.values()
            ],
        }


def _printable(value: Any, limit: int = 200) -> Any:
    """Keep examples small and JSON-safe."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
