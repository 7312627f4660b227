"""The publication gate: a version's data quality against the minimum of its classification.

Before a version becomes the published one (``belfort.publishing``: an ingest that publishes,
or publishing a draft), the dataset's saved quality rules run over the version's file — the
STAGED file of an ingest, before anything is visible — through the engine
(``QueryEngine.profile``: one scan, no examples). Two limits per classification
(``BELFORT_QUALITY_GATE_MAX_FAILING_PERCENT``, ``BELFORT_QUALITY_GATE_MIN_SCORE``):

- a rule (a saved rule, or the values of a field the ingest could not read as its type) that
  fails on more than X % of the rows blocks;
- a dimension (completeness, validity, uniqueness, consistency) of those rules whose score —
  the share of checked values passing — is below Y blocks.

A classification without limits is not measured at all (no added cost). A blocked version is
refused with ``QualityGateBlocked`` (422, CLI exit code 9) listing what is at fault, and the
refusal is audited (``quality_gate_blocked``); the previous published version stays. Publishing
it anyway needs an override with a written reason (``BELFORT_QUALITY_GATE_OVERRIDE_MIN_CHARS``),
audited (``quality_gate_override``: who, when, reason, figures) in the same transaction as the
publication and kept on the version (``Version.quality_gate``, shown in its history).

Missing values of fields without a ``required`` rule are not a failure here (the background
report measures them); a dataset without saved rules is judged on its type problems only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from belfort.catalog import store as catalog_store
from belfort.errors import BelfortError, InvalidRequest, QualityGateBlocked
from belfort.platform import Platform
from belfort.quality import store
from belfort.quality.rules import COMPLETENESS, CONSISTENCY, UNIQUENESS, VALIDITY, Rule
from belfort.quality.run import rule_totals
from belfort.schema import TableSchema
from belfort.settings import Settings, gate_thresholds

GATED_DIMENSIONS = (COMPLETENESS, VALIDITY, UNIQUENESS, CONSISTENCY)
MAX_REASON_CHARS = 2000
MAX_LISTED = 50  # rules listed in a refusal (the count says how many more)


@dataclass(frozen=True)
class Thresholds:
    """A classification's minimum quality; None: no limit of that kind."""

    max_failing_percent: float | None = None
    min_score: float | None = None

    @property
    def active(self) -> bool:
        return self.max_failing_percent is not None or self.min_score is not None

    def to_dict(self) -> dict[str, float | None]:
        return {"max_failing_percent": self.max_failing_percent, "min_score": self.min_score}


def thresholds(settings: Settings, classification: str) -> Thresholds:
    return Thresholds(
        max_failing_percent=gate_thresholds(
            settings.quality_gate_max_failing_percent, high=100.0
        ).get(classification),
        min_score=gate_thresholds(settings.quality_gate_min_score, high=1.0).get(classification),
    )


