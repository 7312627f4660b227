"""Load the demo catalogue into a platform (used by ``belfort demo``).

Idempotent: a dataset that already has a version is left alone, so running the demo
twice against one data directory does not pile up versions.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from belfort.catalog import store
from belfort.cijfers.geography import geography_of
from belfort.cijfers.modelled import load_profile
from belfort.demo.sources import DEMO_ORGANISATIONS, build_demo_sources
from belfort.platform import Platform
from belfort.policy.principals import Kind, Principal, Role
from belfort.publishing import ingest_file
from belfort.register.demo import link_demo_datasets, load_demo_register

DEMO_LOADER = Principal(role=Role.ADMIN, name="demo", kind=Kind.SYSTEM)


def _demo_organisations(platform: Platform) -> None:
    """The demo's publishing organisations, added once (their datasets name them)."""
    from belfort.catalog import organisations

    with platform.db.session() as session:
        for slug, fields in DEMO_ORGANISATIONS.items():
            if organisations.find_organisation(session, fields["name_nl"]) is None:
                organisations.add_organisation(session, slug, fields)


def load_demo(platform: Platform, *, size: str = "full") -> Iterator[str]:
    """Ingest every demo source; yields one progress line per dataset.

    The demo processing register comes first: a demo dataset holding personal data
    can only be published linked to its entry.
    """
    _demo_organisations(platform)
    yield from load_demo_register(platform, DEMO_LOADER)
    with tempfile.TemporaryDirectory(prefix="belfort-demo-") as workdir:
        for source in build_demo_sources(Path(workdir), size=size):
            with platform.db.session() as session:
                existing = store.find_dataset(session, source.dataset_id)
                if existing is not None and existing.versions:
                    yield f"{source.dataset_id}: already loaded (version {existing.versions[-1].number})"
                    continue
            outcome = ingest_file(
                platform,
                DEMO_LOADER,
                source.dataset_id,
                source.path,
                metadata=source.metadata,
                overrides=source.overrides or None,
                draft=source.draft,
            )
            state = "published" if outcome.published else "draft"
            yield f"{source.dataset_id}: {outcome.row_count:,} rows, {state}"
    link_demo_datasets(platform, DEMO_LOADER)
    # Gent in Cijfers: the modelled profile and the indicators computed from the data above
    yield from load_profile(platform, DEMO_LOADER, geography_of(platform))
