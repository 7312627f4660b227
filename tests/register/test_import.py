"""Moving a register in: ``belfort register import FILE`` (and the service under it) creates
or updates entries all or nothing and republishes the register; ``belfort register list``
and ``belfort register publish``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from belfort.errors import Conflict, InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.register import service, store
from belfort.register.dataset import REGISTER_DATASET
from belfort.register.demo import ACTIVITIES

ITEMS = [{"id": guid, **data} for guid, data in ACTIVITIES]


def entries(platform: Platform) -> dict[str, tuple[str, str]]:
    with platform.db.session() as session:
        return {a.id: (a.name, a.state) for a in store.list_activities(session, states=None)}


def test_import_creates_then_updates(platform: Platform) -> None:
    assert service.import_activities(platform, CLI_ADMIN, ITEMS) == (len(ITEMS), 0)
    changed = [{**ITEMS[0], "name": "Nieuwe naam"}, {**ITEMS[1], "state": "archived"},
               {**ACTIVITIES[2][1], "name": "Zonder id", "state": "draft"}]
    assert service.import_activities(platform, CLI_ADMIN, changed) == (1, 2)
    found = entries(platform)
    assert found[ITEMS[0]["id"]] == ("Nieuwe naam", "published")
    assert found[ITEMS[1]["id"]][1] == "archived"
    assert ("Zonder id", "draft") in found.values() and len(found) == len(ITEMS) + 1


@pytest.mark.parametrize(("items", "error", "message"), [
    ([], InvalidRequest, "non-empty JSON array"),
    ({"name": "x"}, InvalidRequest, "non-empty JSON array"),
    ([ITEMS[0], "tekst"], InvalidRequest, "entry 2: not a JSON object"),
    ([ITEMS[0], {**ITEMS[1], "audience": "iedereen"}], InvalidRequest, "entry 2: invalid processing activity"),
    ([ITEMS[0], {**ITEMS[1], "id": "not-a-guid"}], InvalidRequest, "entry 2: invalid processing activity identifier"),
    ([ITEMS[0], {"name": "Kaal"}], Conflict, "entry 2: a published processing activity needs"),
    ([{**ITEMS[0], "state": 3}], InvalidRequest, "entry 1: state and id are text"),
])
def test_bad_imports_store_nothing(platform: Platform, items: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        service.import_activities(platform, CLI_ADMIN, items)
    assert entries(platform) == {}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "belfort.cli", "register", *args], capture_output=True, text=True,
                          timeout=180)


def test_cli_import_list_and_publish(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    file = tmp_path / "register.json"
    file.write_text(json.dumps(ITEMS), encoding="utf-8")
    r = cli("import", str(file), "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert f"{len(ITEMS)} entries created, 0 updated" in r.stdout
    listed = cli("list", "--data-dir", data)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == len(ITEMS)
    assert "werknemer stad" in listed.stdout
    again = cli("publish", "--data-dir", data)
    assert again.returncode == 0 and f"{REGISTER_DATASET}: version 2, {len(ITEMS)} entries" in again.stdout
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    bad = cli("import", str(tmp_path / "bad.json"), "--data-dir", data)
    assert bad.returncode == InvalidRequest.exit_code and "not valid JSON" in bad.stderr
