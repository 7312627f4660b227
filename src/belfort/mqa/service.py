"""Metadata-quality scores of the datasets a caller may see.

Each dataset is scored on exactly the DCAT-AP description the catalogue publishes
(``belfort.linked.dcat``, from the rows ``belfort.linked.rows`` reads through the gate), with:

- Belfort's own access and download URLs answering when the dataset is public (the route
  exists and an anonymous caller may read it) — decided here, without a request;
- any other URL checked by ``belfort.mqa.urls`` (HEAD, public addresses only, cached);
- ``dcatApCompliance`` from ``belfort.mqa.shacl`` (the official shapes, when configured).

A catalogue's score is the mean of its datasets' scores.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from belfort.linked import rows as catalogue
from belfort.linked.dcat import MAX_PAGE_SIZE, DatasetRow, DcatBuilder
from belfort.mqa import method as m
from belfort.mqa.scoring import DatasetScore, own_url_ok, score_description
from belfort.mqa.shacl import Compliance, ComplianceChecker
from belfort.mqa.urls import UrlChecker
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.gate import PUBLIC_STATES
from belfort.policy.principals import CLI_ADMIN, Principal


class MqaService:
    """The process's URL checker and compliance checker (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.urls = UrlChecker(platform.settings)
        self.compliance = ComplianceChecker(platform.settings.mqa_shapes_dir)


def mqa_service(platform: Platform) -> MqaService:
    return platform.component(MqaService, MqaService)


@dataclass(frozen=True)
class DatasetQuality:
    row: DatasetRow
    score: DatasetScore
    compliance: Compliance

    def to_dict(self) -> dict[str, Any]:
        body = {"dataset_id": self.row.id, **self.score.to_dict()}
        body["dcat_ap_compliance"] = {
            "checked": self.compliance.passed is not None,
            "passed": self.compliance.passed,
            **({"reason": self.compliance.reason} if self.compliance.reason else {}),
            "violations": list(self.compliance.messages),
        }
        return body


def is_public(row: DatasetRow) -> bool:
    """An anonymous caller may read the dataset's exports (``gate.is_public``'s rule)."""
    return row.classification == "open" and row.state in PUBLIC_STATES and row.version is not None


def score_rows(platform: Platform, rows: Sequence[DatasetRow]) -> list[DatasetQuality]:
    """The score of each row's published description, in order."""
    service = mqa_service(platform)
    base = platform.settings.canonical_base_url
    compliance = service.compliance.check(base, rows)
    out = []
    for row in rows:
        builder = DcatBuilder(base)
        doc = builder.dataset_document(row)
        public = is_public(row)

        def url_ok(url: str, row: DatasetRow = row, public: bool = public) -> bool | None:
            own = own_url_ok(url, base, row.id, public)
            if own is not None:
                return own
            if url.startswith(base.rstrip("/") + "/"):
                return False  # one of Belfort's URLs that is no route of this dataset
            return service.urls.check(url)

        result = compliance[row.id]
        score = score_description(doc, builder.dataset_uri(row.id), url_ok, result.passed)
        out.append(DatasetQuality(row, score, result))
    return out


def dataset_quality(platform: Platform, principal: Principal, dataset_id: str) -> DatasetQuality:
    """The score of one dataset ``principal`` may see (``DatasetNotFound`` otherwise). Kept
    until the next catalogue write per audience and what policies grant, as the catalogue's
    score (``catalogue_quality``): the dataset page shows it at every visit."""
    with platform.db.session() as session:
        granted = frozenset() if principal.is_admin else gate.granted_datasets(session, principal)
    settings = platform.settings
    # outside URLs are checked again after BELFORT_MQA_URL_CACHE_SECONDS: so is the score
    checked = int(time.monotonic() // max(settings.mqa_url_cache_seconds, 1))
    key = ("metadata-quality dataset", dataset_id, principal.audience, granted,
           settings.canonical_base_url, checked)
    return platform.cache.current(key, lambda: _dataset_quality(platform, principal, dataset_id))


def _dataset_quality(platform: Platform, principal: Principal, dataset_id: str) -> DatasetQuality:
    with platform.db.session() as session:
        row = catalogue.dataset_row(session, principal, dataset_id)
    return score_rows(platform, [row])[0]


def visible_rows(platform: Platform, principal: Principal) -> Iterator[DatasetRow]:
    """Every dataset ``principal`` may see, as catalogue rows, a page at a time."""
    number, last = 1, 1
    while number <= last:
        with platform.db.session() as session:
            rows, page = catalogue.catalogue_page(session, principal, number, MAX_PAGE_SIZE)
        yield from rows
        last, number = page.last, number + 1


def catalogue_quality(platform: Platform, principal: Principal) -> dict[str, Any]:
    """The catalogue's score over the datasets ``principal`` may see: the mean of theirs,
    its band, the mean per dimension, how many datasets fall in each band, and each
    dataset's points and band (lowest first: those to improve first). Kept until the next
    catalogue write per audience and what policies grant (as the DCAT catalogue's pages)."""
    with platform.db.session() as session:
        granted = frozenset() if principal.is_admin else gate.granted_datasets(session, principal)
    key = ("metadata-quality", principal.audience, granted, platform.settings.canonical_base_url)
    return platform.cache.current(key, lambda: _catalogue_quality(platform, principal))


def _catalogue_quality(platform: Platform, principal: Principal) -> dict[str, Any]:
    scored = score_rows(platform, list(visible_rows(platform, principal)))
    count = len(scored)
    mean = round(sum(q.score.total for q in scored) / count, 1) if count else None
    band = m.band_of(mean) if mean is not None else None
    dims = {d.key: 0 for d in m.DIMENSIONS}
    for q in scored:
        for key, points in q.score.dimension_points().items():
            dims[key] += points
    datasets = sorted(scored, key=lambda q: (q.score.total, q.row.id))
    return {
        "datasets_count": count,
        "points": mean,
        "max_points": m.MAX_POINTS,
        "band": band.key if band else None,
        "band_label": {"nl": band.label_nl, "en": band.label_en} if band else None,
        "dimensions": [{"dimension": d.key, "label": {"nl": d.label_nl, "en": d.label_en},
                        "points": round(dims[d.key] / count, 1) if count else None,
                        "max_points": d.max_points} for d in m.DIMENSIONS],
        "bands": {b.key: sum(1 for q in scored if q.score.band.key == b.key) for b in m.BANDS},
        "datasets": [{"dataset_id": q.row.id, "points": q.score.total, "band": q.score.band.key}
                     for q in datasets],
    }


def points_of(platform: Platform, dataset_ids: list[str]) -> dict[str, int]:
    """Each dataset's metadata-quality points, scored as an administrator sees it (the
    steward's worklist, ``belfort.governance.worklist``)."""

    with platform.db.session() as session:
        rows = catalogue.dataset_rows(session, CLI_ADMIN, dataset_ids)
    return {q.row.id: q.score.total for q in score_rows(platform, rows)}
