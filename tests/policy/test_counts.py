"""Request counters of ODRL ``count`` constraints (``belfort.policy.counts``): the period
windows in Brussels time, and an increment that no number of threads counts past the limit
(SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from belfort.catalog.models import PolicyRequestCount
from belfort.platform import Platform
from belfort.policy import counts, policies
from belfort.policy.counts import window
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv

UID = "urn:belfort:policy:teller"
PARTY = "urn:belfort:group:onderzoek"
DAY = dt.timedelta(days=1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_day_is_the_brussels_day() -> None:
    # 23:30 UTC on 5 December is 00:30 on 6 December in Brussels (UTC+1)
    w = window(DAY, at("2026-12-05T23:30:00+00:00"))
    assert w.key == "86400s@2026-12-05T23:00:00Z"
    assert w.resets_at == at("2026-12-06T23:00:00+00:00")
    assert window(DAY, at("2026-12-05T22:59:00+00:00")).key == "86400s@2026-12-04T23:00:00Z"
    # summer time: the day starts at 22:00 UTC
    assert window(DAY, at("2026-07-01T12:00:00+00:00")).key == "86400s@2026-06-30T22:00:00Z"


def test_a_week_runs_monday_to_monday_and_hours_divide_the_day() -> None:
    w = window(dt.timedelta(weeks=1), at("2026-12-06T12:00:00+00:00"))  # a Sunday
    assert w.key == "604800s@2026-11-29T23:00:00Z"  # Monday 30 November, Brussels midnight
    assert w.resets_at == at("2026-12-06T23:00:00+00:00")
    hour = window(dt.timedelta(hours=1), at("2026-12-06T12:34:00+00:00"))
    assert hour.key == "3600s@2026-12-06T12:00:00Z"
    assert hour.resets_at == at("2026-12-06T13:00:00+00:00")
    # the night summer time ends (25 October 2026) has 25 hours; windows of 7 hours end
    # at the next midnight
    last = window(dt.timedelta(hours=7), at("2026-10-25T22:30:00+00:00"))
    assert last.resets_at == at("2026-10-25T23:00:00+00:00")
    assert window(None, at("2026-12-06T12:00:00+00:00")) == counts.Window("forever", None)


@pytest.fixture
def policy(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "classification": "confidential",
                          "restriction_reason": "privacy", "classification_reason": "test"})
    with platform.db.session() as session:
        policies.store_policy(session, json.dumps({
            "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": UID, "permission": [{
                "target": "tellingen", "assignee": PARTY, "action": "read"}]}), actor="test")
    return platform


def test_take_counts_up_to_the_limit_and_give_back_undoes(policy: Platform) -> None:
    now = dt.datetime.now(dt.UTC)
    with policy.db.session() as session:
        assert [counts.take(session, UID, PARTY, DAY, 2, now) for _ in range(3)] == [
            1, 2, None]
        assert counts.made(session, UID, PARTY, DAY, now) == 2
        assert counts.made(session, UID, "urn:belfort:group:ander", DAY, now) == 0
        counts.give_back(session, UID, PARTY, DAY, now)
        assert counts.made(session, UID, PARTY, DAY, now) == 1
        assert counts.take(session, UID, PARTY, DAY, 0, now) is None  # nothing allowed
        assert counts.take(session, UID, PARTY, None, None, now) == 1  # no limit, for ever
        assert counts.made(session, UID, PARTY, None, now) == 1


def test_a_new_window_forgets_the_ended_ones(policy: Platform) -> None:
    yesterday = dt.datetime.now(dt.UTC) - DAY
    with policy.db.session() as session:
        counts.take(session, UID, PARTY, DAY, 5, yesterday)
        counts.take(session, UID, PARTY, DAY, 5, dt.datetime.now(dt.UTC))
        rows = session.scalars(select(PolicyRequestCount)).all()
        assert [r.requests for r in rows] == [1]


def test_racing_threads_never_count_past_the_limit(policy: Platform) -> None:
    limit, threads, each = 25, 8, 10
    now = dt.datetime.now(dt.UTC)
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def run() -> None:
        start.wait()
        for _ in range(each):
            with policy.db.session() as session:
                ok = counts.take(session, UID, PARTY, DAY, limit, now) is not None
            with lock:
                results.append(ok)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == threads * each
    assert results.count(True) == limit  # exactly: none lost, none past the limit
    with policy.db.session() as session:
        assert counts.made(session, UID, PARTY, DAY, now) == limit
