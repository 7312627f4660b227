"""``belfort quality run|rules``: measure datasets' data quality now; read or replace a
dataset's rules (``belfort.quality``, docs/quality.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from belfort.catalog.models import Dataset, Version
from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError, InvalidRequest, NotFound, PayloadTooLarge
from belfort.policy.principals import CLI_ADMIN
from belfort.quality import references, store
from belfort.quality.report import report_to_dict, rules_to_dict
from belfort.quality.rules import referenced_datasets
from belfort.quality.run import measure

MAX_RULES_FILE = 4_000_000


@click.group(name="quality")
def command() -> None:
    """Data quality: measure datasets now, read or replace their rules."""


@command.command(name="run")
@common_options
@click.argument("dataset_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the report(s) as the API's JSON.")
def run_command(
    dataset_id: str | None, as_json: bool, data_dir: Path | None, database_url: str | None
) -> None:
    """Measure DATASET_ID (every dataset with a version when left out) and print the scores;
    exit 1 when a measurement failed."""
    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            if dataset_id is None:
                ids = list(
                    session.scalars(
                        select(Dataset.id)
                        .where(Dataset.id.in_(select(Version.dataset_id)))
                        .order_by(Dataset.id)
                    )
                )
            elif session.get(Dataset, dataset_id) is None:
                raise NotFound(f"dataset {dataset_id[:100]!r} not found")
            else:
                ids = [dataset_id]
        reports = []
        for one in ids:
            if measure(platform, one, trigger="cli") is None:
                continue
            with platform.db.session() as session:
                report = store.latest_report(session, one)
                assert report is not None
                reports.append(report_to_dict(report, hidden=frozenset(), examples=True))
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    if as_json:
        shown: Any = reports if dataset_id is None else (reports[0] if reports else None)
        click.echo(json.dumps(shown, ensure_ascii=False))
    else:
        _print(reports)
    if any(r["status"] == "failed" for r in reports):
        raise SystemExit(1)


def _print(reports: list[dict[str, Any]]) -> None:
    for report in reports:
        scores = ", ".join(
            f"{name} {_percent((d or {}).get('score'))}" for name, d in report["dimensions"].items()
        )
        status = "" if report["status"] == "ok" else f" [bold red]failed:[/] {report['error']}"
        console.print(
            f"{report['dataset']} v{report['version']}: {report['rows']} rows; {scores}{status}"
        )
        for rule in report["rules"]:
            if rule["failing"] and not rule["id"].startswith("missing:"):
                console.print(f"  {rule['id']}: {rule['failing']} of {rule['checked']} failing")


def _percent(score: float | None) -> str:
    return "—" if score is None else f"{score * 100:.1f}%"


@command.command(name="rules")
@common_options
@click.argument("dataset_id")
@click.option(
    "--set",
    "rules_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help='Replace the rules with those of a JSON file: {"rules": [...]}.',
)
def rules_command(
    dataset_id: str, rules_file: Path | None, data_dir: Path | None, database_url: str | None
) -> None:
    """Print DATASET_ID's rules as JSON, or replace them (--set FILE; checked first)."""
    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            dataset = session.get(Dataset, dataset_id) if len(dataset_id) <= 100 else None
            if dataset is None:
                raise NotFound(f"dataset {dataset_id[:100]!r} not found")
            if rules_file is not None:
                raw = _read(rules_file)
                store.replace_rules(
                    session,
                    dataset,
                    raw,
                    CLI_ADMIN.actor,
                    max_rules=platform.settings.quality_max_rules,
                    max_chars=platform.settings.quality_max_rule_chars,
                    references=references.lookup(session, platform, referenced_datasets(raw)),
                )
                session.flush()
            body = rules_to_dict(dataset.id, store.rule_set(session, dataset.id))
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    click.echo(json.dumps(body, ensure_ascii=False, indent=2))


def _read(path: Path) -> Any:
    if path.stat().st_size > MAX_RULES_FILE:
        raise PayloadTooLarge(f"{path.name}: larger than {MAX_RULES_FILE:,} bytes")
    try:
        body = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(f"{path.name}: not a JSON file") from None
    if not isinstance(body, dict) or set(body) != {"rules"}:
        raise InvalidRequest(
            f'{path.name}: write {{"rules": [{{"type": "required", "field": …}}, …]}}'
        )
    return body["rules"]
