"""``belfort governance role|worklist|remind``: set who is responsible for a dataset or an
organisation, print the steward's worklist, send the due reminder digests now
(``belfort.governance``, docs/governance.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from belfort.catalog.models import utcnow
from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError
from belfort.governance import roles as governance_roles
from belfort.governance import worklist
from belfort.governance.reminders import send_reminders
from belfort.mqa.service import points_of
from belfort.policy.principals import CLI_ADMIN
from belfort.policy.server_secret import server_secret


@click.group(name="governance")
def command() -> None:
    """Data governance: roles, the steward's worklist, reminders."""


@command.command(name="role")
@common_options
@click.argument("target")
@click.argument("role")
@click.option("--organisation", "is_organisation", is_flag=True,
              help="TARGET is an organisation's slug (its datasets' default), not a dataset.")
@click.option("--name", default=None, help="The person or team.")
@click.option("--email", default=None, help="Their contact e-mail address.")
@click.option("--public", is_flag=True, help="Show the e-mail address publicly.")
@click.option("--clear", is_flag=True, help="Remove the role.")
def role_command(target: str, role: str, is_organisation: bool, name: str | None,
                 email: str | None, public: bool, clear: bool, data_dir: Path | None,
                 database_url: str | None) -> None:
    """Set (or --clear) ROLE (owner, steward, custodian, dpo) of TARGET, a dataset id (or an
    organisation's slug with --organisation); audited."""
    scope = "organisation" if is_organisation else "dataset"
    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            if clear:
                governance_roles.clear_role(session, CLI_ADMIN.actor, scope, target, role)
            else:
                governance_roles.set_role(session, CLI_ADMIN.actor, scope, target, role,
                                          {"name": name or "", "email": email,
                                           "email_public": public})
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    console.print(f"{scope} {target}: {role} {'removed' if clear else 'set'}")


@command.command(name="worklist")
@common_options
@click.option("--organisation", default=None, help="Only this organisation (slug or name).")
@click.option("--json", "as_json", is_flag=True, help="Print the items as the API's JSON.")
def worklist_command(organisation: str | None, as_json: bool, data_dir: Path | None,
                     database_url: str | None) -> None:
    """Print the steward's worklist of every dataset (or one organisation's)."""
    platform = _platform(_settings(data_dir, database_url))
    try:
        s = platform.settings
        with platform.db.session() as session:
            datasets = worklist.datasets_in_scope(session, CLI_ADMIN, organisation)
            items = worklist.items_of(session, datasets, utcnow(),
                                      review_months=s.governance_review_months,
                                      mqa_min=s.governance_mqa_min,
                                      mqa_scores=lambda ids: points_of(platform, ids))
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in items], ensure_ascii=False, default=str))
        return
    for item in items:
        console.print(f"{item.kind}: {item.dataset_id} ({item.title}) → {item.link}")
    console.print(f"{len(items)} item(s)")


@command.command(name="remind")
@common_options
def remind_command(data_dir: Path | None, database_url: str | None) -> None:
    """Send the stewards' due reminder digests now (as the upkeep process does); exit 1 when
    one could not be delivered."""
    platform = _platform(_settings(data_dir, database_url))
    try:
        s = platform.settings
        secret = (s.alerts_webhook_secret.encode("utf-8") if s.alerts_webhook_secret
                  else server_secret(s.secret_key, s.data_dir))
        outcomes = send_reminders(platform, utcnow(), secret,
                                  lambda ids: points_of(platform, ids))
    finally:
        platform.close()
    for outcome in outcomes:
        console.print(f"{outcome.recipient}: {outcome.reason}")
    if not s.alerts_smtp_host and not s.governance_webhook_url:
        console.print("no channel configured (BELFORT_ALERTS_SMTP_HOST, "
                      "BELFORT_GOVERNANCE_WEBHOOK_URL): nothing sent")
    if any(o.reason.startswith("failed") for o in outcomes):
        raise SystemExit(1)
