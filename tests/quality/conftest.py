"""Fixtures of the data-quality tests: a small dataset with known faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.quality import hook

# 6 rows: id 3 twice, one missing naam, one bezetting above capaciteit, one bad postcode
PARKINGS = """id,naam,postcode,bezetting,capaciteit,soort
1,Vrijdagmarkt,9000,120,600,ondergronds
2,Sint-Michiels,9000,700,450,ondergronds
3,,9050,10,200,bovengronds
3,Kouter,ABCD,50,300,ondergronds
4,Reep,9000,,250,ondergronds
5,Savaanstraat,9000,80,400,fietsenstalling
"""


def write_parkings(directory: Path, text: str = PARKINGS) -> Path:
    path = directory / "parkings.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parkings(platform: Platform, tmp_path: Path) -> str:
    """The dataset ``parkings`` published once and measured (rules inferred)."""
    ingest_file(
        platform, CLI_ADMIN, "parkings", write_parkings(tmp_path), metadata={"title_nl": "Parkings"}
    )
    hook.wait(platform)
    return "parkings"
