"""Fixtures of the governance tests: two organisations, a measured dataset with known
faults (``tests.quality.conftest``'s parkings) and a steward of each organisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from belfort.catalog.models import Dataset
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role, StaffRole
from belfort.publishing import ingest_file, save_organisation
from belfort.quality import hook
from belfort.quality.run import measure
from belfort.quality.store import replace_rules
from tests.quality.conftest import write_parkings

MOBILITY = "Mobiliteitsbedrijf"
OTHER = "Stadsarchief"


#: Rules the parkings break: a missing naam, id 3 twice, bezetting above capaciteit.
BROKEN_RULES = [{"type": "required", "field": "naam"}, {"type": "unique", "field": "id"},
                {"type": "check", "where": "bezetting <= capaciteit"}]


def with_failing_rules(platform: Platform, dataset_id: str = "parkings") -> None:
    """Give ``dataset_id`` rules it breaks and measure it again."""
    with platform.db.session() as session:
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        replace_rules(session, dataset, BROKEN_RULES, "test", max_rules=50, max_chars=2000)
    assert measure(platform, dataset_id, trigger="cli") is not None


def steward_of(organisation: str, name: str = "steward") -> Principal:
    return Principal(role=Role.WRITE, name=name, kind=Kind.PERSON, subject=name,
                     organisation=organisation, staff_roles=frozenset({StaffRole.STEWARD}))


@pytest.fixture
def governed(platform: Platform, tmp_path: Path) -> Platform:
    """``parkings`` (measured, failing rules) of the mobility company; ``archief`` of the
    archive, with no rules failing."""
    save_organisation(platform, CLI_ADMIN, "mobiliteit", {"name_nl": MOBILITY}, create=True)
    save_organisation(platform, CLI_ADMIN, "archief", {"name_nl": OTHER}, create=True)
    ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                metadata={"title_nl": "Parkings", "organisation": MOBILITY,
                          "frequency": "daily"})
    other = tmp_path / "archief.csv"
    other.write_text("id,naam\n1,a\n2,b\n", encoding="utf-8")
    ingest_file(platform, CLI_ADMIN, "archief", other,
                metadata={"title_nl": "Archief", "organisation": OTHER})
    hook.wait(platform)
    with_failing_rules(platform)
    return platform
