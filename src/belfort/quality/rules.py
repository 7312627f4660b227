"""Data-quality rules: what a steward declares per dataset, checked when saved.

A rule is a small JSON object. Field constraints follow Frictionless Table Schema
(``required``, ``unique``, ``minimum``, ``maximum``, ``minLength``, ``maxLength``, ``pattern``,
``enum``); ``check`` is a consistency rule in Belfort's query language (the ODSQL ``where``
syntax of ``belfort.query.odsql``), e.g. ``occupancy <= capacity``, which every row must
satisfy; ``exists`` is a consistency rule across datasets: every value of ``field`` occurs in
the ``key`` field of another dataset's published version (``{"type": "exists", "field":
"telpunt_id", "dataset": "telpunten", "key": "id"}``). Each rule has a dimension:
``required`` → completeness, ``unique`` → uniqueness, ``check`` and ``exists`` →
consistency, the others → validity.

``check_rules`` refuses (``QualityRuleInvalid``, 422) anything that would fail at run time:
unknown types or fields, a condition that does not parse or compares mismatched types, a
pattern RE2 does not accept, too many or too long rules. It compiles the whole rule set
against the schema (without running it), so a saved rule set always runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from belfort.errors import QualityRuleInvalid, QueryError
from belfort.query.model import Compare, FieldRef, In, Literal, Not
from belfort.query.odsql import ODSQLError, parse_where
from belfort.query.profile import Lookup, Measure, check_pattern, compile_profile
from belfort.schema import TableSchema

COMPLETENESS, VALIDITY, UNIQUENESS, CONSISTENCY, TIMELINESS = (
    "completeness",
    "validity",
    "uniqueness",
    "consistency",
    "timeliness",
)
DIMENSIONS = (COMPLETENESS, VALIDITY, UNIQUENESS, CONSISTENCY, TIMELINESS)
DIMENSION_OF = {
    "required": COMPLETENESS,
    "unique": UNIQUENESS,
    "check": CONSISTENCY,
    "exists": CONSISTENCY,
    "minimum": VALIDITY,
    "maximum": VALIDITY,
    "minLength": VALIDITY,
    "maxLength": VALIDITY,
    "pattern": VALIDITY,
    "enum": VALIDITY,
}
RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
MAX_ENUM_VALUES = 1000
MAX_UNIQUE_FIELDS = 10
KEYS = {"id", "type", "field", "fields", "value", "where", "description", "dataset", "key"}
DATASET_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
REFERABLE = {"string", "integer", "number", "date"}  # types an ``exists`` rule compares
NUMERIC = {"integer", "number"}
ORDERED = NUMERIC | {"date", "datetime", "string"}


@dataclass(frozen=True)
class Reference:
    """The published version an ``exists`` rule reads: its schema and its file."""

    schema: TableSchema
    path: str


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    field: str | None = None
    fields: tuple[str, ...] = ()
    value: Any = None
    where: str | None = None
    description: str | None = None
    dataset: str | None = None  # exists: the other dataset …
    key: str | None = None  # … and its field

    @property
    def dimension(self) -> str:
        return DIMENSION_OF[self.type]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.field is not None:
            out["field"] = self.field
        if self.fields:
            out["fields"] = list(self.fields)
        if self.value is not None:
            out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        if self.where is not None:
            out["where"] = self.where
        if self.dataset is not None:
            out["dataset"], out["key"] = self.dataset, self.key
        if self.description:
            out["description"] = self.description
        return out

    def names(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        if self.where is not None:
            from belfort.query.model import field_refs

            return tuple(dict.fromkeys(field_refs(parse_where(self.where))))
        return self.fields or ((self.field,) if self.field else ())

    def measure(self, references: Mapping[str, Reference] | None = None) -> Measure:
        """The profiling measure that counts the rule's failing rows (``references``: the
        versions ``exists`` rules read, by dataset id)."""
        if self.type == "exists":
            assert self.field and self.dataset and self.key
            other = (references or {}).get(self.dataset)
            if other is None:
                raise QualityRuleInvalid(f"rule {self.id!r}: dataset {self.dataset!r} has no "
                                         "published version to compare with")
            key_type = other.schema.get(self.key).type  # type: ignore[union-attr]
            return Measure(self.id, lookup=Lookup(self.field, other.path, self.key, key_type),
                           shown=(self.field,))
        if self.type == "required":
            assert self.field is not None
            return Measure(self.id, missing=self.field, shown=(self.field,))
        if self.type == "unique":
            return Measure(self.id, duplicates=self.fields or (self.field or "",))
        if self.type == "pattern":
            assert self.field is not None
            return Measure(self.id, pattern=(self.field, str(self.value)), shown=(self.field,))
        if self.type == "check":
            assert self.where is not None
            return Measure(self.id, failing=Not(parse_where(self.where)), shown=self.names())
        assert self.field is not None
        ref = FieldRef(self.field)
        if self.type == "minimum":
            failing: Any = Compare("<", ref, Literal(self.value))
        elif self.type == "maximum":
            failing = Compare(">", ref, Literal(self.value))
        elif self.type == "minLength":
            failing = Compare("<", _length(ref), Literal(int(self.value)))
        elif self.type == "maxLength":
            failing = Compare(">", _length(ref), Literal(int(self.value)))
        else:  # enum
            failing = In(ref, tuple(Literal(v) for v in self.value), negated=True)
        return Measure(self.id, failing=failing, shown=(self.field,))


def _length(ref: FieldRef) -> Any:
    from belfort.query.model import Function

    return Function("length", (ref,))


def check_rules(
    raw: Any, schema: TableSchema, *, max_rules: int, max_chars: int, timezone: str | None = None,
    references: Mapping[str, Reference] | None = None,
) -> list[Rule]:
    """The rules of ``raw`` (a list of rule objects), checked against ``schema`` and, for
    ``exists`` rules, the published versions in ``references`` (those the caller may read;
    ``referenced_datasets`` lists what to look up); raises ``QualityRuleInvalid`` naming the
    first rule at fault and what is wrong with it."""
    if not isinstance(raw, list):
        raise QualityRuleInvalid('send {"rules": [{"type": "required", "field": …}, …]}')
    if len(raw) > max_rules:
        raise QualityRuleInvalid(
            f"{len(raw):,} rules: a dataset may have at most {max_rules} rules"
        )
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        rule = _check_one(item, number, schema, max_chars, references or {})
        if rule.id in seen:
            raise QualityRuleInvalid(
                f"rule {number} ({rule.id!r}): another rule has the same id",
                details={"rule": rule.id},
            )
        seen.add(rule.id)
        rules.append(rule)
    try:  # the whole set compiles against the schema: it will run
        compile_profile([r.measure(references) for r in rules], schema, examples=1,
                        timezone=timezone)
    except QueryError as exc:
        culprit = str(exc.details.get("measure", "?"))[:100]
        raise QualityRuleInvalid(
            f"rule {culprit!r}: {exc.message}", details={"rule": culprit}
        ) from None
    return rules


def referenced_datasets(raw: Any) -> list[str]:
    """The dataset ids the ``exists`` rules of ``raw`` name (to look up before checking)."""
    if not isinstance(raw, list):
        return []
    return sorted({item["dataset"] for item in raw[:10_000] if isinstance(item, dict)
                   and item.get("type") == "exists" and isinstance(item.get("dataset"), str)
                   and DATASET_ID.fullmatch(item["dataset"])})


def _check_one(item: Any, number: int, schema: TableSchema, max_chars: int,
               references: Mapping[str, Reference]) -> Rule:
    label = f"rule {number}"
    if not isinstance(item, dict):
        raise QualityRuleInvalid(
            f'{label}: a rule is an object such as {{"type": "required", "field": …}}'
        )
    try:
        text = json.dumps(item, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        raise QualityRuleInvalid(f"{label}: not plain JSON") from None
    if len(text) > max_chars:
        raise QualityRuleInvalid(f"{label}: {len(text):,} characters, more than {max_chars:,}")
    rule_id = item.get("id")
    if rule_id is not None:
        if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
            raise QualityRuleInvalid(f"{label}: an id is 1-100 letters, digits and _ . : -")
        label = f"rule {number} ({rule_id!r})"
    unknown = sorted(set(item) - KEYS)
    if unknown:
        raise QualityRuleInvalid(
            f"{label}: unknown key(s) {', '.join(repr(k[:40]) for k in unknown[:5])}; "
            f"a rule has {', '.join(sorted(KEYS))}"
        )
    kind = item.get("type")
    if kind not in DIMENSION_OF:
        raise QualityRuleInvalid(
            f"{label}: unknown type {str(kind)[:40]!r}; types are {', '.join(DIMENSION_OF)}"
        )
    description = item.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 500):
        raise QualityRuleInvalid(f"{label}: a description is text of at most 500 characters")
    if kind == "exists":
        named, dataset, key = _reference(item, label, schema, references)
        return Rule(id=rule_id or _default_id(kind, named, (), number), type=kind, field=named,
                    dataset=dataset, key=key, description=description)
    if "dataset" in item or "key" in item:
        raise QualityRuleInvalid(f'{label}: "dataset" and "key" belong to an exists rule')
    field, fields, value, where = _shape(item, kind, label, schema)
    rule_id = rule_id or _default_id(kind, field, fields, number)
    return Rule(
        id=rule_id,
        type=kind,
        field=field,
        fields=fields,
        value=value,
        where=where,
        description=description,
    )


def _reference(item: dict[str, Any], label: str, schema: TableSchema,
               references: Mapping[str, Reference]) -> tuple[str, str, str]:
    """An ``exists`` rule's field, other dataset and key, checked against both schemas."""
    field, dataset, key = item.get("field"), item.get("dataset"), item.get("key")
    if not isinstance(field, str) or not isinstance(dataset, str) or not isinstance(key, str):
        raise QualityRuleInvalid(
            f'{label}: an exists rule needs "field", "dataset" and "key" (the other dataset\'s '
            'field its values must occur in)')
    _known([field], label, schema)
    other = references.get(dataset) if DATASET_ID.fullmatch(dataset) else None
    if other is None:
        raise QualityRuleInvalid(
            f"{label}: no published dataset {dataset[:100]!r} that you may read",
            details={"dataset": dataset[:100]})
    if other.schema.get(key) is None:
        raise QualityRuleInvalid(
            f"{label}: dataset {dataset!r} has no field {key[:100]!r}; its fields are "
            f"{', '.join(other.schema.names)[:1000]}", details={"field": key[:100]})
    own, theirs = schema.get(field).type, other.schema.get(key).type  # type: ignore[union-attr]
    if own not in REFERABLE or theirs not in REFERABLE:
        raise QualityRuleInvalid(
            f"{label}: exists compares text, numbers and dates; {field!r} is {own}, "
            f"{dataset}.{key} is {theirs}")
    return field, dataset, key


