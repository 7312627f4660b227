"""Behaviour of the index: what matches, in which order, and the small API around it."""

from __future__ import annotations

import pytest

from belfort.search import CatalogueIndex, Hit, SearchDocument, Synonyms
from tests.search.catalogue import CATALOGUE

D = SearchDocument


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


def build(*docs: SearchDocument) -> CatalogueIndex:
    return CatalogueIndex.build(docs, synonyms=Synonyms.none())


def test_empty_query_returns_everything_by_title_with_score_zero() -> None:
    index = build(D("b", "Bomen"), D("a", "Afval"), D("c", "", "Cargo"), D("z", "Zwembaden"))
    for query in ("", "   ", "\t\n", "*", " * "):
        hits = index.search(query)
        assert ids(hits) == ["a", "b", "c", "z"], query  # English title when there is no Dutch one
        assert all(h.score == 0 for h in hits)
    assert ids(index.search("", limit=2)) == ["a", "b"]


def test_a_query_without_searchable_words_finds_nothing() -> None:
    index = build(D("a", "Afval"))
    assert index.search("🚲 ?!") == []


def test_limit_and_within() -> None:
    index = CatalogueIndex.build(CATALOGUE)
    all_hits = index.search("fiets")
    assert len(all_hits) > 3
    assert index.search("fiets", limit=3) == all_hits[:3]
    visible = {"fietspaden", "fietsenstallingen", "afvalkalender", "not-an-id"}
    assert ids(index.search("fiets", within=visible)) == [h.id for h in all_hits if h.id in visible]
    assert ids(index.search("", within={"afvalkalender"})) == ["afvalkalender"]
    assert index.search("fiets", within=set()) == []


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        build(D("a", "Een"), D("a", "Twee"))


def test_an_empty_index() -> None:
    index = build()
    assert len(index) == 0
    assert index.search("fiets") == []
    assert index.search("") == []


def test_hits_are_sorted_and_the_integer_part_counts_matched_words() -> None:
    index = CatalogueIndex.build(CATALOGUE)
    hits = index.search("fietstelpaal dampoort")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].id == "fietstelpaal-dampoort-zuid-2021-gent" and int(hits[0].score) == 2
    assert int(hits[-1].score) == 1


def test_every_field_is_searched() -> None:
    index = build(
        D("title", "Zwembaden"),
        D("title-en", "Baden", "Swimming pools"),
        D("description", "Baden", description_nl="Alle zwembaden van de stad"),
        D("description-en", "Baden", description_en="Every swimming pool"),
        D("keyword", "Baden", keywords=("zwembaden",)),
        D("theme", "Baden", themes=("Sport",)),
        D("organisation", "Baden", organisation="Sportdienst"),
        D("field", "Baden", field_names=("zwembad_id",)),
        D("other", "Bibliotheken"),
    )
    assert set(ids(index.search("zwembaden"))) == {"title", "description", "keyword", "field"}
    assert set(ids(index.search("swimming"))) == {"title-en", "description-en"}
    assert ids(index.search("sport")) == ["theme", "organisation"]  # "sportdienst": a compound
    assert ids(index.search("sportdienst")) == ["organisation"]


def test_field_weights_title_keywords_organisation_fields_description() -> None:
    index = build(
        D("description", "A", description_nl="luchtkwaliteit"),
        D("fields", "B", field_names=("luchtkwaliteit",)),
        D("organisation", "C", organisation="Luchtkwaliteit"),
        D("keywords", "D", keywords=("luchtkwaliteit",)),
        D("title", "Luchtkwaliteit"),
    )
    assert ids(index.search("luchtkwaliteit")) == [
        "title", "keywords", "organisation", "fields", "description"]


def test_all_words_beat_some_words() -> None:
    index = build(D("one", "Fietstellingen Fietstellingen Fietstellingen"),
                  D("both", "Tellingen Dampoort, fietstellingen per uur en per richting"))
    assert ids(index.search("fietstellingen dampoort")) == ["both", "one"]


def test_a_word_typed_with_a_hyphen_is_one_word() -> None:
    index = build(D("pr", "Bezetting P+R"), D("gb", "Parking Gentbrugge"),
                  D("prgb", "P+R Gentbrugge"))
    assert ids(index.search("P+R Gentbrugge"))[0] == "prgb"
    hits = index.search("P+R Gentbrugge")
    assert int(hits[0].score) == 2 and {int(h.score) for h in hits[1:]} == {1}


