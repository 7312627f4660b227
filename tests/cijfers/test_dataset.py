"""Indicators as a dataset: ``gent-in-cijfers`` through Opendatasoft v1 search, Explore v2.1
records and exports and the native API — only protected values (a hidden cell is null with
its status, never its number; the attack of ``test_protection`` reads these APIs and
recovers nothing), kept in step when values change, open in the catalogue and in DCAT."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.cijfers import store
from belfort.cijfers.dataset import DATASET
from belfort.cijfers.geography import CITY_CODE, geography_of
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.settings import Settings
from tests.cijfers.test_protection import recovered

K = 5


def wijk_counts(seed: int) -> dict[str, int]:
    """25 wijk counts with small ones among them (so protection has work to do)."""
    rng = random.Random(seed)
    return {str(code): rng.choice([0, 1, 2, 3, 4, 6, 7, 9, 12, 40, 133])
            for code in range(1, 26)}


def save_counts(platform: Platform, code: str, tables: dict[str, dict[str, int]],
                modelled: bool = False) -> None:
    """An imported-table indicator: per period, each wijk's count and the city's sum (the
    count is also its contributors, so the display threshold applies)."""
    store.save_tables(platform, CLI_ADMIN, [{
        "code": code, "name_nl": f"Telling {code}", "name_en": f"Count {code}",
        "unit": "aantal", "threshold": K, "modelled": modelled}])
    rows: list[dict[str, Any]] = []
    for period, counts in tables.items():
        rows += [{"geoitem": w, "period": period, "value": n, "contributors": n}
                 for w, n in counts.items()]
        total = sum(counts.values())
        rows.append({"geolevel": "gemeente", "geoitem": CITY_CODE, "period": period,
                     "value": total, "contributors": total})
    store.import_table(platform, CLI_ADMIN, code, rows, geography_of(platform))


@pytest.fixture
def counted(settings: Settings) -> Iterator[tuple[TestClient, Platform, dict[str, dict[str, int]]]]:
    settings = settings.model_copy(update={"live_refresh_seconds": 0.0})
    platform = Platform(settings)
    tables = {str(year): wijk_counts(year) for year in (2022, 2023, 2024)}
    tables["2021"] = {str(w): 3 if w == 1 else 10 + w for w in range(1, 26)}  # needs an "x"
    save_counts(platform, "kleine_aantallen", tables)
    save_counts(platform, "gemodelleerd_cijfer", {"2024": wijk_counts(7)}, modelled=True)
    try:
        with TestClient(create_app(platform)) as client:
            yield client, platform, tables
    finally:
        platform.close()


def export_rows(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}/exports/json",
                          params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_indicator_values_read_through_every_api_protected(counted: Any) -> None:
    client, _platform, tables = counted
    rows = export_rows(client, where="indicator = 'kleine_aantallen'")
    assert len(rows) == 4 * 26
    by_cell = {(r["geoniveau"], r["geo_code"], r["periode"]): r for r in rows}
    first = by_cell[("wijk", "1", "2022")]
    assert first["indicator_naam"] == "Telling kleine_aantallen" and first["eenheid"] == "aantal"
    assert first["geo_naam"] == "Binnenstad" and first["periodeniveau"] == "year"
    assert first["gemodelleerd"] is False and first["bronversie"] is None
    for period, counts in tables.items():
        for wijk, n in counts.items():
            row = by_cell[("wijk", wijk, period)]
            if 0 < n < K:  # below the threshold: never its number
                assert row["waarde"] is None and row["weergave"] == "< 5"
                assert row["status"] == "onder drempel"
            elif row["weergave"] == "x":  # hidden by secondary suppression
                assert row["waarde"] is None and row["status"] == "verborgen"
            else:
                assert row["waarde"] == n and row["status"] == "gepubliceerd"
    assert any(by_cell[("wijk", w, "2021")]["weergave"] == "x" for w in tables["2021"])

    # the attack of test_protection, fed by what the APIs publish: nothing recovered
    for period, counts in tables.items():
        wijken = sorted(counts, key=int)
        shown: list[str | int] = []
        for wijk in wijken:
            row = by_cell[("wijk", wijk, period)]
            shown.append(int(row["waarde"]) if row["waarde"] is not None else row["weergave"])
        city_row = by_cell[("gemeente", CITY_CODE, period)]
        city = int(city_row["waarde"]) if city_row["waarde"] is not None else city_row["weergave"]
        hidden = [i for i, s in enumerate(shown) if isinstance(s, str)]
        assert len(hidden) <= 12  # brute force stays cheap
        assert recovered(shown, city, K, bound=max(counts.values()) + K) == {}

    # Opendatasoft v1 search with facets, v2.1 records, the native API, CSV: the same cells
    v1 = client.get("/api/records/1.0/search/", params={
        "dataset": DATASET, "rows": 100, "facet": ["indicator", "geoniveau", "periode"],
        "refine.indicator": "kleine_aantallen", "refine.periode": "2024"})
    assert v1.status_code == 200, v1.text
    body = v1.json()
    assert body["nhits"] == 26
    facets = {g["name"]: {f["name"]: f["count"] for f in g["facets"]}
              for g in body["facet_groups"]}
    assert facets["geoniveau"] == {"wijk": 25, "gemeente": 1}
    for record in body["records"]:
        fields = record["fields"]
        cell = tables["2024"].get(fields["geo_code"])
        if cell is not None and 0 < cell < K:
            assert "waarde" not in fields and fields["weergave"] == "< 5"
    v2 = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}/records", params={
        "where": "indicator = 'kleine_aantallen' and status = 'onder drempel'", "limit": 100})
    assert v2.status_code == 200, v2.text
    small = sum(1 for c in tables.values() for n in c.values() if 0 < n < K)
    assert v2.json()["total_count"] == small
    assert all(r["waarde"] is None for r in v2.json()["results"])
    native = client.get(f"/api/belfort/v1/datasets/{DATASET}/records", params={
        "status": "verborgen", "limit": 100})
    assert native.status_code == 200, native.text
    assert native.json()["records"] and all(r["waarde"] is None for r in native.json()["records"])
    exported = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}/exports/csv",
                          params={"where": "indicator = 'kleine_aantallen'"})
    assert exported.status_code == 200
    parsed = list(csv.DictReader(io.StringIO(exported.text), delimiter=";"))
    assert len(parsed) == len(rows)
    for row in parsed:
        if row["status"] in ("onder drempel", "verborgen"):
            assert row["waarde"] == ""


def test_the_dataset_follows_new_values_and_is_open_in_the_catalogue(counted: Any) -> None:
    client, platform, _tables = counted
    before = export_rows(client, where="indicator = 'kleine_aantallen' and geo_code = '3'"
                                       " and periode = '2025'")
    assert before == []
    save_counts(platform, "kleine_aantallen", {"2025": {str(w): 100 + w for w in range(1, 26)}})
    after = export_rows(client, where="indicator = 'kleine_aantallen' and geo_code = '3'"
                                      " and periode = '2025'")
    assert [r["waarde"] for r in after] == [103]

    modelled = export_rows(client, where="gemodelleerd = true", select="indicator",
                           group_by="indicator")
    assert modelled == [{"indicator": "gemodelleerd_cijfer"}]
    meta = client.get(f"/api/explore/v2.1/catalog/datasets/{DATASET}")
    assert meta.status_code == 200
    assert "gemodelleerd" in meta.text
    anonymous = client.get("/api/explore/v2.1/catalog/datasets",
                           params={"where": f"dataset_id = '{DATASET}'"})
    assert anonymous.json()["total_count"] == 1
    dcat = client.get("/catalog.ttl", params={"page_size": 100})
    assert dcat.status_code == 200
    assert f"/catalog/datasets/{DATASET}>" in dcat.text and "PUBLIC" in dcat.text
    assert "gemodelleerd" in dcat.text  # the keyword that labels the modelled rows


def test_values_are_grouped_per_period_for_the_attack() -> None:
    """The helper tables have small numbers in every period (the attack test has work)."""
    per_period: dict[int, int] = defaultdict(int)
    for year in (2022, 2023, 2024):
        per_period[year] = sum(1 for n in wijk_counts(year).values() if 0 < n < K)
    assert all(n >= 2 for n in per_period.values())
