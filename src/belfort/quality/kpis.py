"""Data-quality KPIs over the datasets a caller may see: city-wide or of one organisation.

A dataset's **data score** is the share of checked values passing every rule of the
completeness, validity, uniqueness and consistency dimensions of its latest report (``1 -
failing / checked`` over those rules together; timeliness is its own KPI), with a band:
*excellent* ≥ 99 %, *good* ≥ 95 %, *sufficient* ≥ 80 %, else *bad*. A dataset **passes** when
its band is good or excellent.

Only datasets the caller may see count, each as the caller sees it: the reports of versions it
may read (the public: published versions), and with the fields held back from it left out of
the scores (``belfort.quality.report``). The rows come from the catalogue as read through the
gate (``belfort.linked.rows``), given by the caller with their metadata scores (``belfort.mqa``
sits above this unit), so that nothing here decides visibility twice.

The trend is one point per day on which some visible dataset was measured: each dataset counts
with its newest report up to that day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from belfort.catalog.models import Dataset, QualityReport
from belfort.linked.dcat import DatasetRow
from belfort.mqa import method as mqa_method
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.quality.report import history_entry
from belfort.quality.rules import DIMENSIONS, TIMELINESS

DATA_DIMENSIONS = tuple(d for d in DIMENSIONS if d != TIMELINESS)
BANDS: tuple[tuple[str, float], ...] = (
    ("excellent", 0.99), ("good", 0.95), ("sufficient", 0.80), ("bad", 0.0)
)
PASSING = frozenset({"excellent", "good"})
MQA_BANDS = ("excellent", "good", "sufficient", "bad")
MAX_DAYS = 366
DEFAULT_DAYS = 90
WORST = 10
MAX_REPORTS = 50_000  # reports read for one trend, newest first


@dataclass(frozen=True)
class MetadataScore:
    points: int
    band: str  # the MQA band's key


def data_score(dimensions: Mapping[str, Any] | None) -> float | None:
    """The share of checked values passing the data dimensions' rules (None: nothing checked)."""
    checked = failing = 0
    for dimension in DATA_DIMENSIONS:
        totals = (dimensions or {}).get(dimension) or {}
        checked += int(totals.get("checked") or 0)
        failing += min(int(totals.get("failing") or 0), int(totals.get("checked") or 0))
    return None if checked == 0 else round(1 - failing / checked, 6)


def band_of(score: float | None) -> str | None:
    if score is None:
        return None
    return next(key for key, floor in BANDS if score >= floor)


@dataclass(frozen=True)
class Point:
    """One dataset's report as the caller sees it."""

    measured_at: datetime
    version: int | None
    status: str
    scores: dict[str, float | None]  # per dimension
    data_dimensions: dict[str, Any] | None  # the totals behind ``score`` (None: from scores)
    score: float | None


def _point(report: QualityReport, hidden: frozenset[str]) -> Point:
    entry = history_entry(report, hidden=hidden)
    dims = report.dimensions or {}
    if hidden:  # recomputed from the visible results: the scores, weighted by their checks
        from belfort.quality.report import report_to_dict

        dims = report_to_dict(report, hidden=hidden, examples=False)["dimensions"]
    ok = report.status == "ok"
    return Point(report.measured_at, report.version, report.status, entry["scores"],
                 dims, data_score(dims) if ok else None)


def _points(platform: Platform, principal: Principal, rows: Sequence[DatasetRow],
            since: datetime) -> dict[str, list[Point]]:
    """Each visible dataset's reports the caller may read, oldest first: those since
    ``since`` and the newest one before it (the trend's starting state)."""
    out: dict[str, list[Point]] = {r.id: [] for r in rows}
    if not rows:
        return out
    limits = {r.id: (None if principal.is_admin else (r.version or 0)) for r in rows}
    with platform.db.session() as session:
        hidden = {}
        for row in rows:
            dataset = session.get(Dataset, row.id)
            hidden[row.id] = gate.held_back_fields(principal, dataset) if dataset else frozenset()
        found = session.scalars(
            select(QualityReport)
            .where(QualityReport.dataset_id.in_(list(out)))
            .options(selectinload(QualityReport.results))
            .order_by(QualityReport.measured_at.desc(), QualityReport.id.desc())
            .limit(MAX_REPORTS)
        ).all()
        for report in found:
            limit = limits[report.dataset_id]
            if limit is not None and (report.version is None or report.version > limit):
                continue
            mine = out[report.dataset_id]
            if mine and _utc(mine[-1].measured_at) < since:
                continue  # already one before the window: the starting state
            mine.append(_point(report, hidden[report.dataset_id]))
    return {k: list(reversed(v)) for k, v in out.items()}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 6) if known else None


