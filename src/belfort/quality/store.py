"""Data-quality rows in the catalogue: a dataset's rule set, its reports over time.

Rules are saved only after ``rules.check_rules`` accepted them against the dataset's newest
version; reports are appended (a time series) and never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from belfort.catalog.models import Dataset, QualityReport, QualityResult, QualityRuleSet, utcnow
from belfort.quality.rules import Reference, Rule, check_rules
from belfort.schema import TableSchema

MAX_HISTORY = 1000


def rule_set(session: Session, dataset_id: str) -> QualityRuleSet | None:
    return session.get(QualityRuleSet, dataset_id)


def saved_rules(
    row: QualityRuleSet | None, schema: TableSchema, *, max_rules: int, max_chars: int,
    references: Mapping[str, Reference] | None = None,
) -> list[Rule] | None:
    """The saved rules as ``Rule``s (None: none saved yet). They were checked when saved; a
    rule naming a field a newer version no longer has is left out of the run rather than
    failing it (the rule set keeps it; saving the rules again says what is wrong); so is an
    ``exists`` rule whose dataset is not in ``references`` (no longer published)."""
    if row is None:
        return None
    kept = []
    for item in row.rules:
        try:
            kept.extend(check_rules([item], schema, max_rules=max_rules, max_chars=max_chars,
                                    references=references))
        except Exception:  # noqa: BLE001 — a rule the schema outgrew: skipped, listed by the caller
            continue
    return kept


def save_rules(
    session: Session,
    dataset: Dataset,
    rules: list[Rule],
    actor: str | None,
    *,
    inferred: bool = False,
) -> QualityRuleSet:
    row = session.get(QualityRuleSet, dataset.id)
    if row is None:
        row = QualityRuleSet(dataset_id=dataset.id)
        session.add(row)
    row.rules = [r.to_dict() for r in rules]
    row.inferred = inferred
    row.updated_by = (actor or "")[:100] or None
    row.updated_at = utcnow()
    return row


def replace_rules(
    session: Session, dataset: Dataset, raw: Any, actor: str, *, max_rules: int, max_chars: int,
    references: Mapping[str, Reference] | None = None,
) -> list[Rule]:
    """Check ``raw`` against the dataset's newest version (and ``exists`` rules against the
    versions in ``references``) and save it as the dataset's rules (``QualityRuleInvalid``
    naming the rule at fault; nothing saved then); audited."""
    from belfort.catalog import store as catalog_store
    from belfort.errors import Conflict

    newest = max(dataset.versions, key=lambda v: v.number, default=None)
    if newest is None:
        raise Conflict(
            f"dataset {dataset.id!r} has no version yet: rules are checked against its fields"
        )
    schema = TableSchema.from_dict(newest.table_schema or {})
    rules = check_rules(
        raw, schema, max_rules=max_rules, max_chars=max_chars, timezone=dataset.timezone,
        references=references,
    )
    save_rules(session, dataset, rules, actor)
    catalog_store.record_audit(session, actor, "set_quality_rules", dataset.id, rules=len(rules))
    return rules


def add_report(
    session: Session,
    dataset_id: str,
    *,
    version: int | None,
    measured_at: datetime,
    trigger: str,
    status: str,
    error: str | None,
    row_count: int | None,
    elapsed_ms: float | None,
    dimensions: dict[str, Any],
    timeliness: dict[str, Any],
    results: list[dict[str, Any]],
) -> QualityReport:
    report = QualityReport(
        dataset_id=dataset_id,
        version=version,
        measured_at=measured_at,
        trigger=trigger,
        status=status,
        error=None if error is None else error[:2000],
        row_count=row_count,
        elapsed_ms=elapsed_ms,
        dimensions=dimensions,
        timeliness=timeliness,
    )
    report.results = [
        QualityResult(
            rule_id=r["id"][:100],
            dimension=r["dimension"],
            rule=r["rule"],
            checked=r["checked"],
            failing=r["failing"],
            examples=r["examples"],
        )
        for r in results
    ]
    session.add(report)
    session.flush()
    return report


def latest_report(
    session: Session, dataset_id: str, max_version: int | None = None
) -> QualityReport | None:
    """The newest report (of a version up to ``max_version``: what the public may know)."""
    query = select(QualityReport).where(QualityReport.dataset_id == dataset_id)
    if max_version is not None:
        query = query.where(QualityReport.version <= max_version)
    return session.scalar(
        query.options(selectinload(QualityReport.results))
        .order_by(QualityReport.measured_at.desc(), QualityReport.id.desc())
        .limit(1)
    )


def history(
    session: Session, dataset_id: str, limit: int, max_version: int | None = None
) -> list[QualityReport]:
    """The newest ``limit`` reports, oldest first."""
    query = select(QualityReport).where(QualityReport.dataset_id == dataset_id)
    if max_version is not None:
        query = query.where(QualityReport.version <= max_version)
    rows = session.scalars(
        query.options(selectinload(QualityReport.results))
        .order_by(QualityReport.measured_at.desc(), QualityReport.id.desc())
        .limit(max(1, min(limit, MAX_HISTORY)))
    ).all()
    return list(reversed(rows))
