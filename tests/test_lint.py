"""The checkers run with the tests (and so in CI, through ``.ci/run``): ruff over the
code and the tests, with the rules and the 100-character lines ``pyproject.toml``
declares, and mypy over ``src/`` with the settings under ``[tool.mypy]``. Each runs as a
subprocess from the test environment and the test fails with its output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent


def _run(*command: str, timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


def test_ruff() -> None:
    done = _run(str(BIN / "ruff"), "check", "--no-cache", "src", "tests", timeout=300)
    assert done.returncode == 0, f"ruff check src tests:\n{done.stdout}{done.stderr}"


@pytest.mark.slow  # about a minute cold
def test_mypy() -> None:
    done = _run(sys.executable, "-m", "mypy", "src", timeout=900)
    assert done.returncode == 0, f"mypy src:\n{done.stdout}{done.stderr}"