@dataclass
class Verdict:
    """What the gate found on one version."""

    classification: str
    limits: Thresholds
    rows: int
    failing: list[dict[str, Any]] = field(default_factory=list)
    rules: int = 0
    elapsed_ms: float = 0.0

    @property
    def blocked(self) -> bool:
        return bool(self.failing)

    def figures(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "thresholds": self.limits.to_dict(),
            "rows": self.rows,
            "rules": self.rules,
            "failing": self.failing[:MAX_LISTED],
            "failing_count": len(self.failing),
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass(frozen=True)
class Staged:
    """The version the gate looks at: its Parquet file and what the ingest learnt of it."""

    path: Path
    schema: TableSchema
    validation: dict[str, Any]
    row_count: int
    timezone: str | None = None
    staged: bool = True  # in an ingest's staging directory (False: a stored version's file)


def check_reason(settings: Settings, reason: str | None) -> str | None:
    """An override's written reason, checked before any data is read (InvalidRequest)."""
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise InvalidRequest("override_reason is text")
    text = " ".join(reason.split())
    if "\x00" in text or len(text) > MAX_REASON_CHARS:
        raise InvalidRequest(
            f"override_reason is text of at most {MAX_REASON_CHARS:,} characters (no NUL)"
        )
    minimum = settings.quality_gate_override_min_chars
    if len(text) < minimum:
        raise InvalidRequest(
            f"an override of the publication gate needs a written reason of at least {minimum} "
            f"characters; got {len(text)}",
            details={"field": "override_reason", "minimum": minimum},
        )
    return text


def evaluate(
    platform: Platform, dataset_id: str, classification: str, staged: Staged
) -> Verdict | None:
    """The gate's verdict on ``staged`` (None: the classification has no limits)."""
    settings = platform.settings
    limits = thresholds(settings, classification)
    if not limits.active:
        return None
    started = time.perf_counter()
    with platform.db.session() as session:
        rules = store.saved_rules(
            store.rule_set(session, dataset_id),
            staged.schema,
            max_rules=settings.quality_max_rules,
            max_chars=settings.quality_max_rule_chars,
        ) or []
    results = _type_results(staged)
    rows = staged.row_count
    if rules and rows:
        try:
            measure = platform.engine.profile_staged if staged.staged else platform.engine.profile
            profile = measure(
                [r.measure() for r in rules],
                staged.schema,
                staged.path,
                examples=0,
                timeout_seconds=settings.quality_timeout_seconds,
                timezone=staged.timezone,
            )
        except BelfortError as exc:  # not measured: not published unless overridden
            verdict = Verdict(classification, limits, rows, rules=len(rules))
            verdict.failing.append({"error": exc.message[:500]})
            verdict.elapsed_ms = _since(started)
            return verdict
        rows = profile.rows
        results.extend(_rule_results(rules, profile.results, rows))
    verdict = Verdict(classification, limits, rows, rules=len(results))
    verdict.failing = _at_fault(results, limits)
    verdict.elapsed_ms = _since(started)
    return verdict


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _rule_results(rules: list[Rule], found: dict[str, Any], rows: int) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        result = found.get(rule.id)
        if result is None:
            continue
        out.append(
            {"id": rule.id, "dimension": rule.dimension, "checked": rows,
             "failing": int(result.failing)}
        )
    return out


def _type_results(staged: Staged) -> list[dict[str, Any]]:
    """The values the ingest could not read as their field's type (validity)."""
    out = []
    for problem in (staged.validation.get("problems") or [])[:200]:
        column = str(problem.get("column", ""))[:60]
        out.append(
            {
                "id": f"type:{column}:{str(problem.get('code', ''))[:30]}"[:100],
                "dimension": VALIDITY,
                "checked": staged.row_count,
                "failing": int(problem.get("count") or 0),
            }
        )
    return out


def _at_fault(results: list[dict[str, Any]], limits: Thresholds) -> list[dict[str, Any]]:
    failing: list[dict[str, Any]] = []
    if limits.max_failing_percent is not None:
        for r in results:
            if not r["checked"]:
                continue
            percent = 100.0 * min(r["failing"], r["checked"]) / r["checked"]
            if percent > limits.max_failing_percent:
                failing.append(
                    {"rule": r["id"], "dimension": r["dimension"], "failing": r["failing"],
                     "checked": r["checked"], "percent": round(percent, 4),
                     "limit_percent": limits.max_failing_percent}
                )
    if limits.min_score is not None:
        for dimension in GATED_DIMENSIONS:
            score = rule_totals(results, dimension)["score"]
            if score is not None and score < limits.min_score:
                failing.append(
                    {"dimension": dimension, "score": score, "limit_score": limits.min_score}
                )
    return failing


def describe(failing: list[dict[str, Any]]) -> str:
    """The faults in a sentence (the refusal's message)."""
    parts = []
    for f in failing[:10]:
        if "error" in f:
            parts.append(f"the rules could not be measured ({f['error']})")
        elif "rule" in f:
            parts.append(
                f"rule {f['rule']!r} fails on {f['percent']:g} % of rows "
                f"(at most {f['limit_percent']:g} %)"
            )
        else:
            parts.append(f"{f['dimension']} scores {f['score']:g} (at least {f['limit_score']:g})")
    more = len(failing) - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def blocked_error(dataset_id: str, verdict: Verdict) -> QualityGateBlocked:
    return QualityGateBlocked(
        f"dataset {dataset_id!r} is not published: its data quality is below the minimum for "
        f"{verdict.classification!r} data: {describe(verdict.failing)}. Fix the data, or "
        "publish anyway with an override and a written reason (override_reason).",
        details=verdict.figures(),
    )


def decide(
    dataset_id: str, verdict: Verdict | None, reason: str | None, actor: str
) -> dict[str, Any] | None:
    """The record kept on the published version (None: no gate for its classification);
    raises ``QualityGateBlocked`` when blocked and not overridden (``reason`` was checked
    by ``check_reason``)."""
    if verdict is None:
        return None
    if verdict.blocked and not reason:
        raise blocked_error(dataset_id, verdict)
    record: dict[str, Any] = {
        "verdict": "overridden" if verdict.blocked else "passed",
        "at": datetime.now(UTC).isoformat(),
        **verdict.figures(),
    }
    if verdict.blocked:
        record.update({"by": actor[:100], "reason": reason})
    return record


def record_blocked(
    platform: Platform, actor: str, dataset_id: str, version: int | None, error: QualityGateBlocked,
    trigger: str,
) -> None:
    """Audit a refusal in a transaction of its own (the refused change rolls back)."""
    with platform.db.session() as session:
        catalog_store.record_audit(
            session, actor, "quality_gate_blocked", dataset_id, version=version, trigger=trigger,
            **{k: error.details.get(k) for k in ("classification", "thresholds", "rows",
                                                 "failing", "failing_count")},
        )


def audit_override(session: Any, actor: str, dataset_id: str, version: int,
                   record: dict[str, Any] | None) -> None:
    """Audit an override in the publication's transaction (nothing for a passed gate)."""
    if record is None or record.get("verdict") != "overridden":
        return
    catalog_store.record_audit(
        session, actor, "quality_gate_override", dataset_id, version=version,
        reason=record.get("reason"), classification=record.get("classification"),
        thresholds=record.get("thresholds"), rows=record.get("rows"),
        failing=record.get("failing"), failing_count=record.get("failing_count"),
    )
