"""Fixtures for the processing-register tests: a platform with the demo register."""

from __future__ import annotations

from belfort.platform import Platform
from belfort.register import store
from belfort.register.demo import ACTIVITIES


def load_demo_register(platform: Platform) -> None:
    """The demo entries, all published, straight into the catalogue (no dataset)."""
    with platform.db.session() as session:
        for guid, data in ACTIVITIES:
            store.create_activity(session, "test", data, state="published", activity_id=guid)
