"""``belfort policies add|list|show|delete``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from belfort.cli import main
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv, write

CTX = "http://www.w3.org/ns/odrl.jsonld"
UID = "urn:belfort:policy:cli"


def test_add_list_show_delete(tmp_path: Path, database_url: str) -> None:
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                    metadata={"title_nl": "Tellingen"})
    finally:
        platform.close()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    runner = CliRunner()
    policy = {"@context": CTX, "uid": UID, "permission": [{
        "target": "tellingen", "assignee": "urn:belfort:organisation:ugent", "action": "read"}]}
    path = write(tmp_path / "p.jsonld", json.dumps(policy))
    added = runner.invoke(main, ["policies", "add", str(path), *where], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    again = runner.invoke(main, ["policies", "add", str(path), *where])
    assert again.exit_code != 0 and "exists already" in again.output
    assert runner.invoke(main, ["policies", "add", str(path), "--replace", "--disabled",
                                *where]).exit_code == 0
    listed = runner.invoke(main, ["policies", "list", "--json", *where])
    assert [(p["uid"], p["enabled"]) for p in json.loads(listed.output)] == [(UID, False)]
    assert UID in runner.invoke(main, ["policies", "list", *where]).output
    shown = runner.invoke(main, ["policies", "show", UID, *where])
    assert json.loads(shown.output) == policy
    assert runner.invoke(main, ["policies", "delete", UID, *where]).exit_code == 0
    gone = runner.invoke(main, ["policies", "show", UID, *where])
    assert gone.exit_code == 4


def test_bad_files(tmp_path: Path, database_url: str) -> None:
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    runner = CliRunner()
    bad = write(tmp_path / "bad.jsonld", json.dumps({
        "@context": CTX, "uid": UID, "permission": [{
            "target": "tellingen", "assignee": "urn:belfort:public", "action": "read",
            "constraint": [{"leftOperand": "purpose", "operator": "eq",
                            "rightOperand": "dpv:Nope"}]}]}))
    answer = runner.invoke(main, ["policies", "add", str(bad), *where])
    assert answer.exit_code == 2
    assert "permission[0].constraint[0].rightOperand" in answer.output
    binary = tmp_path / "binary.jsonld"
    binary.write_bytes(b"\xff\x00\xfe" * 10)
    assert runner.invoke(main, ["policies", "add", str(binary), *where]).exit_code == 2
    huge = write(tmp_path / "huge.jsonld", " " * 70_000)
    assert runner.invoke(main, ["policies", "add", str(huge), *where]).exit_code == 2
