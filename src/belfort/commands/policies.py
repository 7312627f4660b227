"""``belfort policies add|list|show|delete``: ODRL policies (JSON-LD files) at the server's
own command line (as the operator, an admin; docs/access.md "Policies (ODRL)")."""

from __future__ import annotations

import json
from pathlib import Path

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError, PayloadTooLarge
from belfort.policy.odrl import MAX_BYTES


@click.group(name="policies")
def command() -> None:
    """ODRL policies on datasets: add, list, show, delete."""


@command.command(name="add")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace the policy with the same uid.")
@click.option("--disabled", is_flag=True, help="Store it without applying it (yet).")
def add(data_dir: Path | None, database_url: str | None, file: Path, replace: bool,
        disabled: bool) -> None:
    """Add the ODRL policy in FILE (JSON-LD)."""
    from belfort.policy.policies import save
    from belfort.policy.principals import CLI_ADMIN

    platform = _platform(_settings(data_dir, database_url))
    try:
        if file.stat().st_size > MAX_BYTES:
            raise PayloadTooLarge(f"{file.name}: a policy is at most {MAX_BYTES} bytes")
        stored = save(platform, CLI_ADMIN, file.read_bytes(), create=None if replace else True,
                      enabled=not disabled)
    except BelfortError as exc:
        _fail(exc)
        return
    console.print(f"policy {stored.uid} on {stored.dataset} "
                  f"{'stored' if replace else 'added'}", markup=False)


@command.command(name="list")
@common_options
@click.option("--dataset", default=None, help="Only this dataset's policies.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(data_dir: Path | None, database_url: str | None, dataset: str | None,
          as_json: bool) -> None:
    """List the policies."""
    from belfort.policy.policies import list_policies

    platform = _platform(_settings(data_dir, database_url))
    with platform.db.session() as session:
        found = [p.summary() for p in list_policies(session, dataset)]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for p in found:
        state = "enabled" if p["enabled"] else "disabled"
        click.echo(f"{p['uid']}\t{p['dataset']}\t{p['type']}\t{state}\t"
                   f"until {p['expires_at'] or '-'}")


@command.command(name="show")
@common_options
@click.argument("uid")
def show(data_dir: Path | None, database_url: str | None, uid: str) -> None:
    """Print the policy UID as JSON-LD."""
    from belfort.policy.policies import get_policy

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            stored = get_policy(session, uid)
    except BelfortError as exc:
        _fail(exc)
        return
    click.echo(stored.source)


@command.command(name="delete")
@common_options
@click.argument("uid")
def delete(data_dir: Path | None, database_url: str | None, uid: str) -> None:
    """Delete the policy UID."""
    from belfort.policy.policies import remove
    from belfort.policy.principals import CLI_ADMIN

    platform = _platform(_settings(data_dir, database_url))
    try:
        remove(platform, CLI_ADMIN, uid)
    except BelfortError as exc:
        _fail(exc)
        return
    console.print(f"policy {uid} deleted", markup=False)
