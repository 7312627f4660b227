"""The steward's worklist: what needs doing on the datasets a steward looks after.

Five kinds of item, each with a link to where it is fixed:

- ``failing_rules``: the latest data-quality report has rules with failing rows (or failed;
  the missing values of a field no ``required`` rule covers are measured, not a rule);
- ``stale_metadata``: no metadata review in ``BELFORT_GOVERNANCE_REVIEW_MONTHS``;
- ``overdue_update``: older than its declared update frequency allows
  (``belfort.quality.timeliness``);
- ``access_requests``: access requests waiting for a decision;
- ``low_mqa``: a metadata-quality score below ``BELFORT_GOVERNANCE_MQA_MIN`` points (the
  scores are given by the caller, ``belfort.mqa`` being a layer above this package).

Whose: a staff principal sees the datasets of the organisations it stewards
(``belfort.policy.access_requests.steward_organisations``; admins: all), optionally narrowed
to one organisation; reminders group the items by each dataset's steward e-mail
(``belfort.governance.roles``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from belfort.catalog.models import AccessRequest, Dataset
from belfort.catalog.organisations import find_organisation
from belfort.errors import Forbidden, NotFound
from belfort.governance.review import last_reviewed, review_due
from belfort.policy.access_requests import PENDING, steward_organisations
from belfort.policy.principals import Principal
from belfort.quality.store import latest_report
from belfort.quality.timeliness import timeliness
from belfort.streams.live_catalog import LIVE_FORMAT

MISSING = "missing:"  # ``belfort.quality.run.missing_key``: completeness, not a rule
KINDS = ("failing_rules", "overdue_update", "stale_metadata", "access_requests", "low_mqa")
#: ``dataset ids → metadata-quality points`` (``belfort.mqa``), given by the caller.
MqaScores = Callable[[list[str]], dict[str, int]]


@dataclass(frozen=True)
class Item:
    kind: str
    dataset_id: str
    title: str
    organisation: str | None
    detail: dict[str, Any]
    link: str

    @property
    def key(self) -> str:
        """What identifies the item in a reminder: unchanged keys, no new reminder."""
        figure = self.detail.get("figure")
        return f"{self.kind}:{self.dataset_id}:{figure}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "dataset_id": self.dataset_id, "title": self.title,
                "organisation": self.organisation, "detail": self.detail, "link": self.link}


def datasets_in_scope(session: Session, principal: Principal,
                      organisation: str | None = None) -> list[Dataset]:
    """The datasets ``principal`` stewards (``Forbidden`` for someone who stewards none),
    of one organisation (slug or name) when given."""
    if not principal.is_steward:
        raise Forbidden("the worklist is for data stewards and administrators")
    scope = steward_organisations(session, principal)
    query = select(Dataset).options(selectinload(Dataset.versions)).order_by(Dataset.id)
    if scope is not None:
        query = query.where(Dataset.organisation.in_(sorted(scope)))
    if organisation is not None:
        found = find_organisation(session, organisation[:200])
        if found is None:
            raise NotFound(f"organisation {organisation[:90]!r} not found")
        query = query.where(Dataset.organisation == found.name_nl)
    return list(session.scalars(query))


def _is_live(dataset: Dataset) -> bool:
    shown = dataset.published_version
    return any(v.number == shown and v.source_format == LIVE_FORMAT for v in dataset.versions)


def _pending_requests(session: Session, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(AccessRequest.dataset_id, func.count())
        .where(AccessRequest.status == PENDING, AccessRequest.dataset_id.in_(ids))
        .group_by(AccessRequest.dataset_id))
    return {dataset_id: int(n) for dataset_id, n in rows}


def items_of(session: Session, datasets: Iterable[Dataset], now: datetime, *,
             review_months: int, mqa_min: int, mqa_scores: MqaScores | None) -> list[Item]:
    """Every worklist item of ``datasets``, dataset by dataset, in ``KINDS`` order."""
    datasets = list(datasets)
    ids = [d.id for d in datasets]
    pending = _pending_requests(session, ids)
    scores = mqa_scores(ids) if mqa_scores is not None and ids else {}
    items: list[Item] = []
    for d in datasets:
        def item(kind: str, link: str, d: Dataset = d, **detail: Any) -> Item:
            return Item(kind, d.id, d.title_nl, d.organisation, detail, link)

        report = latest_report(session, d.id)
        if report is not None:
            # missing values of a field without a ``required`` rule are measured, not a rule
            failing = sorted(r.rule_id for r in report.results
                             if r.failing > 0 and not r.rule_id.startswith(MISSING))
            if report.status != "ok" or failing:
                items.append(item("failing_rules", f"/api/belfort/v1/datasets/{d.id}/quality",
                                  figure=report.id, failing_rules=failing[:20],
                                  failing_count=len(failing), status=report.status,
                                  measured_at=report.measured_at.isoformat()))
        if d.versions:
            timely = timeliness(session, d, now, _is_live(d))
            if timely["on_time"] is False:
                items.append(item("overdue_update", f"/staff/datasets/{d.id}",
                                  figure=timely["newest"], frequency=timely["frequency"],
                                  age_seconds=timely["age_seconds"],
                                  expected_seconds=timely["expected_seconds"]))
        reviewed = last_reviewed(session, d.id)
        due = review_due(d, reviewed, now, review_months)
        if due <= now:
            items.append(item("stale_metadata", f"/staff/governance/datasets/{d.id}",
                              figure=None if reviewed is None else reviewed.isoformat(),
                              last_reviewed=None if reviewed is None else reviewed.isoformat(),
                              due=due.isoformat()))
        if pending.get(d.id):
            items.append(item("access_requests", "/staff/access-requests",
                              figure=pending[d.id], pending=pending[d.id]))
        points = scores.get(d.id)
        if points is not None and points < mqa_min:
            items.append(item("low_mqa", f"/staff/datasets/{d.id}", figure=points,
                              points=points, minimum=mqa_min))
    return items

