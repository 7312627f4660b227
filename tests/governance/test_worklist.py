"""The steward's worklist: each kind of item, the steward's scope, and the review button."""

from __future__ import annotations

from datetime import timedelta

import pytest

from belfort.catalog.models import AccessRequest, Dataset, utcnow
from belfort.errors import Forbidden, NotFound
from belfort.governance import review, worklist
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role
from tests.governance.conftest import MOBILITY, OTHER, steward_of


def _items(platform: Platform, principal: Principal, *, later_days: float = 0,
           scores: dict[str, int] | None = None,
           organisation: str | None = None) -> list[worklist.Item]:
    with platform.db.session() as session:
        datasets = worklist.datasets_in_scope(session, principal, organisation)
        return worklist.items_of(session, datasets, utcnow() + timedelta(days=later_days),
                                 review_months=12, mqa_min=221,
                                 mqa_scores=(lambda ids: {i: scores[i] for i in ids
                                                          if i in scores}) if scores else None)


def test_each_kind_of_item_appears_with_a_link_to_where_it_is_fixed(governed: Platform) -> None:
    with governed.db.session() as session:
        session.add(AccessRequest(id="0123456789abcdef", dataset_id="parkings",
                                  requester="x", requester_party="urn:belfort:person:x",
                                  requester_name="x",
                                  purpose="https://w3id.org/dpv#ResearchAndDevelopment",
                                  reason="research on parking", fields=None, status="pending",
                                  created_at=utcnow()))
    scores = {"parkings": 200, "archief": 300}
    now = {(i.kind, i.dataset_id): i for i in _items(governed, CLI_ADMIN, scores=scores)}
    assert set(now) == {("failing_rules", "parkings"), ("access_requests", "parkings"),
                        ("low_mqa", "parkings")}
    failing = now["failing_rules", "parkings"]
    assert failing.detail["failing_count"] == 3  # naam missing, id twice, bezetting > capaciteit
    assert failing.link == "/api/belfort/v1/datasets/parkings/quality"
    assert now["access_requests", "parkings"].link == "/staff/access-requests"
    assert now["low_mqa", "parkings"].detail == {"figure": 200, "points": 200, "minimum": 221}
    later = {(i.kind, i.dataset_id) for i in _items(governed, CLI_ADMIN, later_days=400)}
    # a year on: both are stale, and the daily dataset is overdue (the other promised nothing)
    assert {("stale_metadata", "parkings"), ("stale_metadata", "archief"),
            ("overdue_update", "parkings")} <= later
    assert ("overdue_update", "archief") not in later
    with governed.db.session() as session:
        review.mark_reviewed(session, "steward", "parkings")
    kinds = {(i.kind, i.dataset_id) for i in _items(governed, CLI_ADMIN, later_days=200)}
    assert ("stale_metadata", "parkings") not in kinds  # reviewed now: due in a year
    assert ("stale_metadata", "archief") not in kinds  # created now: due in a year too


def test_a_steward_sees_only_the_datasets_of_their_organisation(governed: Platform) -> None:
    mine = {i.dataset_id for i in _items(governed, steward_of(MOBILITY), later_days=400)}
    assert mine == {"parkings"}
    theirs = {i.dataset_id for i in _items(governed, steward_of(OTHER), later_days=400)}
    assert theirs == {"archief"}
    narrowed = {i.dataset_id for i in _items(governed, CLI_ADMIN, later_days=400,
                                             organisation="archief")}
    assert narrowed == {"archief"}
    with pytest.raises(Forbidden):
        _items(governed, Principal(role=Role.WRITE, name="w", kind=Kind.KEY))
    with pytest.raises(NotFound):
        _items(governed, CLI_ADMIN, organisation="x" * 5000)


def test_the_review_of_an_unknown_dataset_is_not_found(governed: Platform) -> None:
    with governed.db.session() as session, pytest.raises(NotFound):
        review.mark_reviewed(session, "steward", "nope")
    with governed.db.session() as session:
        assert review.last_reviewed(session, "parkings") is None
        dataset = session.get(Dataset, "parkings")
        assert dataset is not None
