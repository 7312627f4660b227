"""The whole run's secret check (tests/secret_log_check.py) fails a run whose logs hold a key,
also when the suite runs on several xdist workers, as scripts/test runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

LEAKY = '''
import logging

def test_one_that_logs_a_key():
    logging.getLogger("belfort.somewhere").warning("key bfk_%s", "A" * 24)

def test_a_clean_one():
    logging.getLogger("belfort.somewhere").warning("nothing to see")
'''


def _run(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.secret_log_check", "-p", "no:cacheprovider",
         "-c", os.devnull, "--rootdir", str(directory), *arguments, str(directory)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "two-workers"])
def test_a_key_in_any_workers_log_fails_the_run(tmp_path: Path, workers: list[str]) -> None:
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    result = _run(tmp_path, *workers)
    assert "2 passed" in result.stdout, result.stdout
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "logger 'belfort.somewhere' logged bfk_AAAAAAAA" in result.stdout
    assert "test_leaky.py::test_one_that_logs_a_key" in result.stdout


def test_a_clean_run_passes_on_two_workers(tmp_path: Path) -> None:
    (tmp_path / "test_clean.py").write_text(LEAKY.split("def test_one")[0]
                                            + "def test_clean():\n    assert True\n")
    result = _run(tmp_path, "-n", "2")
    assert result.returncode == 0, result.stdout
