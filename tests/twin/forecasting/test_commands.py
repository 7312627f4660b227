"""``belfort twin train|forecast|models``: JSON on standard output, a clear refusal with too
little history, usage errors (exit 2) for bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from belfort.cli import main


def _common(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"),
            "--database-url", f"sqlite:///{tmp_path / 'catalog.sqlite'}"]


def test_train_refuses_without_history_and_models_lists_none(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["twin", "train", *_common(tmp_path), "--rounds", "5"])
    assert result.exit_code != 0
    assert "too little history" in " ".join(result.stderr.split())
    listed = CliRunner().invoke(main, ["twin", "models", *_common(tmp_path)])
    assert listed.exit_code == 0 and json.loads(listed.stdout) == {"models": []}
    made = CliRunner().invoke(main, ["twin", "forecast", *_common(tmp_path)])
    assert made.exit_code == 0 and json.loads(made.stdout)["model"] is None


@pytest.mark.parametrize("args", [["--origins", "0"], ["--origins", "29"],
                                  ["--origins", "99999999999999999999999"],
                                  ["--rounds", "abc"], ["--rounds", "0"],
                                  ["--threads", "<script>"], ["--origins", "1\x00"]])
def test_bad_train_arguments_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["twin", "train", *_common(tmp_path), *args])
    assert result.exit_code == 2, result.output