def _summary(latest: Mapping[str, Point], count: int) -> dict[str, Any]:
    """The KPIs of the datasets' latest points (``count``: datasets visible)."""
    scores = {k: p.score for k, p in latest.items()}
    bands = {b: 0 for b, _ in BANDS}
    for score in scores.values():
        band = band_of(score)
        if band:
            bands[band] += 1
    scored = sum(bands.values())
    on_time = [p.scores.get(TIMELINESS) for p in latest.values()]
    return {
        "datasets": count,
        "measured": len(latest),
        "scored": scored,
        "passing": sum(bands[b] for b in PASSING),
        "share_passing": round(sum(bands[b] for b in PASSING) / scored, 6) if scored else None,
        "score": _mean(list(scores.values())),
        "bands": bands,
        "dimensions": {d: _mean([p.scores.get(d) for p in latest.values()]) for d in DIMENSIONS},
        "timeliness": {
            "on_time": sum(1 for v in on_time if v == 1.0),
            "late": sum(1 for v in on_time if v == 0.0),
            "unknown": sum(1 for v in on_time if v is None),
        },
    }


def _trend(points: Mapping[str, list[Point]], since: datetime) -> list[dict[str, Any]]:
    days = sorted({_utc(p.measured_at).date() for ps in points.values() for p in ps
                   if _utc(p.measured_at) >= since})
    out = []
    for day in days:
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        latest = {}
        for key, ps in points.items():
            before = [p for p in ps if _utc(p.measured_at) < end]
            if before:
                latest[key] = before[-1]
        summary = _summary(latest, len(points))
        out.append({"date": day.isoformat(), "measured": summary["measured"],
                    "score": summary["score"], "share_passing": summary["share_passing"],
                    "dimensions": summary["dimensions"]})
    return out


def kpis(
    platform: Platform,
    principal: Principal,
    rows: Sequence[DatasetRow],
    metadata: Mapping[str, MetadataScore],
    *,
    organisation: str | None = None,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The KPIs over ``rows`` (the datasets ``principal`` may see, already narrowed to one
    organisation when ``organisation`` is given) and their metadata scores."""
    days = max(1, min(days, MAX_DAYS))
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    points = _points(platform, principal, rows, since)
    latest = {k: ps[-1] for k, ps in points.items() if ps}
    titles = {r.id: r.title_nl for r in rows}
    mqa_points = [m.points for m in metadata.values()]
    mean_points = round(sum(mqa_points) / len(mqa_points), 1) if mqa_points else None
    worst = sorted(
        (k for k, p in latest.items() if p.score is not None),
        key=lambda k: (latest[k].score, k),
    )[:WORST]
    return {
        "organisation": organisation,
        "days": days,
        **_summary(latest, len(rows)),
        "metadata": {
            "datasets": len(mqa_points),
            "points": mean_points,
            "band": mqa_method.band_of(mean_points).key if mean_points is not None else None,
            "bands": {b: sum(1 for m in metadata.values() if m.band == b) for b in MQA_BANDS},
        },
        "trend": _trend(points, since),
        "worst": [
            {"dataset": k, "title": titles.get(k, k), "score": latest[k].score,
             "band": band_of(latest[k].score), "measured_at": latest[k].measured_at.isoformat(),
             "metadata_points": metadata[k].points if k in metadata else None}
            for k in worst
        ],
        "not_measured": sorted(k for k in points if k not in latest),
    }
