"""Messages people understand (issue 12 item 5): every ingest problem code and every metadata
error the staff forms can produce has a plain text in Dutch and in English — no pydantic
"Value error", no field path, no Python repr."""

from __future__ import annotations

from typing import Any

import pytest

from belfort.catalog.metadata import ContactPoint, DatasetMetadata, TemporalCoverage
from belfort.catalog.store import validate_metadata
from belfort.errors import (
    Conflict,
    FileShapeRefused,
    Forbidden,
    InvalidRequest,
    MetadataInvalid,
    QueryError,
    UnreadableFile,
    UnsupportedFormat,
    VersionNotFound,
)
from belfort.ingest.report import PROBLEM_CODES, ValidationReport
from belfort.portal.i18n import LANGUAGES, Translator
from belfort.portal.messages import (
    error_text,
    metadata_errors,
    metadata_key,
    problem_key,
    problem_message,
    technical_detail,
)

#: A value for each code's parameters, as the ingest gives them.
PARAMS: dict[str, dict[str, Any]] = {
    "not_integer": {"type": "integer"},
    "not_number": {"type": "number", "format": "decimal comma"},
    "not_boolean": {"type": "boolean"},
    "not_date": {"type": "date", "format": "%d/%m/%Y"},
    "not_datetime": {"type": "datetime", "format": "%d/%m/%Y %H:%M"},
    "not_geopoint": {"type": "geopoint", "format": "lat,lon"},
    "not_geometry": {"type": "geometry", "format": "geojson"},
    "invalid_geometry": {"reason": "longitude 500 is outside -180…180"},
    "nul_byte": {},
    "wrong_field_count": {"expected": 4, "found": 5},
    "unterminated_quote": {},
}

#: Inputs the staff forms can send that metadata validation refuses, one per error kind.
BAD_METADATA: list[dict[str, Any]] = [
    {"title_nl": ""},
    {"title_nl": "x" * 301},
    {"title_en": "x" * 301},
    {"description_nl": "x" * 20_001},
    {"organisation": "x" * 201},
    {"licence": "x" * 301},
    {"themes": ["x" * 101]},
    {"themes": [f"t{i}" for i in range(21)]},
    {"keywords": ["x" * 101]},
    {"keywords": [f"k{i}" for i in range(51)]},
    {"classification": "geheim"},
    {"classification_reason": "x" * 2001},
    {"timezone": "Mars/Olympus"},
    {"contact_point": {"email": "niet-een-adres"}},
    {"contact_point": {"email": "a@b.c" + "x" * 260}},
    {"contact_point": {"name": "x" * 201}},
    {"temporal": {"start": "2024-05-01", "end": "2024-01-01"}},
    {"temporal": {"start": "gisteren"}},
    {"temporal": {"end": "2024-13-45"}},
    {"frequency": "soms"},
    {"spatial": "x" * 501},
    {"steward": "x" * 201},
    {"processing_activity": "geen-guid"},
    {"title_nl": "met\x00nul"},
]


def _errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(MetadataInvalid) as info:
        validate_metadata({"title_nl": "T", **data})
    errors: list[dict[str, Any]] = info.value.details["errors"]
    assert errors and info.value.message.startswith("invalid metadata: ")  # the API's words stay
    return errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_problem_code_has_a_text_in_every_language(lang: str) -> None:
    assert set(PARAMS) == set(PROBLEM_CODES), "a new problem code needs PARAMS here and texts"
    t = Translator(lang)
    for code, params in PARAMS.items():
        for given in (params, {"type": params.get("type", "")}, {}):
            key = problem_key(code, {k: v for k, v in given.items() if v})
            assert key in t.messages, f"no {lang} text {key!r} for problem {code!r}"
            problem = {
                "column": "telpaal",
                "problem": "english",
                "code": code,
                "params": given,
                "count": 3,
                "examples": [{"row": 3, "column": "telpaal", "value": "FT03"}],
            }
            text = problem_message(t, problem).text
            assert "english" not in text and "{" not in text and "%" not in text, text


def test_the_brief_s_sentence_in_both_languages() -> None:
    problem = {
        "column": "telpaal",
        "problem": "not a valid integer",
        "code": "not_integer",
        "params": {"type": "integer"},
        "count": 12,
        "examples": [
            {"row": 3, "column": "telpaal", "value": "FT03"},
            {"row": 9, "column": "telpaal", "value": "FT09"},
        ],
    }
    nl = problem_message(Translator("nl"), problem)
    assert nl.text.startswith(
        "Rij 3, kolom telpaal: 'FT03' is geen geheel getal — kies 'tekst' als soort"
    )
    assert nl.count_text == "Dit komt 12 keer voor." and [e.value for e in nl.examples] == [
        "FT03",
        "FT09",
    ]
    en = problem_message(Translator("en"), problem)
    assert en.text.startswith(
        "Row 3, column telpaal: 'FT03' is not a whole number — choose 'text' as its type"
    )


def test_dates_say_the_form_they_expect_in_the_page_s_words() -> None:
    problem = {
        "column": "dag",
        "code": "not_date",
        "params": {"type": "date", "format": "%d/%m/%Y"},
        "count": 1,
        "examples": [{"row": 2, "column": "dag", "value": "31/02/2024x"}],
    }
    assert "in de vorm dd/mm/jjjj" in problem_message(Translator("nl"), problem).text
    assert "written as dd/mm/yyyy" in problem_message(Translator("en"), problem).text


