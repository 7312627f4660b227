"""Hostile input never crashes or hangs the search."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.search import CatalogueIndex, SearchDocument
from belfort.search.query import MAX_TERMS, plan_query
from tests.search.catalogue import CATALOGUE

HOSTILE = [
    "",
    " ",
    "\t\n\r\x0b\x0c",
    "\x00",
    "\x00" * 10_000,
    "a" * 10_000,
    "fiets " * 2_000,
    "fietstelpal parkeerggarage " * 500,
    " ".join(f"woord{i}" for i in range(5_000)),
    " ".join("abcdefghijklmnopqrstuvwxyzabcdef"[i % 7:] + "xyz"[: i % 3] for i in range(200)),
    "x" * 100_000,
    "e\u0301" * 5_000,  # combining marks
    "\u0301\u0302\u0303",  # combining marks with nothing to combine with
    "🚲🅿️🌳" * 1_000,
    "‮fiets‬",  # right-to-left override around a word
    "مرحبا بالعالم שלום",
    "\ud800\udfff",  # lone surrogates
    "\uffff\U0010ffff",
    ".*+?[](){}|^$\\",
    "(a+)+$" * 100,
    "' OR 1=1 --",
    "%_%",
    "*",
    "**",
    "*fiets*",
    "fiets~2 AND bike^3 OR title:gent",
    "𝔣𝔦𝔢𝔱𝔰",  # mathematical letters fold to "fiets"
]


@pytest.fixture(scope="module")
def index() -> CatalogueIndex:
    return CatalogueIndex.build(CATALOGUE)


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q[:20]) for q in HOSTILE])
def test_hostile_queries(index: CatalogueIndex, query: str) -> None:
    t0 = time.perf_counter()
    hits = index.search(query, limit=10)
    assert time.perf_counter() - t0 < 1.0
    assert len(hits) <= 10
    assert all(h.id in {d.id for d in CATALOGUE} for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_long_queries_are_cut_to_max_terms(index: CatalogueIndex) -> None:
    plan = plan_query(" ".join(f"woord{i}" for i in range(1_000)), index.vocabulary, index.synonyms)
    assert plan.slots == MAX_TERMS
    assert index.search("fiets " + "onbekend " * 3_000)  # the first words still count


def test_mathematical_letters_fold(index: CatalogueIndex) -> None:
    assert index.search("𝔣𝔦𝔢𝔱𝔰𝔱𝔢𝔩𝔭𝔞𝔩𝔢𝔫")[0].id == "fietstelpalen-gent"


def test_worst_case_query_stays_fast(index: CatalogueIndex) -> None:
    """32 distinct long misspelled words: every typo and compound path at once."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    query = " ".join(letters[i % 20:] + letters[: i % 20] for i in range(40))
    t0 = time.perf_counter()
    index.search(query)
    assert time.perf_counter() - t0 < 0.5


def test_hostile_documents() -> None:
    docs = [
        SearchDocument("empty", ""),
        SearchDocument("emoji", "🚲🚲🚲", "🅿️", "🌳" * 1000),
        SearchDocument("nul", "\x00\x00", description_nl="\x00fiets\x00"),
        SearchDocument("huge", "Groot", description_nl="woord " * 50_000),
        SearchDocument("long-word", "x" * 10_000, keywords=("y" * 10_000,)),
        SearchDocument("rtl", "‮Fietsen‬ مرحبا", field_names=("\ud800",)),
        SearchDocument("weird-state", "Fietsen", state="🙃"),
    ]
    index = CatalogueIndex.build(docs)
    assert {h.id for h in index.search("fiets")} == {"nul", "rtl", "weird-state"}
    assert index.search("woord")[0].id == "huge"
    assert len(index.search("")) == len(docs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text(index: CatalogueIndex, query: str) -> None:
    hits = index.search(query, limit=5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["fiets", "fietstelpal", "p+r", "de", "lijn", "openbaar",
                                 "vervoer", "*", "-", "_", "é", "2024", "bike", "gent", "🚲"]),
                max_size=40))
def test_any_mix_of_known_words(index: CatalogueIndex, words: list[str]) -> None:
    query = " ".join(words)
    hits = index.search(query)
    assert len({h.id for h in hits}) == len(hits)
