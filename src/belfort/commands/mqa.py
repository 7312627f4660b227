"""``belfort mqa [DATASET] [--json]``: metadata quality with the MQA method of the European Data
Portal (docs/metadata-quality.md), as an administrator sees the catalogue.

Without a dataset: each dataset's points and band, and the catalogue's mean. With one: its
indicators, points per dimension and what to add to score higher.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError


@click.command(name="mqa")
@common_options
@click.argument("dataset", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(data_dir: Path | None, database_url: str | None, dataset: str | None,
            as_json: bool) -> None:
    """Score metadata quality (MQA method, out of 405): the catalogue, or one DATASET."""
    from belfort.mqa import service
    from belfort.policy.principals import CLI_ADMIN

    try:
        platform = _platform(_settings(data_dir, database_url))
        try:
            result: dict[str, Any] = (
                service.dataset_quality(platform, CLI_ADMIN, dataset).to_dict() if dataset
                else service.catalogue_quality(platform, CLI_ADMIN))
        finally:
            platform.close()
    except BelfortError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif dataset:
        _print_dataset(result)
    else:
        _print_catalogue(result)


def _print_dataset(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['dataset_id']}: {result['points']}/{result['max_points']} "
                        f"({result['band_label']['en']})")
    for column in ("indicator", "dimension", "points"):
        table.add_column(column)
    for i in result["indicators"]:
        shown = f"{i['points']}/{i['max_points']}" + ("" if i["checked"] else " (not checked)")
        table.add_row(i["indicator"], i["dimension"], shown)
    console.print(table)
    compliance = result["dcat_ap_compliance"]
    if not compliance["checked"]:
        console.print(f"dcatApCompliance not checked: {compliance.get('reason')}")
    for violation in compliance["violations"]:
        console.print(f"DCAT-AP: {violation}")
    for suggestion in result["to_add"]:
        click.echo(f"+{suggestion['points']:>3}  {suggestion['text']['en']}")


def _print_catalogue(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['datasets_count']} datasets: mean {result['points']}/"
                        f"{result['max_points']} ({result['band'] or '-'})")
    for column in ("dataset", "points", "band"):
        table.add_column(column)
    for d in result["datasets"]:
        table.add_row(d["dataset_id"], str(d["points"]), d["band"])
    console.print(table)
    click.echo(f"catalogue: {result['points']}/{result['max_points']} ({result['band'] or '-'})")
