"""Rules are checked when saved: what does not parse, names an unknown field or passes a limit
is refused with a message naming the rule — including hostile and oversized input."""

from __future__ import annotations

import pytest

from belfort.errors import QualityRuleInvalid
from belfort.quality.rules import check_rules
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    fields=(
        Field(name="id", type="integer"),
        Field(name="naam", type="string"),
        Field(name="bezetting", type="integer"),
        Field(name="capaciteit", type="integer"),
        Field(name="datum", type="date"),
    )
)


def check(rules: object, max_rules: int = 200, max_chars: int = 2000) -> list:
    return check_rules(rules, SCHEMA, max_rules=max_rules, max_chars=max_chars)


def test_every_rule_type_is_accepted_with_its_dimension() -> None:
    rules = check(
        [
            {"type": "required", "field": "naam"},
            {"type": "unique", "field": "id"},
            {"type": "unique", "fields": ["naam", "datum"], "id": "naam-datum"},
            {"type": "minimum", "field": "bezetting", "value": 0},
            {"type": "maximum", "field": "datum", "value": "2030-01-01"},
            {"type": "minLength", "field": "naam", "value": 2},
            {"type": "maxLength", "field": "naam", "value": 80},
            {"type": "pattern", "field": "naam", "value": "[A-Z].*"},
            {"type": "enum", "field": "bezetting", "value": [1, 2, 3]},
            {"type": "check", "where": "bezetting <= capaciteit", "id": "bezetting-past"},
        ]
    )
    assert [r.dimension for r in rules] == [
        "completeness",
        "uniqueness",
        "uniqueness",
        "validity",
        "validity",
        "validity",
        "validity",
        "validity",
        "validity",
        "consistency",
    ]
    assert rules[0].id == "required:naam" and rules[2].id == "naam-datum"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "check", "where": "bezetting <= "}, "does not parse"),
        ({"type": "check", "where": "bezeting <= capaciteit"}, "unknown field 'bezeting'"),
        (
            {"type": "check", "where": "datum > 'gisteren'"},
            "rule 'check:2': value 'gisteren' is not a valid date",
        ),
        ({"type": "check", "where": "bezetting"}, "rule 'check:2'"),
        ({"type": "required", "field": "nope"}, "unknown field 'nope'"),
        ({"type": "unique", "fields": ["id", "id"]}, "different field names"),
        ({"type": "minLength", "field": "id", "value": 2}, "applies to text fields"),
        ({"type": "minimum", "field": "bezetting", "value": "veel"}, "not a valid integer"),
        ({"type": "pattern", "field": "naam", "value": "(a)\\1"}, "not a valid regular expression"),
        ({"type": "pattern", "field": "naam", "value": "a" * 1500}, "at most 1000 characters"),
        ({"type": "enum", "field": "naam", "value": []}, "allowed values"),
        ({"type": "frobnicate", "field": "naam"}, "unknown type"),
        ({"type": "required", "field": "naam", "sql": "DROP TABLE x"}, "unknown key"),
        ({"type": "required", "field": "naam", "id": "bad id!"}, "an id is"),
        ("required naam", "a rule is an object"),
    ],
)
def test_a_bad_rule_is_refused_naming_it(rule: object, message: str) -> None:
    with pytest.raises(QualityRuleInvalid) as caught:
        check([{"type": "required", "field": "id"}, rule])
    assert message in caught.value.message
    assert caught.value.message.startswith("rule ")
    assert caught.value.http_status == 422


@pytest.mark.parametrize(
    "where",
    [
        "bezetting <= capaciteit); DROP TABLE datasets; --",
        "naam = 'x' UNION SELECT * FROM read_csv('/etc/passwd')",
        "read_parquet('/etc/passwd') IS NULL",
        "bezetting <= capaciteit /* comment */",
    ],
)
def test_sql_injection_in_a_check_is_refused(where: str) -> None:
    with pytest.raises(QualityRuleInvalid):
        check([{"type": "check", "where": where}])


def test_a_quote_in_a_value_stays_a_value() -> None:
    rules = check(
        [
            {"type": "enum", "field": "naam", "value": ["O'Brien'); DROP TABLE x; --"]},
            {"type": "check", "where": "naam != 'x''; DROP TABLE datasets; --'"},
        ]
    )
    assert len(rules) == 2


def test_limits_on_number_and_length_of_rules() -> None:
    many = [{"type": "required", "field": "naam", "id": f"r{i}"} for i in range(10_000)]
    with pytest.raises(QualityRuleInvalid, match="10,000 rules: a dataset may have at most 200"):
        check(many)
    with pytest.raises(QualityRuleInvalid, match="more than 2,000"):
        check([{"type": "check", "where": "naam = '" + "x" * 3000 + "'"}])
    with pytest.raises(QualityRuleInvalid, match="same id"):
        check([{"type": "required", "field": "naam"}, {"type": "required", "field": "naam"}])
    with pytest.raises(QualityRuleInvalid):
        check({"rules": []})


def test_deeply_nested_condition_is_refused_not_crashing() -> None:
    with pytest.raises(QualityRuleInvalid):
        check(
            [{"type": "check", "where": "(" * 5000 + "bezetting > 0" + ")" * 5000}],
            max_chars=100_000,
        )
