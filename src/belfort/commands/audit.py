"""``belfort audit verify|checkpoint|list|public-key``: the tamper-evident audit trail.

``verify`` walks the whole chain and every checkpoint and exits 8 naming the first bad seq
when anything was altered, removed, inserted or reordered (0 when the log is intact).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import AuditChainBroken, AuditKeyInvalid, BelfortError

MAX_KEY_FILE_BYTES = 16_384


@click.group(name="audit")
def command() -> None:
    """The audit trail: verify the chain, sign a checkpoint, list entries."""


@command.command(name="verify")
@common_options
@click.option("--public-key", "public_keys", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also accept checkpoints signed with this public key (PEM or base64; an "
                   "earlier key). Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify_(data_dir: Path | None, database_url: str | None, public_keys: tuple[Path, ...],
            as_json: bool) -> None:
    """Check every entry and checkpoint; exit 8 naming the first bad seq."""
    from belfort.audit.log import audit_log
    from belfort.audit.signing import load_public_key
    from belfort.audit.verify import verify

    try:
        platform = _platform(_settings(data_dir, database_url))
        keys = [audit_log(platform).signer.public]
        for path in public_keys:
            if path.stat().st_size > MAX_KEY_FILE_BYTES:
                raise AuditKeyInvalid(f"{path.name}: larger than a public key file")
            keys.append(load_public_key(path.read_bytes()))
        with platform.db.session() as session:
            report = verify(session, keys)
        platform.close()
    except BelfortError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    if report.ok:
        if not as_json:
            click.echo(f"audit trail intact: {report.entries} entries, "
                       f"{report.checkpoints} signed checkpoints, last seq {report.last_seq}")
        return
    if not as_json:
        for problem in report.problems:
            console.print(f"seq {problem.seq}: {problem.message}")
    _fail(AuditChainBroken(f"the audit trail was tampered with: first bad seq "
                           f"{report.first_bad_seq}",
                           details={"first_bad_seq": report.first_bad_seq}))


@command.command(name="checkpoint")
@common_options
def checkpoint_(data_dir: Path | None, database_url: str | None) -> None:
    """Sign the chain's head now (an Ed25519 checkpoint)."""
    from belfort.audit.log import checkpoint

    try:
        platform = _platform(_settings(data_dir, database_url))
        made = checkpoint(platform)
        platform.close()
    except BelfortError as exc:
        _fail(exc)
        return
    if made is None:
        click.echo("nothing to sign: the log is empty or its head is signed already")
    else:
        click.echo(f"checkpoint at seq {made.seq}: {made.hash} (key {made.key_id[:16]}…)")


@command.command(name="list")
@common_options
@click.option("--dataset", default=None, help="Only entries about this dataset.")
@click.option("--actor", default=None, help="Only entries of this actor (e.g. key:ab12…).")
@click.option("--action", default=None, help="Only this action (read, ingest, …).")
@click.option("--since", default=None, help="From this ISO 8601 date or date-time (UTC).")
@click.option("--until", default=None, help="Up to this ISO 8601 date or date-time (UTC).")
@click.option("--limit", default=None, help="Entries to show, 1–500 (default 100).")
@click.option("--cursor", default=None, help="Continue below this seq (a page's next_cursor).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's answer).")
def list_(data_dir: Path | None, database_url: str | None, dataset: str | None,
          actor: str | None, action: str | None, since: str | None, until: str | None,
          limit: str | None, cursor: str | None, as_json: bool) -> None:
    """List entries of the audit trail, newest first."""
    from belfort.audit.query import list_entries, parse_query

    try:
        query = parse_query(dataset=dataset, actor=actor, action=action, since=since,
                            until=until, limit=limit, cursor=cursor)
        platform = _platform(_settings(data_dir, database_url))
        with platform.db.session() as session:
            page = list_entries(session, query)
        platform.close()
    except BelfortError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(page, ensure_ascii=False, indent=2))
        return
    for e in page["events"]:
        what = e["dataset"] or "-"
        rows = "" if e["rows"] is None else f"\t{e['rows']} rows"
        purpose = f"\tpurpose {e['purpose']}" if e["purpose"] else ""
        click.echo(f"{e['seq']}\t{e['at']}\t{e['actor']}\t{e['action']}\t{what}{rows}{purpose}")
    if page["next_cursor"]:
        click.echo(f"… more: --cursor {page['next_cursor']}")


@command.command(name="public-key")
@common_options
def public_key_(data_dir: Path | None, database_url: str | None) -> None:
    """Print the public key checkpoints are signed with (PEM)."""
    from belfort.audit.log import audit_log

    try:
        platform = _platform(_settings(data_dir, database_url))
        click.echo(audit_log(platform).signer.published()["public_key_pem"], nl=False)
        platform.close()
    except BelfortError as exc:
        _fail(exc)
