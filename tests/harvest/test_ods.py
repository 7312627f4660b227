"""``belfort harvest ods``: one live Belfort (loaded with the Ghent data) harvested into
another through the Explore API v2.1 — same catalogue, same records; incremental and
resumable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from belfort.errors import InvalidRequest
from belfort.harvest.ods import harvest_ods
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.query.model import FieldRef, OrderItem, Query
from belfort.schema import TableSchema
from belfort.settings import Settings
from tests.ghent_fixtures import CROWD_GAUGE
from tests.helpers import write


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Platform]:
    platform = Platform(Settings(data_dir=tmp_path / "doel"))
    yield platform
    platform.close()


def catalogue(platform: Platform) -> dict[str, dict]:
    with platform.db.session() as session:
        return {
            d.id: {"title": d.title_nl, "organisation": d.organisation, "themes": d.themes,
                   "keywords": d.keywords, "licence": d.licence}
            for d in session.scalars(gate.visible_datasets(ANONYMOUS))
        }


def records(platform: Platform, dataset_id: str) -> tuple[list[tuple[str, str]], list[dict]]:
    with platform.db.session() as session:
        _, version = gate.readable_version(session, ANONYMOUS, dataset_id)
        schema = TableSchema.from_dict(version.table_schema)
        path = platform.lake.absolute(version.path)
    order = tuple(OrderItem(FieldRef(f.name)) for f in schema.fields if f.type not in {"geopoint", "geometry"})
    rows = platform.engine.execute(Query(order_by=order), schema, path).records()
    return [(f.name, f.type) for f in schema.fields], rows


def test_harvest_copies_catalogue_and_records(ghent: Platform, live_ghent: str, target: Platform) -> None:
    results = list(harvest_ods(target, live_ghent))
    assert all(r.status == "harvested" for r in results), results
    source = catalogue(ghent)
    assert catalogue(target) == source
    assert "intern-register" not in source  # what anonymous callers cannot see is not harvested
    for dataset_id in source:
        assert records(target, dataset_id) == records(ghent, dataset_id), dataset_id

    again = list(harvest_ods(target, live_ghent))
    assert {r.status for r in again} == {"unchanged"}

    # a new version at the source is fetched again; nothing else is
    newer = CROWD_GAUGE + "10,Rustig na de Feesten,2024-07-30T10:00:00+02:00\n"
    ingest_file(ghent, CLI_ADMIN, "druktebarometer-info", write(ghent.settings.data_dir / "d2.csv", newer))
    third = {r.dataset_id: r.status for r in harvest_ods(target, live_ghent)}
    assert third.pop("druktebarometer-info") == "harvested"
    assert set(third.values()) == {"unchanged"}
    assert len(records(target, "druktebarometer-info")[1]) == 4


def test_interrupted_harvest_resumes(ghent: Platform, live_ghent: str, target: Platform) -> None:
    run = harvest_ods(target, live_ghent)
    first = [next(run), next(run)]  # the process "dies" after two datasets
    run.close()
    assert [r.status for r in first] == ["harvested", "harvested"]
    rest = {r.dataset_id: r.status for r in harvest_ods(target, live_ghent)}
    assert all(rest[r.dataset_id] == "unchanged" for r in first)
    assert list(rest.values()).count("harvested") == len(rest) - 2


def test_only_selected_datasets_and_bad_urls(ghent: Platform, live_ghent: str, target: Platform) -> None:
    results = list(harvest_ods(target, live_ghent, only=["fietstelpalen-gent"]))
    assert [(r.dataset_id, r.status) for r in results] == [("fietstelpalen-gent", "harvested")]
    with pytest.raises(InvalidRequest):
        list(harvest_ods(target, "file:///etc/passwd"))


def test_the_sources_time_zone_is_harvested(ghent: Platform, live_ghent: str, target: Platform) -> None:
    from belfort.catalog.models import Dataset
    from belfort.publishing import update_dataset_metadata

    update_dataset_metadata(ghent, CLI_ADMIN, "fietstelpalen-gent", {"timezone": "Europe/London"})
    results = list(harvest_ods(target, live_ghent, only=["fietstelpalen-gent", "druktebarometer-info"]))
    assert {r.status for r in results} == {"harvested"}, results
    with target.db.session() as session:
        zones = {d.id: d.timezone for d in session.query(Dataset)}
        version_zone = session.get(Dataset, "fietstelpalen-gent").versions[-1].source_details["timezone"]  # type: ignore[union-attr]
    assert zones == {"fietstelpalen-gent": "Europe/London", "druktebarometer-info": "Europe/Brussels"}
    assert version_zone == "Europe/London"


@pytest.mark.parametrize(("meta", "expected"), [
    ({"timezone": "Europe/Paris"}, "Europe/Paris"),
    ({"timezone": " UTC "}, "UTC"),
    ({"timezone": None}, None),
    ({"timezone": "Mars/Olympus"}, None),
    ({"timezone": "../../etc"}, None),
    ({"timezone": ["Europe/Paris"]}, None),
    ({}, None),
])
def test_timezone_meta_is_taken_only_when_it_names_a_zone(meta: dict, expected: str | None) -> None:
    from belfort.harvest.ods import _metadata

    metadata = _metadata({"dataset_id": "x", "metas": {"default": {"title": "X", **meta}}})
    assert metadata.get("timezone") == expected


def test_a_hostile_export_is_a_failed_dataset_and_the_harvest_goes_on(tmp_path: Path) -> None:
    """Issue 11: the portal's export was downloaded without any limit (a compressed answer
    could inflate without end); now past BELFORT_MAX_UPLOAD_BYTES, and files past an ingest
    limit, are that dataset's failure."""
    import gzip
    import json

    import httpx

    bomb = gzip.compress(b"a\n" + b"0" * 20_000_000)
    exports = {
        "bom": httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"}),
        "breed": httpx.Response(200, content=(",".join(f"k{i}" for i in range(300)) + "\n").encode()),
        "goed": httpx.Response(200, content=b"a;b\n1;2\n"),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/catalog/datasets"):
            results = [{"dataset_id": name, "metas": {"default": {"title": name}}} for name in exports]
            return httpx.Response(200, content=json.dumps({"total_count": 3, "results": results}))
        if path.endswith("/exports/parquet"):
            return httpx.Response(404)
        return exports[path.split("/")[-3]]

    platform = Platform(Settings(data_dir=tmp_path / "doel", max_upload_bytes=1_000_000,
                                 ingest_max_columns=100))
    try:
        client = httpx.Client(transport=httpx.MockTransport(answer))
        results = {r.dataset_id: r for r in harvest_ods(platform, "http://portaal.test", client=client)}
        assert {k: r.status for k, r in results.items()} == {
            "bom": "failed", "breed": "failed", "goed": "harvested"}
        assert "larger than the limit" in results["bom"].detail
        assert "300 columns" in results["breed"].detail
        assert list(catalogue(platform)) == ["goed"]
    finally:
        platform.close()
