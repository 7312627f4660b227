"""The ranking table: queries a citizen would type and the dataset they would expect on top.

Each expected result was written down from the query and the catalogue alone (what would I,
looking for this, want to see first?), not from what the engine returns. Where a query is
honestly ambiguous between datasets, the row lists every acceptable top result and says why.
"""

from __future__ import annotations

import pytest

from belfort.search import CatalogueIndex
from tests.search.catalogue import CATALOGUE

BLUE_BIKE = ("blue-bike-deelfietsen-gent-dampoort",
             "blue-bike-deelfietsen-gent-sint-pieters-m-hendrikaplein")
BIKE_COUNTERS = ("fietstelpalen-gent", "fietstelpaal-bataviabrug-2021-gent",
                 "fietstelpaal-dampoort-zuid-2021-gent", "fietstelpaal-bataviabrug-2020-gent")

RANKING: list[tuple[str, str | tuple[str, ...]]] = [
    # --- Dutch, the words of a title ---------------------------------------------------
    ("fietstelpalen", "fietstelpalen-gent"),
    ("telpalen", "fietstelpalen-gent"),
    ("fietstellingen", "fietstellingen-per-uur"),
    ("parkeergarages", "bezetting-parkeergarages-real-time"),
    ("druktebarometer", "druktebarometer"),
    ("stadswijken", "stadswijken-gent"),
    ("deelwagens", "locaties-deelwagens-partago"),
    ("luchtkwaliteit", "luchtkwaliteit-meetstations"),
    ("afvalkalender", "afvalkalender"),
    ("verwerkingsregister", "verwerkingsregister"),
    ("bomen", "bomeninventaris"),
    ("laadpalen", "laadpalen"),
    ("haltes", "haltes-de-lijn-gent"),
    ("begraafplaatsen", "begraafplaatsen"),
    ("voornamen", "populairste-voornamen"),
    # --- singular, plural and compound parts -------------------------------------------
    ("telpaal", BIKE_COUNTERS),  # every counter dataset is a "telpaal" dataset
    ("fietstelpaal", BIKE_COUNTERS),
    ("parkeergarage", "bezetting-parkeergarages-real-time"),
    ("garages", "bezetting-parkeergarages-real-time"),
    ("wijken", "stadswijken-gent"),
    ("hotel", "logies-hotels"),
    # --- typos -----------------------------------------------------------------------------
    ("fietstelpal", BIKE_COUNTERS),
    ("parkeerggarage", "bezetting-parkeergarages-real-time"),
    ("drukbarometer", "druktebarometer"),
    ("luchtkwalitet", "luchtkwaliteit-meetstations"),
    ("afvalkalnder", "afvalkalender"),
    ("verwerkingsregsiter", "verwerkingsregister"),
    ("bomeninventarsi", "bomeninventaris"),
    ("stadswijkne", "stadswijken-gent"),
    # --- synonyms ------------------------------------------------------------------------
    ("rijwiel tellingen", "fietstellingen-per-uur"),
    ("vuilnis kalender", "afvalkalender"),
    ("buurt", "stadswijken-gent"),
    ("bevolking per buurt", "bevolking-per-wijk"),
    ("bezoekers binnenstad", "druktebarometer"),
    ("deelauto", ("cambio-standplaatsen", "locaties-deelwagens-partago")),  # both are car sharing
    ("autodelen Partago", "locaties-deelwagens-partago"),
    ("openbaar vervoer haltes", "haltes-de-lijn-gent"),
    ("fijn stof", "luchtkwaliteit-meetstations"),
    ("crèche", "kinderopvang"),
    ("lawaai", "geluidskaart-wegverkeer"),
    ("roadworks", "wegenwerken-gipod"),
    ("overstroming", "overstromingsgevoelige-gebieden"),
    # --- English -------------------------------------------------------------------------
    ("bicycle counts", "fietstellingen-per-uur"),
    ("bicycle counters", "fietstelpalen-gent"),
    ("parking occupancy", "bezetting-parkeergarages-real-time"),
    ("tree inventory", "bomeninventaris"),
    ("population by district", "bevolking-per-wijk"),
    ("election results 2018", "verkiezingsuitslagen-2018"),
    ("public toilets", "openbare-toiletten"),
    ("air quality", "luchtkwaliteit-meetstations"),
    ("waste collection", "afvalkalender"),
    ("cargo", "north-sea-port-cargo"),
    ("student housing", "ugent-student-residences"),
    ("bike sharing", BLUE_BIKE),  # both Blue-bike stations are bike sharing
    ("neighbourhoods", "stadswijken-gent"),
    # --- field names -------------------------------------------------------------------------
    ("vrije_plaatsen", "bezetting-parkeergarages-real-time"),
    ("bewaartermijn", "verwerkingsregister"),
    ("stamomtrek", "bomeninventaris"),
    ("pm10", "luchtkwaliteit-meetstations"),
    ("hoofdrichting tegenrichting", ("fietstelpaal-bataviabrug-2021-gent",
                                     "fietstelpaal-dampoort-zuid-2021-gent",
                                     "fietstelpaal-bataviabrug-2020-gent")),  # same schema
    ("aantal_inwoners", "bevolking-per-wijk"),
    # --- organisations -----------------------------------------------------------------------
    ("Partago", "locaties-deelwagens-partago"),
    ("Vlaamse Milieumaatschappij", ("luchtkwaliteit-meetstations",
                                    "overstromingsgevoelige-gebieden")),  # both VMM, both current
    ("De Lijn", "haltes-de-lijn-gent"),
    ("Visit Gent", ("toeristische-overnachtingen", "evenementenkalender")),  # both Visit Gent
    ("Ghent University", "ugent-student-residences"),
    # --- several words ---------------------------------------------------------------------
    ("bezetting parkeergarages real-time", "bezetting-parkeergarages-real-time"),
    ("real-time bezetting P+R", "real-time-bezetting-pr-gent"),
    ("P+R", "real-time-bezetting-pr-gent"),
    ("park and ride", "real-time-bezetting-pr-gent"),
    ("blue-bike dampoort", "blue-bike-deelfietsen-gent-dampoort"),
    ("blue bike sint-pieters", "blue-bike-deelfietsen-gent-sint-pieters-m-hendrikaplein"),
    ("fietstelpaal bataviabrug 2020", "fietstelpaal-bataviabrug-2020-gent"),
    ("fietstelpaal dampoort", "fietstelpaal-dampoort-zuid-2021-gent"),
    ("aantal inwoners per wijk", "bevolking-per-wijk"),
    ("verkiezingen 2024", "verkiezingsuitslagen-2024"),
    ("secundaire scholen", "secundaire-scholen"),
    ("bibliotheek openingsuren", "bibliotheek-vestigingen"),
    ("luchtkwaliteit meetstations gent", "luchtkwaliteit-meetstations"),
    ("CO2 uitstoot", "klimaatplan-co2-uitstoot"),
    ("tijd_van_voltooien meldingen", "gentinfo-meldingen"),
    # --- published before deprecated ----------------------------------------------------
    ("bevolking per wijk", "bevolking-per-wijk"),
    ("bezetting parkeergarages", "bezetting-parkeergarages-real-time"),
    ("Fietstelpalen Gent", "fietstelpalen-gent"),
    ("luchtkwaliteit meetstations", "luchtkwaliteit-meetstations"),
]


@pytest.fixture(scope="module")
def index() -> CatalogueIndex:
    return CatalogueIndex.build(CATALOGUE)


def test_the_table_is_large_enough() -> None:
    assert len(RANKING) >= 40
    ids = {d.id for d in CATALOGUE}
    for _, expected in RANKING:
        for e in (expected,) if isinstance(expected, str) else expected:
            assert e in ids, e


@pytest.mark.parametrize(("query", "expected"), RANKING, ids=[q for q, _ in RANKING])
def test_expected_top_result(index: CatalogueIndex, query: str, expected: str | tuple[str, ...]) -> None:
    hits = index.search(query, limit=5)
    acceptable = (expected,) if isinstance(expected, str) else expected
    assert hits, f"{query!r}: no hits"
    assert hits[0].id in acceptable, f"{query!r}: top 5 {[h.id for h in hits]}"
