"""Indicator definitions are refused when saved (422, every problem named): a filter that
does not parse, unknown fields, incompatible periods, a dataset the public may not read;
an imported table with unknown area codes is reported per row and nothing is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.cijfers.compute import recompute_for_dataset
from belfort.cijfers.geography import geography_of
from belfort.cijfers.models import Indicator
from belfort.cijfers.store import save_indicator
from belfort.errors import IndicatorInvalid
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file, update_dataset_metadata

COUNTS = {
    "dataset": "passantentellingen-gent-demo",
    "measure": "sum",
    "field": "aantal",
    "time": "tijdstip",
    "location_from": {
        "dataset": "telpunten-drukte-gent",
        "key": "id",
        "location": "locatie",
        "join": "telpunt_id",
    },
}


def _spec(**definition: Any) -> dict[str, Any]:
    return {
        "code": "test_ind",
        "name_nl": "Test",
        "name_en": "Test",
        "period_type": "month",
        "definition": {**COUNTS, **definition},
    }


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ({"where": "aantal >>> 3"}, "definition.where"),
        ({"where": "nope = 3"}, "unknown field"),
        ({"field": "nope"}, "definition.field: unknown field 'nope'"),
        ({"time": "aantal"}, "not date or datetime"),
        ({"measure": "rate", "population": "bev_totaal"}, "incompatible periods"),
        ({"measure": "share"}, "share_where: required"),
        (
            {
                "dataset": "meldingen-openbaar-domein-intern",
                "location": "locatie",
                "location_from": None,
            },
            "no open, published dataset",
        ),
        ({"measure": "median"}, "definition.measure"),
        ({"bogus": 1}, "unknown key 'bogus'"),
    ],
)
def test_a_bad_definition_is_refused_with_its_problem(
    demo_platform: Platform, definition: dict[str, Any], problem: str
) -> None:
    with pytest.raises(IndicatorInvalid) as caught:
        save_indicator(demo_platform, CLI_ADMIN, _spec(**definition))
    assert any(problem in p for p in caught.value.details["problems"]), caught.value.details
    assert caught.value.http_status == 422


def test_the_api_refuses_with_422_and_imports_per_row(
    client_with_profile: TestClient, demo_platform: Platform
) -> None:
    with demo_platform.db.session() as session:
        key = create_key(session, "test admin").secret
    admin = {"Authorization": f"Bearer {key}"}
    bad = client_with_profile.post(
        "/api/belfort/v1/indicators", json=_spec(where="(("), headers=admin
    )
    assert bad.status_code == 422 and bad.json()["error"] == "indicator_invalid"
    assert client_with_profile.post("/api/belfort/v1/indicators", json=_spec()).status_code in (
        401,
        403,
    )
    table = {
        "code": "tevreden_groen",
        "name_nl": "Tevreden over het groen",
        "name_en": "Satisfied with green space",
        "unit": "%",
        "threshold": 0,
        "decimals": 1,
    }
    assert (
        client_with_profile.post(
            "/api/belfort/v1/indicators", json=table, headers=admin
        ).status_code
        == 201
    )
    rows = [
        {"geoitem": "1", "period": "2024", "value": 71.5},
        {"geoitem": "99", "period": "2024", "value": 60},
        {"geoitem": "2", "period": "2024-Q1", "value": 60},
        {"geoitem": "3", "period": "2024", "value": "veel"},
    ]
    refused = client_with_profile.post(
        "/api/belfort/v1/indicators/tevreden_groen/values", json={"rows": rows}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        "row 2: unknown area code '99' at level wijk",
        "row 3: incompatible periods: '2024-Q1' is a quarter period, "
        "the indicator has year periods",
        "row 4: value is not a number",
    ]
    good = client_with_profile.post(
        "/api/belfort/v1/indicators/tevreden_groen/values",
        json={"rows": [rows[0], {"geoitem": "2", "period": "2024", "value": -99997}]},
        headers=admin,
    )
    assert good.json() == {"imported": 2}
    table_rows = client_with_profile.get(
        "/jive/selectiontableasjson.ashx",
        params={"var": "tevreden_groen", "geoitem": "1,2", "geoitem_codes": "1"},
    ).json()["rows"]
    assert table_rows == [["1", "2024", 71.5], ["2", "2024", -99997]]
    listed = client_with_profile.get("/api/belfort/v1/indicators").json()["indicators"]
    assert {"tevreden_groen", "bev_totaal", "passanten_per_dag"} <= {i["code"] for i in listed}
    one = client_with_profile.get("/api/belfort/v1/indicators/bev_totaal").json()
    assert one["modelled"] is True and "Gemodelleerd" in one["description_nl"]
    assert client_with_profile.get("/api/belfort/v1/indicators/nope").status_code == 404


def test_a_new_version_of_a_source_recomputes_its_indicators(
    demo_platform: Platform, tmp_path: Path
) -> None:
    with demo_platform.db.session() as session:
        before = session.get(Indicator, "telpunten")
        assert before is not None and before.last_error is None
        computed = before.computed_at
    csv = tmp_path / "telpunten.csv"
    csv.write_text(
        "id;naam;wijk;locatie;netto_oppervlakte_m2;instrument;in_dienst_sinds\n"
        "TP01;Korenmarkt;Binnenstad;51.05455, 3.72135;1000;camera;2019-01-01\n"
    )
    ingest_file(
        demo_platform,
        CLI_ADMIN,
        "telpunten-drukte-gent",
        csv,
        overrides={"locatie": "geopoint", "in_dienst_sinds": "date"},
    )
    with demo_platform.db.session() as session:
        after = session.get(Indicator, "telpunten")
        assert after is not None and after.computed_at is not None and computed is not None
        assert after.computed_at > computed  # the hook ran
        from belfort.cijfers.models import IndicatorValue

        values = (
            session.query(IndicatorValue)
            .filter_by(indicator="telpunten", geolevel="gemeente")
            .all()
        )
        assert [(v.period, v.contributors, v.source_version) for v in values] == [
            ("2019", 1, "telpunten-drukte-gent@2")
        ]
    # a failure is recorded on the indicator, never raised into the write path
    bad = tmp_path / "bad.csv"
    bad.write_text("id;naam\nTP01;Korenmarkt\n")
    ingest_file(demo_platform, CLI_ADMIN, "telpunten-drukte-gent", bad)
    with demo_platform.db.session() as session:
        failed = session.get(Indicator, "telpunten")
        assert failed is not None and failed.last_error == "unknown field 'in_dienst_sinds'"
    assert recompute_for_dataset(demo_platform, geography_of(demo_platform), "nothing") == {}


def test_a_source_no_longer_open_withdraws_its_indicators(
    demo_platform: Platform, client_with_profile: TestClient
) -> None:
    """Indicators are public: when a source becomes internal, what was computed from it is
    withdrawn (the same follower as a new version), and the reason recorded."""
    answer = client_with_profile.get("/jive/selectiontableasjson.ashx", params={"var": "telpunten"})
    assert answer.json()["rows"]
    update_dataset_metadata(
        demo_platform,
        CLI_ADMIN,
        "telpunten-drukte-gent",
        {"classification": "internal", "restriction_reason": "privacy",
                                       "classification_reason": "test: no longer open"},
    )
    for code in ("telpunten", "passanten_per_dag"):  # its location_from reads it too
        answer = client_with_profile.get("/jive/selectiontableasjson.ashx", params={"var": code})
        assert answer.json()["rows"] == [], code
        with demo_platform.db.session() as session:
            row = session.get(Indicator, code)
            assert row is not None and row.last_error is not None
            assert "not open to everyone" in row.last_error
