"""The forecasts pages: each zone's forecast next to its crowding now, and a model version
explained in plain language (Dutch and English); unknown or hostile versions are 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import trained_city


def test_the_forecast_page_and_the_model_page(client: TestClient, platform: Platform) -> None:
    made = trained_city(platform)
    version = str(made["version"])
    page = client.get("/voorspellingen")
    assert page.status_code == 200
    assert "Drukteverwachting" in page.text and "Korenmarkt" in page.text
    assert "<caption>Verwachte drukte in Korenmarkt per uur" in page.text
    assert f"/voorspellingen/modellen/{version}" in page.text
    assert page.text.count('<th scope="row">') >= 23  # the next 24 hours (from this one)
    english = client.get("/voorspellingen?lang=en")
    assert "Crowding forecast" in english.text and "Margin (80 %)" in english.text
    model = client.get(f"/voorspellingen/modellen/{version}?lang=nl")
    assert model.status_code == 200
    for words in ("Welke data", "Welk model", "Wanneer", "Hoe betrouwbaar",
                  "de uurtellingen van 2 tellers".capitalize(), "MASE",
                  "Dit model maakt nu de verwachtingen."):
        assert words in model.text, words
    english = client.get(f"/voorspellingen/modellen/{version}?lang=en")
    assert "What data" in english.text and "How reliable" in english.text
    assert "No forecast hour could be compared" in english.text  # no live accuracy yet


def test_without_a_model_the_page_says_so(client: TestClient, platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    page = client.get("/voorspellingen")
    assert page.status_code == 200 and "Er is nog geen voorspellingsmodel getraind." in page.text
    assert "belfort twin train" in page.text  # the zone's reason


@pytest.mark.parametrize("version", ["bestaat-niet", "gbm-20261206T220000Z-abcd",
                                     "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "a%00b", "x" * 3000])
def test_unknown_or_hostile_model_versions_are_404(client: TestClient, version: str) -> None:
    answer = client.get(f"/voorspellingen/modellen/{version}")
    assert answer.status_code == 404
    assert "<script>alert" not in answer.text
