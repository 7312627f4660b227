"""Measure one dataset's data quality: one profiling scan of a version, one stored report.

What a run measures:

- **completeness**: missing values (null, or blank text) of every field, and the ``required``
  rules;
- **validity**: the declared constraints (``minimum`` … ``enum``, ``pattern``) and the values
  the ingest could not read as their field's type (the version's validation report);
- **uniqueness**: duplicates of the declared keys (``unique``);
- **consistency**: the ``check`` rules in the query language;
- **timeliness**: the age of the newest version (or live observation) against the declared
  update frequency (``belfort.quality.timeliness``).

All counts come from one statement over the version's Parquet file through the engine
(``QueryEngine.profile``), within ``BELFORT_QUALITY_TIMEOUT_SECONDS``; rows are never loaded
into Python. A dataset without saved rules gets rules inferred from its first measured version
(``infer``): ``required`` for fields without a missing value, ``unique`` for an obvious key
(the record key, else an id-like field) without duplicates; a steward edits them afterwards.

``measure`` never raises for a failing profile: the failure is stored as a report with
``status: "failed"`` and its reason, so that publication is never failed by measuring.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from belfort.catalog import store as catalog_store
from belfort.catalog.models import Dataset, Version
from belfort.errors import BelfortError
from belfort.platform import Platform
from belfort.quality import references, store
from belfort.quality.rules import (
    COMPLETENESS,
    DIMENSIONS,
    TIMELINESS,
    VALIDITY,
    Reference,
    Rule,
    referenced_datasets,
)
from belfort.quality.timeliness import timeliness
from belfort.query.profile import Measure, Profile
from belfort.schema import TableSchema
from belfort.streams.live_catalog import LIVE_FORMAT, live_file

log = logging.getLogger("belfort.quality")

MAX_FIELDS_MEASURED = 1000  # completeness is measured for the first 1,000 fields of a wide version
MAX_INFERRED_KEYS = 3
KEY_NAME = re.compile(r"(^|_)(id|identifier|identificatie|code|nummer|key)$")
KEY_TYPES = {"string", "integer"}


@dataclass
class Target:
    """What a run reads: a version's file and schema (None: nothing to profile)."""

    dataset_id: str
    version: int | None
    path: Path | None
    schema: TableSchema
    live: bool
    validation: dict[str, Any]
    record_key: tuple[str, ...]
    timezone: str


def measure(
    platform: Platform, dataset_id: str, *, trigger: str, version: int | None = None
) -> int | None:
    """Measure ``dataset_id`` (its published version, else its newest; or ``version``) and store
    the report; its id, or None when the dataset has no version to measure."""
    settings = platform.settings
    now = datetime.now(UTC)
    with platform.db.session() as session:
        dataset = catalog_store.find_dataset(session, dataset_id)
        if dataset is None:
            return None
        chosen = _version(dataset, version)
        if chosen is None:
            return None
        target = _target(dataset, chosen)
        if not target.live:
            target.path = platform.lake.absolute(chosen.path)
        rule_set = store.rule_set(session, dataset_id)
        others = references.lookup(
            session, platform, referenced_datasets(rule_set.rules if rule_set else []))
        saved = store.saved_rules(
            rule_set,
            target.schema,
            max_rules=settings.quality_max_rules,
            max_chars=settings.quality_max_rule_chars,
            references=others,
        )
        timely = timeliness(session, dataset, now, target.live)
    if target.live:
        target.path = live_file(platform, dataset_id)
    inferring = saved is None
    rules = saved or []
    started = time.perf_counter()
    status, error, profile = "ok", None, None
    try:
        if target.path is not None:
            measures = _measures(target, rules, inferring, others)
            profile = platform.engine.profile(
                measures,
                target.schema,
                target.path,
                examples=settings.quality_examples,
                timeout_seconds=settings.quality_timeout_seconds,
                timezone=target.timezone,
            )
    except BelfortError as exc:
        status, error = "failed", exc.message
    except Exception as exc:  # noqa: BLE001 — recorded, never raised into publication
        log.exception("measuring the quality of %s failed", dataset_id)
        status, error = "failed", f"{type(exc).__name__}: {str(exc)[:500]}"
    elapsed_ms = (time.perf_counter() - started) * 1000
    if profile is not None and inferring:
        rules = infer(target, profile, settings.quality_max_rules)
    results = _results(target, rules, profile) if profile is not None else []
    dimensions = summarise(results, timely)
    with platform.db.session() as session:
        if profile is not None and inferring:
            dataset = catalog_store.find_dataset(session, dataset_id)
            if dataset is not None and store.rule_set(session, dataset_id) is None:
                store.save_rules(session, dataset, rules, "belfort-quality", inferred=True)
        report = store.add_report(
            session,
            dataset_id,
            version=target.version,
            measured_at=now,
            trigger=trigger,
            status=status,
            error=error,
            row_count=None if profile is None else profile.rows,
            elapsed_ms=round(elapsed_ms, 1),
            dimensions=dimensions,
            timeliness=timely,
            results=results,
        )
        return report.id


def _version(dataset: Dataset, number: int | None) -> Version | None:
    if number is None:
        number = dataset.published_version
    if number is None:
        return dataset.versions[-1] if dataset.versions else None
    return next((v for v in dataset.versions if v.number == number), None)


