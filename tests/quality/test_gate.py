"""The publication gate: a version below its classification's minimum quality is not published
(422 / exit code 9 / the staff page says why), the previous published version stays, the
refusal is audited; an override needs a written reason, is audited and kept on the version."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent, Dataset, Version
from belfort.errors import InvalidRequest, QualityGateBlocked
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file, publish_dataset_version
from belfort.quality import gate
from belfort.settings import Settings, gate_thresholds
from tests.conftest import TEST_BASE
from tests.quality.conftest import PARKINGS, write_parkings

# saved rules on PARKINGS (6 rows): postcode pattern fails 1 (16.7 %), enum soort fails 1
RULES = [
    {"type": "pattern", "id": "postcode", "field": "postcode", "value": "[0-9]{4}"},
    {"type": "enum", "id": "soort", "field": "soort", "value": ["ondergronds", "bovengronds"]},
]
CLEAN = PARKINGS.replace("ABCD", "9000").replace("fietsenstalling", "ondergronds")
REASON = "Known postcode typo, fixed at the source next week"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
        quality_on_publish=False,
        quality_gate_max_failing_percent="open=10,internal=50",
        quality_gate_min_score="open=0.5",
    )


def _first_version(platform: Platform, tmp_path: Path) -> None:
    """Version 1 clean and published, then the rules saved."""
    from belfort.catalog.store import find_dataset
    from belfort.quality import store

    ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path, CLEAN),
                metadata={"title_nl": "Parkings"})
    with platform.db.session() as session:
        store.replace_rules(session, find_dataset(session, "parkings"), RULES, "test",
                            max_rules=200, max_chars=2000)


def _audit(platform: Platform, action: str) -> list[AuditEvent]:
    with platform.db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_thresholds_parse_and_refuse_bad_values() -> None:
    assert gate_thresholds("open=5, internal=10.5", high=100) == {"open": 5.0, "internal": 10.5}
    assert gate_thresholds("", high=1) == {}
    for bad in ("open", "secret=1", "open=x", "open=101", "open=nan", "open=-1", "open=inf"):
        with pytest.raises(ValueError):
            gate_thresholds(bad, high=100)
    with pytest.raises(ValueError):
        Settings(quality_gate_min_score="open=2")


def test_blocked_ingest_keeps_the_published_version_and_is_audited(
    platform: Platform, tmp_path: Path
) -> None:
    _first_version(platform, tmp_path)
    with pytest.raises(QualityGateBlocked) as caught:
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path), trigger="harvest")
    exc = caught.value
    assert exc.http_status == 422 and exc.exit_code == 9
    assert "'postcode' fails on 16.6667 % of rows (at most 10 %)" in exc.message
    failing = {f.get("rule") for f in exc.details["failing"]}
    assert failing == {"postcode", "soort"}
    assert exc.details["classification"] == "open" and exc.details["rows"] == 6
    with platform.db.session() as session:
        dataset = session.get(Dataset, "parkings")
        assert dataset is not None and dataset.published_version == 1
        assert [v.number for v in dataset.versions] == [1]  # nothing kept
    [entry] = _audit(platform, "quality_gate_blocked")
    assert entry.dataset_id == "parkings" and entry.detail["trigger"] == "harvest"
    assert entry.detail["failing_count"] == 2


def test_override_needs_a_reason_and_is_audited_and_kept(
    platform: Platform, tmp_path: Path
) -> None:
    _first_version(platform, tmp_path)
    with pytest.raises(InvalidRequest, match="at least 20 characters"):
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                    override_reason="  because  ")
    outcome = ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                          override_reason=REASON)
    assert outcome.published and outcome.version == 2
    with platform.db.session() as session:
        version = session.scalar(select(Version).where(Version.number == 2))
        assert version is not None and version.quality_gate is not None
        record = version.quality_gate
        assert record["verdict"] == "overridden" and record["reason"] == REASON
        assert record["by"] == CLI_ADMIN.actor and record["failing_count"] == 2
        first = session.scalar(select(Version).where(Version.number == 1))
        assert first is not None and first.quality_gate["verdict"] == "passed"
    [entry] = _audit(platform, "quality_gate_override")
    assert entry.detail["reason"] == REASON and entry.detail["version"] == 2
    assert {f["rule"] for f in entry.detail["failing"] if "rule" in f} == {"postcode", "soort"}


def test_drafts_pass_and_publishing_them_is_gated(platform: Platform, tmp_path: Path) -> None:
    _first_version(platform, tmp_path)
    draft = ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path), draft=True)
    assert not draft.published and draft.version == 2
    with pytest.raises(QualityGateBlocked):
        publish_dataset_version(platform, CLI_ADMIN, "parkings", 2)
    with platform.db.session() as session:
        assert session.get(Dataset, "parkings").published_version == 1  # type: ignore[union-attr]
    publish_dataset_version(platform, CLI_ADMIN, "parkings", 2, REASON)
    with platform.db.session() as session:
        assert session.get(Dataset, "parkings").published_version == 2  # type: ignore[union-attr]
    assert len(_audit(platform, "quality_gate_blocked")) == 1
    assert len(_audit(platform, "quality_gate_override")) == 1


def test_each_classification_has_its_own_minimum(platform: Platform, tmp_path: Path) -> None:
    _first_version(platform, tmp_path)
    reason = "Internal data: only staff use it, the typo is documented"
    changes = {"classification": "internal", "restriction_reason": "privacy",
                                             "classification_reason": reason}
    # internal: at most 50 % failing and no score limit; 16.7 % passes
    outcome = ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                          metadata=changes)
    assert outcome.published
    verdict = gate.evaluate(platform, "parkings", "confidential", gate.Staged(
        tmp_path, gate.TableSchema(fields=()), {}, 0))
    assert verdict is None  # no limit for confidential: nothing measured


def test_the_minimum_score_of_a_dimension_blocks(platform: Platform, tmp_path: Path) -> None:
    from belfort.catalog.store import find_dataset
    from belfort.quality import store

    _first_version(platform, tmp_path)
    with platform.db.session() as session:  # 4 of 6 rows fail: 33 % passing < 0.5
        store.replace_rules(session, find_dataset(session, "parkings"),
                            [{"type": "maximum", "field": "bezetting", "value": 40}],
                            "test", max_rules=200, max_chars=2000)
    settings = platform.settings.model_copy(update={"quality_gate_max_failing_percent": ""})
    platform.settings = settings
    with pytest.raises(QualityGateBlocked, match="validity scores 0.333333 \\(at least 0.5\\)"):
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path, CLEAN))


def test_api_answers_422_and_publishes_with_a_reason(
    client: TestClient, platform: Platform, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    _first_version(platform, tmp_path)
    body = PARKINGS.encode()
    url = "/api/belfort/v1/datasets/parkings/ingest"
    headers = {**admin_headers, "Content-Type": "text/csv"}
    r = client.post(url, content=body, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "quality_gate_blocked"
    assert {f.get("rule") for f in r.json()["failing"]} == {"postcode", "soort"}
    r = client.post(url, params={"override_reason": "short"}, content=body, headers=headers)
    assert r.status_code == 400 and "at least 20" in r.json()["message"]
    for hostile in ("x" * 2001, "a reason with a NUL \x00 byte in the middle of it"):
        r = client.post(url, params={"override_reason": hostile}, content=body, headers=headers)
        assert r.status_code == 400, r.text
    r = client.post(url, params={"draft": "true"}, content=body, headers=headers)
    assert r.status_code == 201 and r.json()["version"] == 2
    publish = "/api/belfort/v1/datasets/parkings/versions/2/publish"
    assert client.post(publish, headers=admin_headers).status_code == 422
    for bad in (b"[1]", b'{"override_reason": 5}', b'{"other": 1}', b"{", b"x" * 20_000):
        assert client.post(publish, content=bad, headers=admin_headers).status_code in {400, 413}
    r = client.post(publish, json={"override_reason": REASON}, headers=admin_headers)
    assert r.status_code == 200, r.text
    staff = client.get("/api/belfort/v1/datasets/parkings", headers=admin_headers).json()
    gated = {v["number"]: v["quality_gate"] for v in staff["versions"]}
    assert gated[2]["verdict"] == "overridden" and gated[2]["reason"] == REASON
    assert gated[2]["failing"] and gated[1]["verdict"] == "passed"
    public = client.get("/api/belfort/v1/datasets/parkings").json()
    shown = {v["number"]: v["quality_gate"] for v in public["versions"]}
    assert shown[2] == {"verdict": "overridden", "at": gated[2]["at"], "classification": "open",
                        "reason": REASON}  # not the rules at fault


def test_cli_exits_9_when_blocked(platform: Platform, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from belfort.cli import main

    _first_version(platform, tmp_path)
    s = platform.settings
    env = {"BELFORT_QUALITY_GATE_MAX_FAILING_PERCENT": "open=10",
           "BELFORT_QUALITY_ON_PUBLISH": "false"}
    args = ["--data-dir", str(s.data_dir), "--database-url", s.database_url]
    runner = CliRunner()
    blocked = runner.invoke(main, ["ingest", str(write_parkings(tmp_path)), "--dataset",
                                   "parkings", *args], env=env)
    assert blocked.exit_code == 9, blocked.output
    assert "postcode" in blocked.output
    passed = runner.invoke(main, ["ingest", str(write_parkings(tmp_path)), "--dataset",
                                  "parkings", "--override-reason", REASON, *args], env=env)
    assert passed.exit_code == 0, passed.output
    assert "version 2" in passed.output
