"""Fail when something a user can touch is undocumented (after Datasette's test_docs)."""

from __future__ import annotations

import re

import click

from belfort.catalog.options import METADATA_OPTIONS
from belfort.cli import main
from belfort.settings import Settings
from tests.conftest import REPO_ROOT
from tests.helpers import api_routes

DOCS = REPO_ROOT / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`BELFORT_{name.upper()}`" in text, f"BELFORT_{name.upper()} missing in docs/configuration.md"


def test_every_route_is_documented() -> None:
    text = "\n".join(p.read_text() for p in DOCS.glob("*.md"))
    routes = api_routes()
    assert len(routes) > 10
    for method, path in routes:
        assert f"`{method} {path}`" in text, f"{method} {path} missing in docs/"


def _commands(group: click.Group, prefix: str = "belfort") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_and_ingest_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for command in _commands(main):
        assert re.search(rf"`{re.escape(command)}\b", text), f"{command} missing in docs/cli.md"
    for option in METADATA_OPTIONS:
        flag = "--" + option.replace("_", "-")
        assert f"`{flag}`" in text, f"{flag} missing in docs/cli.md"
