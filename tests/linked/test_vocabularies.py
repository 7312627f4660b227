"""Belfort codes and free text → controlled-vocabulary URIs."""

from __future__ import annotations

import pytest

from belfort.api.ods.v2_exports import DATASET_FORMATS
from belfort.catalog.metadata import Classification, Frequency, LifecycleState
from belfort.labels import THEME_LABELS
from belfort.linked import vocabularies as v

EU = "http://publications.europa.eu/resource/authority/"


def test_every_belfort_theme_code_is_an_eu_data_theme() -> None:
    assert set(v.THEMES) == set(THEME_LABELS)
    for code, concept in v.THEMES.items():
        assert concept.uri == f"{EU}data-theme/{code}"
        assert concept.scheme == f"{EU}data-theme"
        assert v.theme_codes(code) == (code,)
        assert v.theme_codes(code.lower()) == (code,)


@pytest.mark.parametrize(("theme", "codes"), [
    ("Mobiliteit", ("TRAN",)),
    ("Milieu en klimaat", ("ENVI",)),
    ("Cultuur, sport en vrije tijd", ("EDUC",)),
    ("Bestuur en beleid", ("GOVE",)),
    ("Welzijn", ("SOCI",)),
    ("Economie en werk", ("ECON",)),
    ("Zorg en gezondheid", ("HEAL",)),
    ("Mobiliteit en milieu", ("ENVI", "TRAN")),
    ("Transport", ("TRAN",)),
    ("Regio's en steden", ("REGI",)),
    ("Internationale vraagstukken", ("INTR",)),
    ("Justitie en openbare veiligheid", ("JUST",)),
    ("Kattenfoto's", ()),
])
def test_free_text_themes_map_by_their_words(theme: str, codes: tuple[str, ...]) -> None:
    assert v.theme_codes(theme) == codes


def test_every_eu_theme_label_maps_to_its_own_code() -> None:
    for code, labels in THEME_LABELS.items():
        assert v.theme_codes(labels["nl"]) == (code,), labels["nl"]
        assert v.theme_codes(labels["en"]) == (code,), labels["en"]


def test_every_frequency_has_an_eu_frequency() -> None:
    assert set(v.FREQUENCIES) == {f.value for f in Frequency}
    assert v.FREQUENCIES["continuous"].uri == f"{EU}frequency/UPDATE_CONT"
    assert v.FREQUENCIES["irregular"].uri == f"{EU}frequency/IRREG"
    assert v.FREQUENCIES["annual"].uri == f"{EU}frequency/ANNUAL"
    assert all(c.scheme == f"{EU}frequency" for c in v.FREQUENCIES.values())


def test_access_rights_follow_the_classification() -> None:
    assert v.access_right("open") is v.PUBLIC
    for level in Classification:
        if level != Classification.OPEN:
            assert v.access_right(level.value) is v.NON_PUBLIC


def test_every_state_has_a_distribution_status_and_availability() -> None:
    states = {s.value for s in LifecycleState}
    assert set(v.DISTRIBUTION_STATUS) == states == set(v.AVAILABILITY)


@pytest.mark.parametrize(("text", "licence"), [
    ("CC0-1.0", v.CC0),
    ("CC0", v.CC0),
    ("https://creativecommons.org/publicdomain/zero/1.0/", v.CC0),
    ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", v.CC0),
    ("https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0", v.CC0),
    ("CC-BY-4.0", v.CC_BY_4),
    ("CC BY 4.0", v.CC_BY_4),
    ("https://creativecommons.org/licenses/by/4.0/", v.CC_BY_4),
    ("https://creativecommons.org/licenses/by/4.0/deed.nl", v.CC_BY_4),
    ("CC-BY-SA-4.0", v.CC_BY_SA_4),
    ("Modellicentie Gratis Hergebruik", v.MODEL_FREE_REUSE),
    ("Modellicentie gratis hergebruik v1.0", v.MODEL_FREE_REUSE),
    ("https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0", v.MODEL_FREE_REUSE),
    ("ODbL", v.ODBL),
    ("https://opendatacommons.org/licenses/odbl/1-0/", v.ODBL),
    ("Alle rechten voorbehouden", None),
    ("https://example.org/my-licence", None),
])
def test_licences_by_id_name_or_url(text: str, licence: v.Licence | None) -> None:
    assert v.licence_of(text) is licence


def test_export_formats_are_the_explore_formats() -> None:
    assert tuple(f.name for f in v.EXPORT_FORMATS) == DATASET_FORMATS
    for fmt in v.EXPORT_FORMATS:
        if fmt.file_type:
            assert fmt.file_type.uri.startswith(f"{EU}file-type/")
        # JSON Lines has neither: it says what it is with dct:conformsTo instead
        assert (fmt.file_type is None) == (fmt.media_type is None) == (fmt.conforms_to is not None)
    assert [f.name for f in v.EXPORT_FORMATS if f.needs_geometry] == ["geojson"]


def test_places_and_publishers() -> None:
    for name in ("Gent", "gent", "Ghent", "Stad Gent", "https://data.vlaanderen.be/id/gemeente/44021"):
        assert v.place_of(name) is v.GHENT
    assert v.place_of("Auckland, Nieuw-Zeeland") is None
    assert v.publisher_type("Stad Gent - Dienst Milieu en Klimaat") is v.LOCAL_AUTHORITY
    assert v.publisher_type("Mobiliteitsbedrijf Gent") is v.LOCAL_AUTHORITY
    assert v.publisher_type("De Lijn") is None
    assert v.slug("Stad Gent - Dienst Wegen, Bruggen en Waterlopen") == "stad-gent-dienst-wegen-bruggen-en-waterlopen"
    assert v.slug("Ĉe Ŝtato «Één»") == "ce-stato-een"
