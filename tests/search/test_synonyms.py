"""The synonyms file format, the built-in Dutch starter set, and synonyms in search."""

from __future__ import annotations

from pathlib import Path

import pytest

from belfort.search import CatalogueIndex, SearchDocument, Synonyms
from belfort.settings import Settings


def test_parse_format() -> None:
    synonyms = Synonyms.parse(
        "# a comment\n"
        "\n"
        "Fiets, rijwiel ,  Bike   # trailing comment\n"
        "alleen\n"  # one entry: ignored
        "Crèche, kinderopvang, kinderopvang\n"  # folded, duplicates dropped
        "bus, openbaar vervoer, De Lijn\n"
        " , ,\n"
    )
    assert synonyms.groups == (
        (("fiets",), ("rijwiel",), ("bike",)),
        (("creche",), ("kinderopvang",)),
        (("bus",), ("openbaar", "vervoer"), ("de", "lijn")),
    )


def test_from_groups_and_none() -> None:
    assert Synonyms.from_groups([["velo", "fiets"]]).groups == ((("velo",), ("fiets",)),)
    assert Synonyms.none().groups == ()


def test_lookup_by_word_form() -> None:
    synonyms = Synonyms.parse("fiets, rijwiel\nbomen, groen\n")
    assert synonyms.groups_of_word("fietsen") == {0}  # a stem of "fiets"
    assert synonyms.groups_of_word("boom") == {1}
    assert synonyms.groups_of_word("auto") == frozenset()


def test_phrases_in_a_query() -> None:
    synonyms = Synonyms.parse("bus, openbaar vervoer, de lijn\nP+R, park and ride\n")
    words = ["haltes", "openbaar", "vervoer", "en", "p", "r"]
    assert synonyms.phrases_in(words) == [(1, 3, {0}), (4, 6, {1})]


def test_builtin_starter_set() -> None:
    synonyms = Synonyms.load()
    assert len(synonyms.groups) >= 20
    required = [
        ["fiets", "rijwiel", "bike", "fietsen"],
        ["drukte", "bezoekers", "passanten", "crowd", "druktemeter"],
        ["parking", "parkeergarage", "parkeren", "parkeerplaats", "garage"],
        ["wijk", "buurt", "stadswijk", "district", "neighbourhood"],
        ["afval", "vuilnis", "huisvuil", "waste"],
        ["bus", "tram", "openbaar vervoer", "De Lijn"],
        ["luchtkwaliteit", "fijn stof", "air quality"],
        ["deelauto", "deelwagen", "autodelen", "car sharing"],
    ]
    for words in required:
        entries = [tuple(Synonyms.from_groups([[w, "x"]]).groups[0][0]) for w in words]
        assert any(all(e in group for e in entries) for group in synonyms.groups), words


def test_builtin_file_is_the_default(tmp_path: Path) -> None:
    assert Synonyms.load(None) == Synonyms.load()
    path = tmp_path / "syn.txt"
    path.write_text("velo, fiets\n", encoding="utf-8")
    assert Synonyms.load(path).groups == ((("velo",), ("fiets",)),)
    assert Synonyms.load(str(path)) == Synonyms.load(path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Synonyms.load(tmp_path / "missing.txt")


DOCS = [
    SearchDocument("fietsen", "Fietsenstallingen en fietstellingen"),
    SearchDocument("rijwiel", "Rijwielherstellers"),
    SearchDocument("lijn", "Haltes De Lijn"),
    SearchDocument("parking", "Parkeergarages"),
]


def test_the_setting_is_passed_as_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "syn.txt"
    path.write_text("velo, fiets\n", encoding="utf-8")
    monkeypatch.setenv("BELFORT_SEARCH_SYNONYMS_FILE", str(path))
    settings = Settings()
    index = CatalogueIndex.build([SearchDocument("a", "Fietsen tellen")],
                                 synonyms=settings.search_synonyms_file)
    assert [h.id for h in index.search("velo")] == ["a"]


def test_synonyms_off() -> None:
    index = CatalogueIndex.build([SearchDocument("a", "Fietsen tellen")], synonyms=Synonyms.none())
    assert index.search("rijwiel") == []


def test_synonym_matches_score_below_direct_matches() -> None:
    docs = [SearchDocument("direct", "Rijwiel"), SearchDocument("synonym", "Fiets")]
    hits = CatalogueIndex.build(docs).search("rijwiel")
    assert [h.id for h in hits] == ["direct", "synonym"]
    assert hits[0].score > hits[1].score


def test_multi_word_synonyms_both_ways() -> None:
    docs = [SearchDocument("lijn", "Haltes De Lijn"), SearchDocument("ov", "Openbaar vervoer: haltes"),
            SearchDocument("other", "Vervoersregio")]
    index = CatalogueIndex.build(docs)
    assert {h.id for h in index.search("bus")} == {"lijn", "ov"}  # all words of a phrase
    assert index.search("openbaar vervoer")[0].id == "ov"
    assert {h.id for h in index.search("openbaar vervoer")[:2]} == {"lijn", "ov"}
    assert index.search("de lijn")[0].id == "lijn"
