"""Fixtures (a pytest plugin, see tests/conftest.py): a platform loaded like data.stad.gent: the recorded Opendatasoft v1 responses in
../shared (parking garages, park-and-ride, Blue-bike, Partago), the bike counters, and a
crowd-gauge dataset generated here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import GHENT_DATA, ghent_data
from tests.helpers import write

RESPONSES = {
    "garages.json": ["bezetting-parkeergarages-real-time"],
    "park_and_ride.json": ["real-time-bezetting-pr-gent"],
    "partago.json": ["real-time-locaties-deelwagen-partago"],
    # odp-gent reads four Blue-bike datasets; only Dampoort's answer was recorded, so it
    # stands in for the other three stations as well.
    "bluebikes.json": [
        "blue-bike-deelfietsen-gent-dampoort",
        "blue-bike-deelfietsen-gent-sint-pieters-st-denijslaan",
        "blue-bike-deelfietsen-merelbeke-drongen-wondelgem",
        "blue-bike-deelfietsen-gent-sint-pieters-m-hendrikaplein",
    ],
}
# Opendatasoft declared these as text; keep them text so clients see what they saw.
TEXT_FIELDS = {"gentse_feesten": "string", "type": "string", "longitude": "string", "latitude": "string"}

CROWD_GAUGE = (
    "status_druktemeter,toelichting_drukte,tijd_van_voltooien\n"
    "20,Rustig in de binnenstad,2024-07-20T10:00:00+02:00\n"
    "85,Zeer druk: kom later terug,2024-07-20T22:10:00+02:00\n"
    "55,Druk rond de Korenmarkt,2024-07-20T16:00:00+02:00\n"
)


def load_ghent(platform: Platform, tmp_path: Path) -> Platform:
    responses = ghent_data() / "ods-v1-responses"
    for name, dataset_ids in RESPONSES.items():
        records = json.loads((responses / name).read_text())["records"]
        source = tmp_path / name
        source.write_text(json.dumps(records))
        fields = set().union(*(r["fields"] for r in records))
        overrides = {k: v for k, v in TEXT_FIELDS.items() if k in fields}
        for dataset_id in dataset_ids:
            ingest_file(platform, CLI_ADMIN, dataset_id, source, overrides=overrides,
                        metadata={"title_nl": dataset_id, "organisation": "Stad Gent"})
    ingest_file(platform, CLI_ADMIN, "fietstelpalen-gent", GHENT_DATA / "fietstelpalen-gent.json",
                metadata={"title_nl": "Fietstelpalen Gent", "themes": ["TRAN"], "keywords": ["fiets"]})
    ingest_file(platform, CLI_ADMIN, "druktebarometer-info", write(tmp_path / "drukte.csv", CROWD_GAUGE),
                metadata={"title_nl": "Druktebarometer", "keywords": ["drukte"]})
    ingest_file(platform, CLI_ADMIN, "intern-register", write(tmp_path / "intern.csv", "a,b\n1,2\n"),
                metadata={"title_nl": "Intern", "classification": "internal",
                          "restriction_reason": "privacy", "classification_reason": "test"})
    return platform


@pytest.fixture
def ghent(platform: Platform, tmp_path: Path) -> Platform:
    return load_ghent(platform, tmp_path)


@pytest.fixture
def live_ghent(ghent: Platform) -> Iterator[str]:
    """Belfort loaded with the Ghent data, served over real HTTP on a free local port."""
    from tests.helpers import live_server

    with live_server(ghent) as base:
        yield base
