"""Stateless nodes: two real ``belfort serve`` processes, each with its own port and local
directory, share only one PostgreSQL catalogue and one lake directory. What one node writes
the other shows within ``BELFORT_GENERATION_MAX_AGE_SECONDS`` (here at once: the shared lake
holds the generation file too; nodes without a shared lake rely on the database's counter,
``tests/test_cache.py``); a restricted title is gone
from every API of the other node after that bound, even though it had the answers cached;
the anonymous quota is one quota across nodes; usage counts add up."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from belfort.catalog.models import DatasetUsage
from tests.api.nodes import admin_key, node, shared_database
from tests.helpers import COUNTS_CSV

__all__ = ["shared_database"]  # the fixture

MAX_AGE = 1.0  # BELFORT_GENERATION_MAX_AGE_SECONDS of the nodes
BOUND = MAX_AGE + 1.5  # … plus a request's time on a shared 2-core machine
TITLE = "Geheime tellingen"
QUOTA = 5
NODE_ENV = {"BELFORT_GENERATION_MAX_AGE_SECONDS": str(MAX_AGE),
            "BELFORT_QUOTA_PER_ADDRESS": str(QUOTA), "BELFORT_TRUST_FORWARDED_FOR": "true"}

# where a dataset's title shows on a node, for an anonymous caller
TITLE_PAGES = [
    "/api/datasets/1.0/search/?q=tellingen&rows=50",  # Opendatasoft v1 catalogue search
    "/api/explore/v2.1/catalog/datasets?limit=50",  # Explore v2.1
    "/api/belfort/v1/datasets",  # native
    "/catalog.ttl",  # DCAT-AP
]

_callers = iter(range(1, 1_000_000))


def anonymous() -> dict[str, str]:
    """A new anonymous caller (its own address, so these requests do not use up the quota
    the quota part of the test counts)."""
    n = next(_callers)
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


def shows_title(base: str) -> list[str]:
    """The pages of ``base`` that show the title."""
    shown = []
    for page in TITLE_PAGES:
        answer = httpx.get(base + page, headers=anonymous(), timeout=60)
        assert answer.status_code == 200, (page, answer.status_code, answer.text[:300])
        if TITLE in answer.text:
            shown.append(page)
    return shown


def seconds_until(condition: Callable[[], bool], limit: float = 30) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, "never happened"
        time.sleep(0.05)
    return time.monotonic() - started


def test_two_nodes_on_one_database_answer_alike(shared_database: str, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    key = admin_key(lake, shared_database)
    engine = create_engine(shared_database)
    with engine.connect() as connection:
        generation = connection.execute(text("SELECT value FROM catalogue_generation")).scalar_one()
    admin = {"Authorization": f"Bearer {key}"}
    with node(lake, shared_database, tmp_path / "node-a", **NODE_ENV) as (a, _), \
            node(lake, shared_database, tmp_path / "node-b", **NODE_ENV) as (b, _):
        assert shows_title(b) == []  # node b has these answers cached now, without the title
        answer = httpx.post(a + "/api/belfort/v1/datasets/geheim/ingest", content=COUNTS_CSV,
                            headers={**admin, "Content-Type": "text/csv"},
                            params={"title": TITLE}, timeout=60)
        assert answer.status_code == 201, answer.text
        published = seconds_until(lambda: len(shows_title(b)) == len(TITLE_PAGES))
        assert published <= BOUND, f"node b showed a new dataset after {published:.2f} s"
        print(f"node b showed the new dataset after {published:.2f} s")

        # node b has the title cached on every page; node a restricts the dataset
        answer = httpx.patch(a + "/api/belfort/v1/datasets/geheim", headers=admin, timeout=60,
                             json={"classification": "internal", "restriction_reason": "privacy",
                                                                 "classification_reason": "test"})
        assert answer.status_code == 200, answer.text
        hidden = seconds_until(lambda: shows_title(b) == [])
        assert hidden <= BOUND, f"node b showed a restricted title {hidden:.2f} s after the change"
        print(f"node b hid the restricted title after {hidden:.2f} s")
        for _ in range(3):  # … and never again, on any page or record API
            assert shows_title(b) == [] and shows_title(a) == []
            for records in ("/api/records/1.0/search/?dataset=geheim",
                            "/api/explore/v2.1/catalog/datasets/geheim/records",
                            "/api/belfort/v1/datasets/geheim/records"):
                assert httpx.get(b + records, headers=anonymous(), timeout=60).status_code == 404
        assert TITLE in httpx.get(b + "/api/belfort/v1/datasets/geheim", headers=admin,
                                  timeout=60).text  # staff still see it
        with engine.connect() as connection:  # both writes went through the shared counter
            assert connection.execute(text("SELECT value FROM catalogue_generation")).scalar_one() \
                >= generation + 2

        # one anonymous quota across both nodes
        caller = {"X-Forwarded-For": "198.51.100.7"}
        answers = [httpx.get(base + "/api/belfort/v1/datasets", headers=caller, timeout=60)
                   for base in (a, b, a, b, a, b, a)]
        assert [r.status_code for r in answers] == [200] * QUOTA + [429] * 2
        remaining = [r.headers["x-ratelimit-remaining"] for r in answers[:QUOTA]]
        assert remaining == ["4", "3", "2", "1", "0"]
        assert len({r.headers["x-ratelimit-reset"] for r in answers}) == 1  # one window

        # usage counted on both nodes adds up
        answer = httpx.post(a + "/api/belfort/v1/datasets/gebruik/ingest", content=COUNTS_CSV,
                            headers={**admin, "Content-Type": "text/csv"},
                            params={"title": "Gebruik"}, timeout=60)
        assert answer.status_code == 201, answer.text
        seconds_until(lambda: httpx.get(b + "/api/belfort/v1/datasets", headers=anonymous(),
                                        timeout=60).text.count('"gebruik"') > 0)
        for base, times in ((a, 3), (b, 4)):
            for _ in range(times):
                answer = httpx.get(base + "/api/belfort/v1/datasets/gebruik/records",
                                   headers=anonymous(), timeout=60)
                assert answer.status_code == 200
    # both nodes stopped (SIGTERM): each wrote its unsaved counts on the way out
    try:
        with Session(engine) as session:
            usage = session.get_one(DatasetUsage, "gebruik")
        assert (usage.requests, usage.public_requests) == (7, 7)
        assert usage.rows == 7 * 5
    finally:
        engine.dispose()