def test_values_in_messages_are_short_and_plain() -> None:
    problem = {
        "column": "a",
        "code": "not_integer",
        "params": {},
        "count": 1,
        "examples": [{"row": 1, "column": "a", "value": "<script>" + "x" * 500 + "\x00\n"}],
    }
    message = problem_message(Translator("nl"), problem)
    value = message.examples[0].value
    assert len(value) == 60 and value.endswith("…") and "\x00" not in value and "\n" not in value
    assert value.startswith("<script>")  # escaped by the template, not mangled here


def test_a_real_report_carries_codes_and_keeps_its_english_problem() -> None:
    report = ValidationReport()
    report.add_many(
        "telpaal",
        "not a valid integer",
        2,
        [(3, "FT03"), (4, "FT04")],
        code="not_integer",
        params={"type": "integer"},
    )
    (entry,) = report.to_dict()["problems"]
    assert entry["problem"] == "not a valid integer" and entry["code"] == "not_integer"
    assert entry["params"] == {"type": "integer"}
    with pytest.raises(ValueError, match="unknown problem code"):
        report.add_many("a", "x", 1, [(1, "v")], code="not_in_the_list")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("data", BAD_METADATA, ids=lambda d: next(iter(d)))
def test_every_metadata_error_of_the_forms_has_its_own_text(
    lang: str, data: dict[str, Any]
) -> None:
    t = Translator(lang)
    errors = _errors(data)
    for err in errors:
        path = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        assert metadata_key(t, path, err["type"]) is not None, (
            f"no {lang} text for {path} {err['type']}"
        )
    for shown in metadata_errors(t, errors):
        for text in (shown.text, shown.label):
            assert "Value error" not in text and "{" not in text, text
            for path in ("contact_point", "temporal.", "title_nl", "_en", "processing_activity"):
                assert path not in text, text  # fields are named by their labels, never by path
            assert "'niet-een-adres'" not in text  # no repr of the input


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_metadata_field_has_a_label(lang: str) -> None:
    t = Translator(lang)
    paths = list(DatasetMetadata.model_fields)
    paths += [f"contact_point.{n}" for n in ContactPoint.model_fields]
    paths += [f"temporal.{n}" for n in TemporalCoverage.model_fields]
    missing = [p for p in paths if f"msg_field_{p}" not in t.messages]
    assert not missing, f"no {lang} label for {missing}"


def test_the_brief_s_metadata_sentences() -> None:
    nl, en = Translator("nl"), Translator("en")
    email = _errors({"contact_point": {"email": "x"}})
    assert [e.text for e in metadata_errors(nl, email)] == [
        "Vul een geldig e-mailadres in, bijvoorbeeld naam@stad.gent."
    ]
    assert metadata_errors(nl, email)[0].field == "contact_email"
    order = _errors({"temporal": {"start": "2024-05-01", "end": "2024-01-01"}})
    assert [(e.field, e.text) for e in metadata_errors(nl, order)] == [
        ("temporal_end", "De einddatum ligt voor de begindatum.")
    ]
    assert metadata_errors(en, order)[0].text == "The end date is before the start date."
    long = _errors({"title_nl": "x" * 301})
    assert (
        metadata_errors(nl, long)[0].text == "Titel (Nederlands): gebruik ten hoogste 300 tekens."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_typed_errors_in_the_page_s_language(lang: str) -> None:
    t = Translator(lang)
    generic = t("msg_error_generic")
    cases = [
        VersionNotFound("dataset 'x' has no version 9"),
        UnsupportedFormat("unsupported format"),
        UnreadableFile("the file cannot be read: garbage"),
        FileShapeRefused(
            "the file has 20,000 columns; at most 10,000 are accepted",
            details={"limit": "columns", "maximum": 10_000},
        ),
        Forbidden("this form has expired; reload the page and try again"),
        QueryError("unknown field 'nope'", details={"field": "nope"}),
        QueryError("IN needs at least one value"),
        Conflict("x holds personal data", details={"rule": "personal_data_needs_register_entry"}),
        Conflict("dataset 'x' is archived; restore it first"),
    ]
    for exc in cases:
        text = error_text(t, exc, version=9)
        assert text != generic and exc.message not in text, (exc, text)
        assert technical_detail(t, exc) is None
    assert "9" in error_text(t, VersionNotFound("no"), version=9)
    assert "nope" in error_text(t, QueryError("unknown field 'nope'", details={"field": "nope"}))
    odd = InvalidRequest("something only a developer reads")
    assert (
        error_text(t, odd) == generic
        and technical_detail(t, odd) == "something only a developer reads"
    )


BAD_ACTIVITY: list[dict[str, Any]] = [
    {"name": ""},
    {"name": "twee\nregels"},
    {"description": "stuur\x07teken"},
    {"purposes": ["x" * 1001]},
    {"data_subjects": ["burgers, bezoekers"]},
    {"grantees": ["Politie; Parket"]},
    {"personal_data": [{"type": "naam, adres"}]},
    {"audience": "iedereen"},
    {"retention": "x" * 301},
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("data", BAD_ACTIVITY, ids=lambda d: next(iter(d)))
def test_every_register_entry_error_has_its_own_text(lang: str, data: dict[str, Any]) -> None:
    from belfort.register.model import validate_activity

    t = Translator(lang)
    with pytest.raises(MetadataInvalid) as info:
        validate_activity({"name": "Verwerking", **data})
    assert info.value.message.startswith("invalid processing activity: ")
    for err in info.value.details["errors"]:
        path = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        found = metadata_key(t, path, err["type"])
        assert found is not None, f"no {lang} text for {path} {err['type']}"
        assert f"msg_field_{path}" in t.messages, f"no {lang} label for {path}"
    for shown in metadata_errors(t, info.value.details["errors"]):
        assert "Value error" not in shown.text and "{" not in shown.text, shown.text
