"""Folding, tokenisation and stemming."""

from __future__ import annotations

from belfort.search.text import MAX_TOKEN_CHARS, compound_forms, fold, forms, tokenize


def shares_a_form(a: str, b: str) -> bool:
    return bool(set(forms(a)) & set(forms(b)))


def test_fold_removes_accents_and_case() -> None:
    assert fold("Élève Crème BRÛLÉE") == "eleve creme brulee"
    assert fold("Coöperatie Partago") == "cooperatie partago"
    assert fold("e\u0301") == "e"  # decomposed accent
    assert fold("Ĳzer") == "ijzer"  # Dutch ij ligature
    assert fold("STRAßE") == "strasse"
    assert fold("Ｆｉｅｔｓ") == "fiets"  # full-width letters


def test_tokenize_splits_on_punctuation_underscores_and_hyphens() -> None:
    assert tokenize("tijd_van_voltooien") == ["tijd", "van", "voltooien"]
    assert tokenize("Real-time bezetting P+R Gent!") == ["real", "time", "bezetting", "p", "r", "gent"]
    assert tokenize("pm2,5 (µg/m³)") == ["pm2", "5", "μg", "m3"]
    assert tokenize("") == []
    assert tokenize(None) == []


def test_tokenize_treats_controls_emoji_and_symbols_as_separators() -> None:
    assert tokenize("fiets\x00telpaal") == ["fiets", "telpaal"]
    assert tokenize("🚲fiets🚲") == ["fiets"]
    assert tokenize(".*+?[](){}|^$\\") == []


def test_tokenize_keeps_other_scripts_as_words() -> None:
    assert tokenize("مرحبا Gent") == ["مرحبا", "gent"]


def test_long_runs_are_cut() -> None:
    assert tokenize("a" * 10_000) == ["a" * MAX_TOKEN_CHARS]


def test_dutch_and_english_stems_join_inflections() -> None:
    assert shares_a_form("fietsen", "fiets")
    assert shares_a_form("parkings", "parking")
    assert shares_a_form("counters", "counter")
    assert shares_a_form("bomen", "boom")
    assert shares_a_form("wijken", "wijk")
    assert shares_a_form("fietstelpalen", "fietstelpaal")
    assert shares_a_form("deelwagens", "deelwagen")


def test_short_vowels_the_dutch_stemmer_doubles_are_undone() -> None:
    assert shares_a_form("zwembaden", "zwembad")
    assert shares_a_form("fietspaden", "fietspad")
    assert shares_a_form("wegen", "weg")
    assert shares_a_form("straten", "straat")  # the long vowel stays a form as well


def test_stem_overrides_keep_unrelated_words_apart() -> None:
    assert not shares_a_form("parking", "parken")  # car park is not park
    assert not shares_a_form("evenementen", "even")


def test_numbers_and_codes_are_not_stemmed() -> None:
    assert forms("2024") == ("2024",)
    assert forms("pm10") == ("pm10",)


def test_forms_start_with_the_word_itself() -> None:
    assert forms("fietsen")[0] == "fietsen"


def test_compound_forms_use_only_the_dutch_stem() -> None:
    assert compound_forms("fietstelpalen")[:2] == ("fietstelpalen", "fietstelpaal")
    assert "elect" not in compound_forms("elections")