def test_published_before_deprecated_before_the_rest() -> None:
    docs = [D(state, "Afvalkalender", state=state)
            for state in ("draft", "archived", "deprecated", "published")]
    hits = build(*docs).search("afvalkalender")
    assert ids(hits)[:2] == ["published", "deprecated"]
    assert set(ids(hits)[2:]) == {"draft", "archived"}


def test_stems_compounds_and_typos_score_below_exact_matches() -> None:
    index = build(D("exact", "Fietstelpaal"), D("plural", "Fietstelpalen"),
                  D("compound", "Fietstelpaalbeheer"))
    assert ids(index.search("fietstelpaal")) == ["exact", "plural", "compound"]
    index = build(D("exact", "Telpaal"), D("compound", "Fietstelpaal"))
    assert ids(index.search("telpaal")) == ["exact", "compound"]
    index = build(D("typo", "Parkeergarages"))
    exact = build(D("exact", "Parkeergarages")).search("parkeergarages")[0].score
    assert index.search("parkeerggarage")[0].score < exact


def test_compound_parts_find_longer_words() -> None:
    index = build(D("tel", "Fietstelpalen Gent"), D("wijk", "Stadswijken"),
                  D("garage", "Parkeergarages"))
    assert ids(index.search("telpaal")) == ["tel"]
    assert ids(index.search("fietstelpaal")) == ["tel"]
    assert ids(index.search("fiets")) == ["tel"]
    assert ids(index.search("wijk")) == ["wijk"]
    assert ids(index.search("garage")) == ["garage"]
    assert index.search("tel") == []  # too short to be a compound part


def test_typos_one_edit_from_four_letters_two_from_eight() -> None:
    index = build(D("tel", "Fietstelpalen Gent"), D("pg", "Bezetting parkeergarages"),
                  D("wijk", "Wijken"), D("bus", "Bus"))
    assert ids(index.search("fietstelpal")) == ["tel"]
    assert ids(index.search("fietstelplaen")) == ["tel"]  # transposition
    assert ids(index.search("parkeerggarage")) == ["pg"]
    assert ids(index.search("wijkne")) == ["wijk"]
    assert index.search("wjikenn") == []  # 7 letters, 2 edits: too many
    assert index.search("bos") == []  # 3 letters: no typos


def test_a_correct_word_is_not_corrected_into_another() -> None:
    index = build(D("wijk", "Wijk"), D("dijk", "Dijk"))
    assert ids(index.search("wijk")) == ["wijk"]
    assert ids(index.search("wykk")) == []  # two edits in a 4-letter word
    assert set(ids(index.search("wijj"))) == {"wijk"}


def test_accents_and_case_do_not_matter() -> None:
    index = build(D("creche", "Crèches en kinderopvang"), D("coop", "COÖPERATIE Partago"))
    assert ids(index.search("creches")) == ["creche"]
    assert ids(index.search("CRÈCHES")) == ["creche"]
    assert ids(index.search("coöperatie")) == ["coop"]
    assert ids(index.search("cooperatie")) == ["coop"]


def test_field_names_split_on_underscores() -> None:
    index = build(D("a", "Meldingen", field_names=("tijd_van_voltooien",)), D("b", "Tijd"))
    assert ids(index.search("tijd_van_voltooien"))[0] == "a"
    assert ids(index.search("voltooien")) == ["a"]


def test_english_and_dutch_titles_each_find_their_language() -> None:
    index = CatalogueIndex.build([
        D("nl", "Fietstellingen"),
        D("en", "", "Bicycle counts"),
        D("both", "Bomeninventaris", "Tree inventory"),
    ])
    assert ids(index.search("fietstellingen"))[0] == "nl"
    assert ids(index.search("bicycle counts"))[0] == "en"
    assert ids(index.search("tree inventory")) == ["both"]
    assert ids(index.search("bomeninventaris")) == ["both"]


def test_a_bilingual_title_does_not_count_twice() -> None:
    index = build(D("both", "Blue-bike Dampoort", "Blue-bike Dampoort"),
                  D("one", "Blue-bike Dampoort"))
    hits = index.search("blue-bike")
    assert hits[0].score == pytest.approx(hits[1].score)


def test_the_index_is_built_once_and_reused() -> None:
    index = CatalogueIndex.build(CATALOGUE)
    assert len(index) == len(CATALOGUE)
    assert index.search("fietstelpalen") == index.search("fietstelpalen")


def test_a_word_written_together_finds_its_two_halves() -> None:
    index = build(D("rt", "Bezetting real-time"), D("time", "Time"), D("bb", "Blue-bike Dampoort"))
    assert ids(index.search("realtime")) == ["rt"]
    assert ids(index.search("bluebike")) == ["bb"]
