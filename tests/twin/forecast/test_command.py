"""``belfort twin backtest``: JSON on standard output, clear errors on bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from belfort.cli import main
from tests.twin.forecast import synthetic


def _said(stderr: str) -> str:
    return " ".join(stderr.split())  # the console wraps long lines


def test_backtest_prints_json(tmp_path: Path) -> None:
    path = synthetic.write(tmp_path / "c.csv", sensors=2, days=50)
    saved = tmp_path / "model.json"
    result = CliRunner().invoke(main, [
        "twin", "backtest", "--input", str(path), "--horizon", "12", "--origins", "2",
        "--no-mstl", "--save-model", str(saved),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["horizon_hours"] == 12
    assert report["models"]["belfort"]["hours_scored"] == 2 * 2 * 12
    assert json.loads(saved.read_text())["backtest"]["models"] == report["models"]


def test_bad_input_exits_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("sensor,when,n\n<script>,x,1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["twin", "backtest", "--input", str(path)])
    assert result.exit_code == 3
    assert "missing: sensor_id, timestamp, count" in _said(result.stderr)
    good = synthetic.write(tmp_path / "g.csv", sensors=1, days=2)
    for args, message in (
        (["--horizon", "0"], "--horizon must be 1 to 48"),
        (["--timezone", "Nowhere/\x00"], "unknown time zone"),
    ):
        result = CliRunner().invoke(main, ["twin", "backtest", "--input", str(good), *args])
        assert result.exit_code == 3, result.output
        assert message in _said(result.stderr)
    events = tmp_path / "events.csv"
    events.write_text("date,name\nsoon,x\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["twin", "backtest", "--input", str(good), "--events", str(events)])
    assert result.exit_code == 3
    assert "--events: line 2: not an ISO date" in _said(result.stderr)
    result = CliRunner().invoke(main, ["twin", "backtest", "--input", str(tmp_path / "none")])
    assert result.exit_code == 2  # click: the file does not exist


def test_last_origin_never_reads_the_test_window(tmp_path: Path) -> None:
    """A validation run (--last-origin) ends its origins at that day and reads nothing from
    the hour after its last horizon on: what follows cannot change its figures."""
    cutoff = datetime(2025, 3, 20, 12)  # last origin 2025-03-20 00:00 + 12 hours

    def wild(sensor: int, wall: datetime, i: int) -> float:
        return 10_000.0 + i if wall >= cutoff else round(synthetic.level(sensor, wall))

    plain = synthetic.write(tmp_path / "plain.csv", sensors=2, days=100)
    changed = synthetic.write(tmp_path / "changed.csv", sensors=2, days=100, value=wild)
    reports = []
    for path in (plain, changed):
        result = CliRunner().invoke(main, [
            "twin", "backtest", "--input", str(path), "--horizon", "12", "--origins", "3",
            "--no-mstl", "--last-origin", "2025-03-20",
        ])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.stdout))
    assert reports[0]["origins"]["last"] == "2025-03-20T00:00:00"
    assert reports[0]["origins"]["first"] == "2025-03-18T00:00:00"
    assert reports[0]["file_hours"]["last"] == "2025-03-20T11:00:00"
    assert reports[0]["models"] == reports[1]["models"]
    assert reports[0]["input"]["sensors"] == reports[1]["input"]["sensors"]


def test_bad_last_origin_is_refused(tmp_path: Path) -> None:
    good = synthetic.write(tmp_path / "g.csv", sensors=1, days=100)
    for value, code, message in (
        ("<script>alert(1)</script>", 2, "does not match the format"),
        ("2025-03-20\x00", 2, "does not match the format"),
        ("2025-01-05", 3, "the file is too short"),
    ):
        result = CliRunner().invoke(main, [
            "twin", "backtest", "--input", str(good), "--no-mstl", "--origins", "3",
            "--last-origin", value,
        ])
        assert result.exit_code == code, result.output
        assert message in _said(result.stderr)
