"""Measuring a version: the counts and examples of every rule from one scan, inferred default
rules, failures recorded (never raised into publication), timeliness, reports over time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from belfort.catalog.models import QualityReport, Version
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.quality import hook, run, store
from belfort.quality.report import report_to_dict
from tests.quality.conftest import write_parkings

RULES = [
    {"type": "required", "field": "naam"},
    {"type": "unique", "field": "id"},
    {"type": "minimum", "field": "bezetting", "value": 0},
    {"type": "pattern", "field": "postcode", "value": "[0-9]{4}"},
    {"type": "enum", "field": "soort", "value": ["ondergronds", "bovengronds"]},
    {"type": "maxLength", "field": "naam", "value": 12},
    {"type": "check", "id": "bezetting-past", "where": "bezetting <= capaciteit"},
]


def latest(platform: Platform, dataset_id: str) -> dict:
    with platform.db.session() as session:
        report = store.latest_report(session, dataset_id)
        assert report is not None
        return report_to_dict(report, hidden=frozenset(), examples=True)


def by_id(report: dict) -> dict[str, dict]:
    return {r["id"]: r for r in report["rules"]}


def save(platform: Platform, dataset_id: str, rules: list) -> None:
    with platform.db.session() as session:
        from belfort.catalog.store import find_dataset

        dataset = find_dataset(session, dataset_id)
        store.replace_rules(session, dataset, rules, "test", max_rules=200, max_chars=2000)


def test_publication_measures_and_infers_default_rules(platform: Platform, parkings: str) -> None:
    report = latest(platform, parkings)
    assert report["status"] == "ok" and report["version"] == 1 and report["rows"] == 6
    assert report["trigger"] == "publish"
    results = by_id(report)
    # inferred: required where nothing is missing; id has duplicates, so it is not a key
    assert {"required:id", "required:postcode", "required:capaciteit", "required:soort"} <= set(
        results
    )
    assert "unique:id" not in results
    assert results["missing:naam"]["failing"] == 1 and results["missing:bezetting"]["failing"] == 1
    assert report["dimensions"]["completeness"]["failing"] == 2
    with platform.db.session() as session:
        assert store.rule_set(session, parkings).inferred is True


def test_every_rule_counted_with_examples(platform: Platform, parkings: str) -> None:
    save(platform, parkings, RULES)
    report_id = run.measure(platform, parkings, trigger="cli")
    assert report_id is not None
    results = by_id(latest(platform, parkings))
    assert results["required:naam"]["failing"] == 1
    assert results["required:naam"]["examples"] == [{"row": 3, "values": {"naam": ""}}]
    assert results["unique:id"]["failing"] == 1
    assert results["unique:id"]["examples"] == [{"values": {"id": "3"}, "count": 2}]
    assert results["minimum:bezetting"]["failing"] == 0
    assert results["pattern:postcode"]["failing"] == 1
    assert results["pattern:postcode"]["examples"][0] == {"row": 4, "values": {"postcode": "ABCD"}}
    assert results["enum:soort"]["failing"] == 1
    assert results["maxLength:naam"]["failing"] == 1  # Sint-Michiels
    past = results["bezetting-past"]
    assert past["failing"] == 1 and past["dimension"] == "consistency"
    assert past["examples"] == [{"row": 2, "values": {"bezetting": "700", "capaciteit": "450"}}]
    assert past["share"] == pytest.approx(1 / 6, abs=1e-6)


def test_a_profile_that_fails_is_recorded_not_raised(platform: Platform, parkings: str) -> None:
    with platform.db.session() as session:
        version = session.scalar(select(Version).where(Version.dataset_id == parkings))
        path = platform.lake.absolute(version.path)
    path.write_bytes(b"not parquet")  # a damaged lake file
    assert run.measure(platform, parkings, trigger="cli") is not None
    report = latest(platform, parkings)
    assert report["status"] == "failed" and report["error"]
    assert report["rules"] == []


def test_publication_is_not_failed_by_measuring(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the profiler broke")

    monkeypatch.setattr(platform.engine, "profile", broken)
    outcome = ingest_file(
        platform, CLI_ADMIN, "parkings", write_parkings(tmp_path), metadata={"title_nl": "Parkings"}
    )
    assert outcome.published
    hook.wait(platform)
    report = latest(platform, "parkings")
    assert report["status"] == "failed" and "the profiler broke" in report["error"]


def test_reports_form_a_time_series(platform: Platform, parkings: str, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, parkings, write_parkings(tmp_path))
    hook.wait(platform)
    with platform.db.session() as session:
        reports = store.history(session, parkings, 10)
        assert [r.version for r in reports] == [1, 2]
        assert reports[0].measured_at <= reports[1].measured_at
        assert session.scalar(select(QualityReport.id).where(QualityReport.version == 2))


def test_timeliness_against_the_declared_frequency(platform: Platform, parkings: str) -> None:
    with platform.db.session() as session:
        from belfort.catalog.store import find_dataset

        dataset = find_dataset(session, parkings)
        dataset.frequency = "daily"
        dataset.versions[0].created_at = datetime.now(UTC) - timedelta(days=3)
    run.measure(platform, parkings, trigger="cli")
    report = latest(platform, parkings)
    assert report["timeliness"]["on_time"] is False
    assert report["timeliness"]["expected_seconds"] == 36 * 3600
    assert report["dimensions"]["timeliness"]["score"] == 0.0
    with platform.db.session() as session:
        find_dataset(session, parkings).versions[0].created_at = datetime.now(UTC)
    run.measure(platform, parkings, trigger="cli")
    assert latest(platform, parkings)["timeliness"]["on_time"] is True


def test_catastrophic_pattern_runs_in_linear_time(platform: Platform, tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{'a' * 2000}!" for i in range(500))
    ingest_file(
        platform,
        CLI_ADMIN,
        "lang",
        write_parkings(tmp_path, "id,tekst\n" + rows + "\n"),
        metadata={"title_nl": "Lang"},
    )
    hook.wait(platform)
    save(
        platform,
        "lang",
        [
            {"type": "pattern", "field": "tekst", "value": "(a+)+$"},
            {"type": "pattern", "field": "tekst", "id": "alt", "value": "(a|aa)*b"},
        ],
    )
    started = time.perf_counter()
    run.measure(platform, "lang", trigger="cli")
    assert time.perf_counter() - started < 10
    results = by_id(latest(platform, "lang"))
    assert results["pattern:tekst"]["failing"] == 500 and results["alt"]["failing"] == 500


def test_a_time_budget_stops_a_long_profile(platform: Platform) -> None:
    import duckdb

    from belfort.errors import QueryTimeout
    from belfort.query.profile import Measure
    from belfort.schema import Field, TableSchema

    path = platform.lake.versions_dir / "groot.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect().execute(
        "COPY (SELECT range AS n, md5(CAST(range AS VARCHAR)) AS t FROM range(4000000)) "
        f"TO '{path}'"
    )
    schema = TableSchema(fields=(Field(name="n", type="integer"), Field(name="t", type="string")))
    measures = [Measure(f"p{i}", pattern=("t", f"(a|b|{i})*[0-9]+.*")) for i in range(10)]
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        platform.engine.profile(measures, schema, path, examples=5, timeout_seconds=0.2)
    assert time.perf_counter() - started < 5
