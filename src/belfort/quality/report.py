"""A stored quality report as JSON, as one caller may see it.

The caller's adapter (``belfort.api.quality``) asks the gate first (a dataset the caller may
not see is 404 like all its routes) and passes what the gate holds back: ``hidden`` fields are
left out entirely — their completeness, the rules that read them, and their values in
examples — and ``examples=False`` (a caller who may not read the rows, e.g. through an
aggregates-only policy) leaves out every example value, keeping the counts.
"""

from __future__ import annotations

from typing import Any

from belfort.catalog.models import QualityReport, QualityResult, QualityRuleSet
from belfort.quality.rules import DIMENSIONS
from belfort.quality.run import rule_totals


def report_to_dict(
    report: QualityReport, *, hidden: frozenset[str], examples: bool
) -> dict[str, Any]:
    rules = [_result(r, examples) for r in report.results if not _reads(r.rule, hidden)]
    return {
        "dataset": report.dataset_id,
        "version": report.version,
        "measured_at": report.measured_at.isoformat(),
        "trigger": report.trigger,
        "status": report.status,
        "error": report.error,
        "rows": report.row_count,
        "elapsed_ms": report.elapsed_ms,
        "dimensions": _dimensions(rules, report),
        "timeliness": report.timeliness,
        "rules": rules,
    }


def _reads(rule: dict[str, Any], hidden: frozenset[str]) -> bool:
    if not hidden:
        return False
    names = {rule.get("field"), *rule.get("fields", [])}
    if rule.get("where"):
        from belfort.query.model import field_refs
        from belfort.query.odsql import parse_where

        try:
            names |= set(field_refs(parse_where(rule["where"])))
        except Exception:  # noqa: BLE001 — saved rules parse; if not, hide it to be safe
            return True
    return bool(names & hidden)


def _result(r: QualityResult, examples: bool) -> dict[str, Any]:
    return {
        "id": r.rule_id,
        "dimension": r.dimension,
        "rule": r.rule,
        "checked": r.checked,
        "failing": r.failing,
        "share": None if not r.checked else round(r.failing / r.checked, 6),
        "examples": r.examples if examples else [],
    }


def _dimensions(rules: list[dict[str, Any]], report: QualityReport) -> dict[str, Any]:
    """The dimensions over the results the caller sees (hidden fields do not count)."""
    out: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        stored = (report.dimensions or {}).get(dimension, {})
        if dimension == "timeliness":
            out[dimension] = stored
            continue
        totals = rule_totals(rules, dimension)
        checked, failing = totals["checked"], totals["failing"]
        out[dimension] = {**totals, "share": None if checked == 0 else round(failing / checked, 6)}
    return out


def history_entry(report: QualityReport, *, hidden: frozenset[str]) -> dict[str, Any]:
    """One point of the time series: when, which version, the dimensions' scores (as the
    caller sees them when fields are hidden: recomputed from the visible results)."""
    dimensions = (
        _dimensions(
            [_result(r, False) for r in report.results if not _reads(r.rule, hidden)], report
        )
        if hidden
        else report.dimensions
    )
    return {
        "measured_at": report.measured_at.isoformat(),
        "version": report.version,
        "status": report.status,
        "rows": report.row_count,
        "scores": {d: (dimensions.get(d) or {}).get("score") for d in DIMENSIONS},
    }


def rules_to_dict(
    dataset_id: str, row: QualityRuleSet | None, hidden: frozenset[str] = frozenset()
) -> dict[str, Any]:
    rules = [r for r in (row.rules if row else []) if not _reads(r, hidden)]
    return {
        "dataset": dataset_id,
        "rules": rules,
        "inferred": bool(row.inferred) if row else False,
        "updated_at": row.updated_at.isoformat() if row else None,
        "updated_by": row.updated_by if row else None,
    }


def not_measured(dataset_id: str) -> dict[str, Any]:
    """The answer before a dataset's first measurement (it runs in the background)."""
    return {
        "dataset": dataset_id,
        "version": None,
        "measured_at": None,
        "trigger": None,
        "status": "not_measured",
        "error": None,
        "rows": None,
        "elapsed_ms": None,
        "dimensions": {d: None for d in DIMENSIONS},
        "timeliness": None,
        "rules": [],
    }