def _target(dataset: Dataset, version: Version) -> Target:
    live = version.source_format == LIVE_FORMAT
    return Target(
        dataset_id=dataset.id,
        version=version.number,
        path=None,
        schema=TableSchema.from_dict(version.table_schema or {}),
        live=live,
        validation=dict(version.validation or {}),
        record_key=tuple(dataset.record_key or ()),
        timezone=dataset.timezone,
    )


def missing_key(field: str) -> str:
    return f"missing:{field}"


def _measures(target: Target, rules: list[Rule], inferring: bool,
              others: dict[str, Reference]) -> list[Measure]:
    required = {r.field for r in rules if r.type == "required"}
    measures = [  # a field with a required rule: that rule counts its missing values
        Measure(missing_key(f.name), missing=f.name)
        for f in target.schema.fields[:MAX_FIELDS_MEASURED]
        if f.name not in required
    ]
    if inferring:
        measures.extend(
            Measure(f"unique:{name}", duplicates=(name,)) for name in _key_candidates(target)
        )
    else:
        measures.extend(r.measure(others) for r in rules)
    return measures


def _key_candidates(target: Target) -> list[str]:
    if target.record_key:
        return (
            [name for name in target.record_key if target.schema.get(name)][:1]
            if len(target.record_key) == 1
            else []
        )
    return [
        f.name for f in target.schema.fields if f.type in KEY_TYPES and KEY_NAME.search(f.name)
    ][:MAX_INFERRED_KEYS]


def infer(target: Target, profile: Profile, max_rules: int) -> list[Rule]:
    """Default rules from a first profile: ``required`` for fields no row misses, ``unique``
    for key candidates without duplicates."""
    if profile.rows == 0:
        return []
    rules: list[Rule] = []
    for f in target.schema.fields[:MAX_FIELDS_MEASURED]:
        result = profile.results.get(missing_key(f.name))
        if result is not None and result.failing == 0:
            rules.append(Rule(id=f"required:{f.name}"[:100], type="required", field=f.name))
    for name in _key_candidates(target):
        result = profile.results.get(f"unique:{name}")
        missing = profile.results.get(missing_key(name))
        if (
            result is not None
            and result.failing == 0
            and missing is not None
            and missing.failing == 0
        ):
            rules.append(Rule(id=f"unique:{name}"[:100], type="unique", field=name))
    return rules[:max_rules]


def _results(target: Target, rules: list[Rule], profile: Profile) -> list[dict[str, Any]]:
    rows = profile.rows
    out: list[dict[str, Any]] = []
    required = {r.field for r in rules if r.type == "required"}
    for f in target.schema.fields[:MAX_FIELDS_MEASURED]:
        if f.name in required:  # its required rule reports the same count
            continue
        result = profile.results[missing_key(f.name)]
        out.append(
            {
                "id": missing_key(f.name),
                "dimension": COMPLETENESS,
                "rule": {"type": "missing", "field": f.name},
                "checked": rows,
                "failing": result.failing,
                "examples": [],
            }
        )
    for rule in rules:
        found = profile.results.get(rule.id)
        if found is None and rule.type == "required" and rule.field:  # inferred: the same count
            found = profile.results.get(missing_key(rule.field))
        if found is None and rule.type == "unique":
            found = profile.results.get(f"unique:{rule.field}")
        if found is None:
            continue
        result = found
        out.append(
            {
                "id": rule.id,
                "dimension": rule.dimension,
                "rule": rule.to_dict(),
                "checked": rows,
                "failing": result.failing,
                "examples": result.examples,
            }
        )
    for problem in target.validation.get("problems", [])[:200]:
        column = str(problem.get("column", ""))[:60]
        out.append(
            {
                "id": f"type:{column}:{str(problem.get('code', ''))[:30]}"[:100],
                "dimension": VALIDITY,
                "rule": {
                    "type": "type",
                    "field": column,
                    "problem": str(problem.get("problem", ""))[:200],
                },
                "checked": rows,
                "failing": int(problem.get("count") or 0),
                "examples": [
                    {"values": {column: str(e)[:200]}} for e in (problem.get("examples") or [])[:5]
                ],
            }
        )
    return out


def summarise(results: list[dict[str, Any]], timely: dict[str, Any]) -> dict[str, Any]:
    """Per dimension: rules, values checked, failing, share failing and a score (share passing)."""
    out: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        if dimension == TIMELINESS:
            on_time = timely.get("on_time")
            out[dimension] = {
                "rules": 1,
                "checked": 1 if on_time is not None else 0,
                "failing": 1 if on_time is False else 0,
                "score": None if on_time is None else (1.0 if on_time else 0.0),
            }
            continue
        out[dimension] = rule_totals(results, dimension)
    return out


def rule_totals(results: list[dict[str, Any]], dimension: str) -> dict[str, Any]:
    """A dimension's rules, values checked, values failing and score (share passing)."""
    mine = [r for r in results if r["dimension"] == dimension]
    checked = sum(r["checked"] for r in mine)
    failing = sum(min(r["failing"], r["checked"]) for r in mine)
    return {
        "rules": len(mine),
        "checked": checked,
        "failing": failing,
        "score": None if checked == 0 else round(1 - failing / checked, 6),
    }
