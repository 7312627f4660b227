"""Opendatasoft's own JavaScript client (npm ``@opendatasoft/api-client``), run with Node
against a live Belfort. ``scripts/test`` installs it (``npm ci`` in tests/js)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT

JS_DIR = REPO_ROOT / "tests" / "js"


def _node() -> str:
    node = shutil.which("node")
    installed = (JS_DIR / "node_modules" / "@opendatasoft" / "api-client").is_dir()
    if node and installed:
        return node
    if os.environ.get("BELFORT_REQUIRE_NODE") == "1":
        pytest.fail("Node or @opendatasoft/api-client missing (scripts/test installs them)")
    pytest.skip("Node and `npm ci` in tests/js are needed (scripts/test does both)")


def test_explore_api_client(live_ghent: str) -> None:
    run = subprocess.run(
        [_node(), str(JS_DIR / "explore_client.mjs"), live_ghent],
        capture_output=True, text=True, timeout=120, cwd=JS_DIR,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    ids = {d["dataset_id"] for d in out["catalog"]["results"]}
    assert {"fietstelpalen-gent", "druktebarometer-info"} <= ids and "intern-register" not in ids
    assert out["dataset"]["dataset_id"] == "fietstelpalen-gent"
    records = out["records"]
    assert records["total_count"] >= 1 and len(records["results"]) <= 3
    assert set(records["results"][0]) == {"naam", "code"}
    names = [r["naam"] for r in records["results"]]
    assert names == sorted(names)
    grouped = out["grouped"]["results"]
    assert sum(g["n"] for g in grouped) == 9
    assert out["facets"]["facets"][0]["name"] == "eigenaar"
    assert out["error"] is not None and out["error"]["status"] == 400