def _shape(
    item: dict[str, Any], kind: str, label: str, schema: TableSchema
) -> tuple[str | None, tuple[str, ...], Any, str | None]:
    if kind == "check":
        where = item.get("where")
        if not isinstance(where, str) or not where.strip():
            raise QualityRuleInvalid(
                f'{label}: a check needs "where", a condition such as "occupancy <= capacity"'
            )
        try:
            expr = parse_where(where)
        except ODSQLError as exc:
            raise QualityRuleInvalid(f"{label}: the condition does not parse: {exc}") from None
        from belfort.query.model import field_refs

        _known(field_refs(expr), label, schema)
        return None, (), None, where
    if kind == "unique" and "fields" in item:
        fields = item["fields"]
        if (
            not isinstance(fields, list)
            or not 1 <= len(fields) <= MAX_UNIQUE_FIELDS
            or not all(isinstance(f, str) for f in fields)
            or len(set(fields)) != len(fields)
        ):
            raise QualityRuleInvalid(
                f'{label}: "fields" is a list of 1-{MAX_UNIQUE_FIELDS} different field names'
            )
        _known(fields, label, schema)
        return None, tuple(fields), None, None
    field = item.get("field")
    if not isinstance(field, str):
        raise QualityRuleInvalid(f'{label}: a {kind} rule needs "field", a field name')
    _known([field], label, schema)
    ftype = schema.get(field).type  # type: ignore[union-attr]
    value = item.get("value")
    if kind in {"required", "unique"}:
        return field, (), None, None
    if kind in {"minLength", "maxLength"}:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**9:
            raise QualityRuleInvalid(f'{label}: "value" is a whole number of characters')
        if ftype != "string":
            raise QualityRuleInvalid(
                f"{label}: {kind} applies to text fields; {field!r} is {ftype}"
            )
        return field, (), value, None
    if kind == "pattern":
        if not isinstance(value, str) or not value:
            raise QualityRuleInvalid(f'{label}: "value" is a regular expression (RE2)')
        try:
            check_pattern(value)
        except QueryError as exc:
            raise QualityRuleInvalid(f"{label}: {exc.message}") from None
        return field, (), value, None
    if kind == "enum":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_ENUM_VALUES:
            raise QualityRuleInvalid(
                f'{label}: "value" is a list of 1-{MAX_ENUM_VALUES} allowed values'
            )
        for v in value:
            _scalar(v, label)
        return field, (), tuple(value), None
    # minimum / maximum
    _scalar(value, label)
    if value is None:
        raise QualityRuleInvalid(f'{label}: "value" is the bound, e.g. 0')
    if ftype not in ORDERED:
        raise QualityRuleInvalid(
            f"{label}: {kind} applies to numbers, dates and text; {field!r} is {ftype}"
        )
    return field, (), value, None


def _scalar(value: Any, label: str) -> None:
    if value is not None and (
        not isinstance(value, (str, int, float)) or (isinstance(value, str) and len(value) > 1000)
    ):
        raise QualityRuleInvalid(f"{label}: a value is a number or text (at most 1,000 characters)")


def _known(names: list[str], label: str, schema: TableSchema) -> None:
    unknown = [n for n in names if schema.get(n) is None]
    if unknown:
        raise QualityRuleInvalid(
            f"{label}: unknown field {unknown[0][:100]!r}; the dataset's fields are "
            f"{', '.join(schema.names)[:1000]}",
            details={"field": unknown[0][:100]},
        )


def _default_id(kind: str, field: str | None, fields: tuple[str, ...], number: int) -> str:
    name = field or "+".join(fields) or str(number)
    candidate = f"{kind}:{name}"[:100]
    return candidate if RULE_ID.fullmatch(candidate) else f"{kind}:{number}"
