"""Dashboards live in the database: what one process saves, another serves; a refused spec
saves nothing; the default Ghent dashboard is created once, however many processes start."""

from __future__ import annotations

from typing import Any

import pytest

from belfort.dashboards import store
from belfort.dashboards.store import (
    DEFAULT_ID,
    delete_dashboard,
    ensure_default,
    get_dashboard,
    list_dashboards,
    save_dashboard,
)
from belfort.errors import DashboardInvalid, DashboardNotFound
from belfort.platform import Platform
from belfort.settings import Settings

SPEC = "title: Een\ntiles: [{id: a, type: kpi, title: A, stream: s-1}]"


def test_a_saved_dashboard_is_seen_by_another_process(platform: Platform, settings: Settings
                                                      ) -> None:
    with platform.db.session() as session:
        first = save_dashboard(session, "drukte", SPEC, by="tester")
    other = Platform(settings)  # another process on the same database and lake
    try:
        with other.db.session() as session:
            seen = get_dashboard(session, "drukte")
        assert (seen.revision, seen.spec.title.nl, seen.updated_by) == (1, "Een", "tester")
        with platform.db.session() as session:
            save_dashboard(session, "drukte", SPEC.replace("Een", "Twee"))
        with other.db.session() as session:
            again = get_dashboard(session, "drukte")
        assert (again.revision, again.spec.title.nl) == (2, "Twee")
        assert first.revision == 1
    finally:
        other.close()


def test_a_refused_spec_or_id_saves_nothing(platform: Platform) -> None:
    with platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC)
    with pytest.raises(DashboardInvalid), platform.db.session() as session:
        save_dashboard(session, "drukte", "title: T\ntiles: []")
    for bad in ("Drukte", "a/b", "x" * 61, "", "<script>", "a\x00b", "drukte\n"):
        with pytest.raises(DashboardInvalid), platform.db.session() as session:
            save_dashboard(session, bad, SPEC)
    with platform.db.session() as session:
        assert [d.id for d in list_dashboards(session)] == ["drukte"]
        assert get_dashboard(session, "drukte").revision == 1
    with pytest.raises(DashboardInvalid), platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC, create=True)
    with pytest.raises(DashboardNotFound), platform.db.session() as session:
        save_dashboard(session, "nieuw", SPEC, create=False)


def test_the_default_dashboard_is_created_once(platform: Platform, settings: Settings) -> None:
    other = Platform(settings)
    try:
        assert ensure_default(platform) is True
        assert ensure_default(other) is False
        with platform.db.session() as session:
            assert [d.id for d in list_dashboards(session)] == [DEFAULT_ID]
            delete_dashboard(session, DEFAULT_ID)
        assert ensure_default(other) is True  # deleted: back at the next start-up
    finally:
        other.close()


def test_unknown_dashboards_are_not_found(platform: Platform) -> None:
    with platform.db.session() as session:
        for name in ("nope", "x" * 500):
            with pytest.raises(DashboardNotFound):
                get_dashboard(session, name)
            with pytest.raises(DashboardNotFound):
                delete_dashboard(session, name)


def test_a_dashboard_made_again_serves_its_new_spec(platform: Platform) -> None:
    with platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC)
        assert get_dashboard(session, "drukte").spec.title.nl == "Een"
        delete_dashboard(session, "drukte")
    with platform.db.session() as session:
        again = save_dashboard(session, "drukte", SPEC.replace("Een", "Ander"))
    assert again.revision == 1  # the same id and revision as the first …
    with platform.db.session() as session:
        assert get_dashboard(session, "drukte").spec.title.nl == "Ander"  # … not its spec


def test_nodes_starting_at_once_do_not_fail_on_the_default_dashboard(
        platform: Platform, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by scripts/cluster-demo: three nodes started together; one looked, found no
    default dashboard, and by its save another node had committed one — its start-up failed."""
    other = Platform(settings)
    real_save = store.save_dashboard

    def save_after_another_node(session: Any, *args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(store, "save_dashboard", real_save)
        assert ensure_default(other) is True  # the other node commits first
        return real_save(session, *args, **kwargs)

    try:
        monkeypatch.setattr(store, "save_dashboard", save_after_another_node)
        assert ensure_default(platform) is False
        with platform.db.session() as session:
            assert [d.id for d in list_dashboards(session)] == [DEFAULT_ID]
            assert get_dashboard(session, DEFAULT_ID).revision == 1
    finally:
        other.close()
