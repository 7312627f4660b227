"""``belfort quality run|rules``: measuring from the command line, rules checked when saved."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from belfort.cli import main
from tests.helpers import write
from tests.quality.conftest import write_parkings


@pytest.fixture
def cli(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [*args, *where], catch_exceptions=False)

    return run


def test_ingest_then_run_and_replace_rules(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(write_parkings(tmp_path)), "--dataset", "parkings").exit_code == 0
    shown = cli("quality", "rules", "parkings")
    assert shown.exit_code == 0 and json.loads(shown.output)["inferred"] is True
    rules = write(
        tmp_path / "regels.json",
        json.dumps(
            {
                "rules": [
                    {"type": "check", "id": "bezetting-past", "where": "bezetting <= capaciteit"}
                ]
            }
        ),
    )
    assert cli("quality", "rules", "parkings", "--set", str(rules)).exit_code == 0
    result = cli("quality", "run", "parkings")
    assert result.exit_code == 0, result.output
    assert (
        "parkings v1: 6 rows" in result.output and "bezetting-past: 1 of 6 failing" in result.output
    )
    report = json.loads(cli("quality", "run", "--json").output)
    assert [r["dataset"] for r in report] == ["parkings"] and report[0]["status"] == "ok"


def test_ingest_ends_after_its_quality_measurement(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The version's measurement runs on a background thread; the command waits for it, so a
    slow measurement (a loaded machine) is not lost nor raced by the next command."""
    from belfort.quality import hook

    measure = hook.measure

    def slow_measure(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return measure(*args, **kwargs)

    monkeypatch.setattr(hook, "measure", slow_measure)
    assert cli("ingest", str(write_parkings(tmp_path)), "--dataset", "parkings").exit_code == 0
    assert json.loads(cli("quality", "rules", "parkings").output)["inferred"] is True


def test_errors_have_exit_codes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("quality", "run", "bestaat-niet").exit_code == 4
    cli("ingest", str(write_parkings(tmp_path)), "--dataset", "parkings")
    bad = write(
        tmp_path / "slecht.json", json.dumps({"rules": [{"type": "check", "where": "x >"}]})
    )
    result = cli("quality", "rules", "parkings", "--set", str(bad))
    assert result.exit_code == 2 and "does not parse" in result.output
    assert (
        cli("quality", "rules", "parkings", "--set", str(write(tmp_path / "x.json", "{"))).exit_code
        == 2
    )
