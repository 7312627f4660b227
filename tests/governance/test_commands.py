"""``belfort governance role|worklist|remind`` against a catalogue: set and clear roles,
refusals with their exit code, the worklist as JSON, no channel no digest."""

from __future__ import annotations

import json

from click.testing import CliRunner

from belfort.cli import main
from belfort.platform import Platform


def _common(platform: Platform) -> list[str]:
    s = platform.settings
    return ["--data-dir", str(s.data_dir), "--database-url", s.database_url or ""]


def test_roles_worklist_and_remind_from_the_command_line(governed: Platform) -> None:
    run = CliRunner().invoke
    args = _common(governed)
    done = run(main, ["governance", "role", "mobiliteit", "owner", "--organisation",
                      "--name", "Dienst Mobiliteit", "--email", "mob@stad.gent", *args])
    assert done.exit_code == 0, done.output
    assert run(main, ["governance", "role", "parkings", "boss", "--name", "x", *args]
               ).exit_code == 2
    assert run(main, ["governance", "role", "parkings", "owner", "--name", "Eve\nBcc: x", *args]
               ).exit_code == 2
    assert run(main, ["governance", "role", "nope", "owner", "--name", "x", *args]
               ).exit_code == 4
    listed = run(main, ["governance", "worklist", "--json", *args])
    assert listed.exit_code == 0, listed.output
    kinds = {(i["kind"], i["dataset_id"]) for i in json.loads(listed.stdout)}
    assert ("failing_rules", "parkings") in kinds
    assert run(main, ["governance", "role", "mobiliteit", "owner", "--organisation", "--clear",
                      *args]).exit_code == 0
    reminded = run(main, ["governance", "remind", *args])
    assert reminded.exit_code == 0 and "nothing sent" in reminded.output
