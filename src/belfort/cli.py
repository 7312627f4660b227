"""The ``belfort`` command: serve, ingest, demo, keys, datasets, gc.

Every command takes ``--data-dir`` and ``--database-url`` (or the BELFORT_* variables).
The operator at the command line has the data directory, so acts as admin.
Exit codes: 0 ok, 2 bad usage/input, 3 unreadable or invalid file, 4 not found,
6 conflict, 1 anything else.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from belfort.catalog.options import METADATA_OPTIONS, metadata_from_options
from belfort.commands import audit as audit_commands
from belfort.commands import cijfers as cijfers_commands
from belfort.commands import demo_live as demo_commands
from belfort.commands import governance as governance_commands
from belfort.commands import mqa as mqa_commands
from belfort.commands import mqtt as mqtt_commands
from belfort.commands import operations as operations_commands
from belfort.commands import policies as policies_commands
from belfort.commands import quality as quality_commands
from belfort.commands import replay as replay_commands
from belfort.commands import sensors as sensors_commands
from belfort.commands import streams as streams_commands
from belfort.commands import telraam as telraam_commands
from belfort.commands import twin as twin_commands
from belfort.commands import zones as zones_commands
from belfort.commands.common import (
    _fail,
    _platform,
    _settings,
    common_options,
    console,
)
from belfort.errors import BelfortError
from belfort.settings import Settings

if TYPE_CHECKING:  # the rest is imported when used: `belfort --help` stays fast
    from belfort.platform import Platform



@click.group()
@click.version_option(package_name="belfort")
def main() -> None:
    """Belfort — Urban Data Platform."""


@main.command()
@common_options
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 1).")
def serve(data_dir: Path | None, database_url: str | None, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the APIs over HTTP."""
    settings = _settings(data_dir, database_url, host=host, port=port, workers=workers)
    _serve(settings)


@main.command()
@common_options
def upkeep(data_dir: Path | None, database_url: str | None) -> None:
    """Run the background jobs (compaction, alert rules, forecasts) until stopped.

    `belfort serve` starts this process itself (BELFORT_UPKEEP=process); run it by hand beside
    another ASGI server that serves `belfort.app:app_from_environment`."""
    from belfort import upkeep as upkeep_jobs

    settings = _settings(data_dir, database_url)
    _platform(settings).close()  # the schema migrated before the jobs start
    console.print(f"Belfort upkeep for {settings.data_dir} (stop with Ctrl-C)")
    upkeep_jobs.run(settings)


def _serve(settings: Settings) -> None:
    import uvicorn

    from belfort import metrics, upkeep
    from belfort.logs import uvicorn_log_config

    try:  # bad settings (the lake's bucket, credentials) end here with their reason
        platform = _platform(settings)  # migrate and clean up once, before workers start
    except BelfortError as exc:
        _fail(exc)
        return
    platform.collect_garbage()
    platform.close()
    os.environ["BELFORT_DATA_DIR"] = str(settings.data_dir.resolve())
    # the workers name their linked-data URIs after the address served on (Settings.canonical_base_url)
    os.environ["BELFORT_HOST"], os.environ["BELFORT_PORT"] = settings.host, str(settings.port)
    if settings.database_url:
        os.environ["BELFORT_DATABASE_URL"] = settings.database_url
    console.print(f"Belfort serving {settings.data_dir} at http://{settings.host}:{settings.port}")
    telraam_commands.start_poller(settings)  # when BELFORT_TELRAAM_URL and _SEGMENTS are set
    # several workers write their figures to one directory that /metrics adds up
    figures = metrics.prepare_multiprocess(settings.workers)
    # compaction, alert rules, forecasts: one process beside the workers (BELFORT_UPKEEP)
    jobs = upkeep.start_process(settings)
    # uvicorn ends a graceful shutdown by raising the signal it caught again; with this handler
    # that ends here as a clean exit, so the upkeep process and the figures are cleaned up below
    signal.signal(signal.SIGTERM, _stop_cleanly)
    try:
        uvicorn.run(
            "belfort.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="info",
            log_config=uvicorn_log_config(settings.log_format),  # BELFORT_LOG_FORMAT
            proxy_headers=False,  # the app applies BELFORT_TRUSTED_PROXIES itself (belfort.app)
            # SIGTERM: stop accepting, let requests in flight finish for this long (live
            # streams are told to reconnect at once: belfort.api.shutdown)
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            # a worker must answer the supervisor's ping within this: a starting worker on a
            # busy machine (imports, the catalogue) can take longer than uvicorn's 5 s, and
            # would be killed and started again, over and over
            timeout_worker_healthcheck=30,
        )
    finally:
        if jobs is not None:
            jobs.stop()
        metrics.cleanup_multiprocess(figures)
        console.print("Belfort stopped")


def _stop_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _metadata_option_decorators(func: Callable[..., Any]) -> Callable[..., Any]:
    for name, (_, help_text) in reversed(METADATA_OPTIONS.items()):
        func = click.option(f"--{name.replace('_', '-')}", name, default=None, help=help_text)(func)
    return func


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "dataset_id", required=True, help="Dataset identifier (slug).")
@_metadata_option_decorators
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json", "geojson", "parquet"]), default=None, help="File format (default: detected).")
@click.option("--sheet", default=None, help="XLSX sheet name (default: the first).")
@click.option("--type", "types", multiple=True, metavar="FIELD=TYPE", help="Override an inferred type, e.g. --type datum=date.")
@click.option("--draft", is_flag=True, help="Keep the new version unpublished.")
@click.option("--override-reason", default=None, metavar="TEXT",
              help="Publish although the publication gate blocks the version (quality below its "
                   "classification's minimum): the written reason, audited.")
@click.option("--fields", "fields_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Describe the fields: a .csv or .json fields file (see docs/ingest.md).")
@common_options
def ingest(file: Path, dataset_id: str, fmt: str | None, sheet: str | None, types: tuple[str, ...], draft: bool, override_reason: str | None, fields_file: Path | None, data_dir: Path | None, database_url: str | None, **metadata: str | None) -> None:
    """Ingest FILE as a new version of a dataset (published at once unless --draft)."""
    from belfort.catalog.field_dictionary import read_fields_file
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.quality import hook as quality_hook

    overrides: dict[str, str] = {}
    for item in types:
        name, sep, kind = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected FIELD=TYPE, got {item!r}", param_hint="--type")
        overrides[name.strip()] = kind.strip()
    platform: Platform | None = None
    try:
        described = read_fields_file(fields_file.name, fields_file.read_bytes()) if fields_file else None
        platform = _platform(_settings(data_dir, database_url))
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"), TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task(f"ingesting {file.name}", total=None)
            outcome = ingest_file(
                platform, CLI_ADMIN, dataset_id, file,
                metadata=metadata_from_options(metadata), format=fmt, sheet=sheet,
                overrides=overrides or None, draft=draft, fields=described,
                override_reason=override_reason,
                progress=lambda rows: progress.update(task, completed=rows),
            )
        # the version's quality is measured in the background: measured before the command
        # ends, so that the next command (and the portal) finds its report and inferred rules
        quality_hook.wait(platform)
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        if platform is not None:
            platform.close()
    state = "published" if outcome.published else "saved as draft (not published)"
    click.echo(f"{dataset_id}: version {outcome.version}, {outcome.row_count:,} rows, {state}")
    for field in outcome.schema["fields"]:
        click.echo(f"  {field['name']:<30} {field['type']}")


@main.command()
@common_options
@click.option("--load-only", is_flag=True, help="Load the demo into the data directory and exit.")
@click.option("--small", is_flag=True, help="A small demo (fast; used by tests).")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--no-replay", is_flag=True, help="Serve without the live feed of replayed counts.")
def demo(data_dir: Path | None, database_url: str | None, load_only: bool, small: bool, host: str | None, port: int | None, no_replay: bool) -> None:
    """Load the demo catalogue (modelled on Ghent), then serve it with a live feed."""
    from belfort.demo.loader import load_demo

    settings = _settings(data_dir, database_url, host=host, port=port)
    live = None
    try:
        platform = _platform(settings)
        for line in load_demo(platform, size="small" if small else "full"):
            click.echo(line)
        demo_commands.load_zones(platform)
        if not no_replay and settings.demo_replay_speed > 0:
            live = demo_commands.prepare(platform, settings, small=small)
        platform.close()
    except BelfortError as exc:
        _fail(exc)
    if not load_only:
        if live is not None:
            demo_commands.start(settings, live, forecasts=not small)
        _serve(settings)


@main.group()
def fields() -> None:
    """The data dictionary: what each field of a dataset means, in Dutch and English."""


@fields.command("set")
@click.argument("dataset_id")
@click.argument("field")
@click.option("--title", "title_nl", default=None, help="Title in Dutch.")
@click.option("--title-en", "title_en", default=None, help="Title in English.")
@click.option("--description", "description_nl", default=None, help="Description in Dutch.")
@click.option("--description-en", "description_en", default=None, help="Description in English.")
@click.option("--unit", default=None, help="Unit, e.g. km/h, °C, fietsers per uur.")
@common_options
def fields_set(dataset_id: str, field: str, data_dir: Path | None, database_url: str | None, **given: str | None) -> None:
    """Describe FIELD of a dataset; only the texts given change ("" clears one)."""
    from belfort.catalog import field_dictionary
    from belfort.catalog.store import find_dataset
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import describe_fields

    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise click.UsageError("give at least one of --title, --title-en, --description, --description-en, --unit")
    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            dataset = find_dataset(session, dataset_id)
            current = field_dictionary.descriptions(dataset).get(field) if dataset else None
        texts = field_dictionary.check_texts((current or field_dictionary.FieldTexts()).merged(changes), field)
        changed = describe_fields(platform, CLI_ADMIN, dataset_id, {field: texts})
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    click.echo(f"{dataset_id}.{field}: {'described' if changed else 'unchanged'}")


@fields.command("classify")
@click.argument("dataset_id")
@click.argument("field")
@click.argument("level", type=click.Choice(
    ["open", "internal", "confidential", "strictly-confidential", "dataset"]))
@common_options
def fields_classify(dataset_id: str, field: str, level: str, data_dir: Path | None,
                    database_url: str | None) -> None:
    """Classify FIELD of a dataset (``dataset``: as its dataset). A field classified above
    what a caller reads is held back from it: its values and its name."""
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import classify_field

    platform = _platform(_settings(data_dir, database_url))
    try:
        changed = classify_field(platform, CLI_ADMIN, dataset_id, field,
                                 None if level == "dataset" else level)
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    click.echo(f"{dataset_id}.{field}: {level if changed else 'unchanged'}")


@fields.command("list")
@click.argument("dataset_id")
@click.option("--json", "as_json", is_flag=True, help="Print the fields file's JSON (the API's shape).")
@common_options
def fields_list(dataset_id: str, as_json: bool, data_dir: Path | None, database_url: str | None) -> None:
    """The fields of a dataset's newest version with their titles, units and descriptions."""
    import json

    from belfort.catalog import field_dictionary
    from belfort.catalog.store import find_dataset
    from belfort.errors import DatasetNotFound

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            dataset = find_dataset(session, dataset_id)
            if dataset is None:
                raise DatasetNotFound(f"dataset {dataset_id[:100]!r} not found")
            shown = field_dictionary.entries(field_dictionary.newest_fields(session, dataset),
                                             field_dictionary.descriptions(dataset))
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    if as_json:
        click.echo(json.dumps({"fields": [e.to_dict() for e in shown]}, ensure_ascii=False, indent=2))
        return
    for e in shown:
        t = e.texts
        click.echo(f"{e.name} ({e.type})" + (f" [{t.unit}]" if t.unit else ""))
        for label, value in (("title_nl", t.title_nl), ("title_en", t.title_en),
                             ("description_nl", t.description_nl), ("description_en", t.description_en)):
            if value:
                click.echo(f"  {label}: " + value.replace("\n", "\n    "))


@main.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["read", "write", "admin"]), default="admin",
              help="read: open data and what policies grant; write: also publish; admin: all.")
@click.option("--organisation", default=None, help="The organisation the key acts for.")
@click.option("--expires-in", "expires_in", type=click.IntRange(1, 3650), default=None,
              metavar="DAYS", help="The key stops working after this many days.")
@common_options
def keys_create(name: str, role: str, organisation: str | None, expires_in: int | None,
                data_dir: Path | None, database_url: str | None) -> None:
    """Create a key; its secret is printed once and never stored."""
    from belfort.policy.keys import create_key
    from belfort.policy.principals import Role

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            created = create_key(session, name, Role(role), organisation=organisation,
                                 expires_in_days=expires_in)
    except BelfortError as exc:
        _fail(exc)
    scope = f", organisation {organisation}" if organisation else ""
    until = f", expires {created.expires_at:%Y-%m-%d %H:%M} UTC" if created.expires_at else ""
    console.print(f"key {created.id} ({created.role.value}{scope}{until}) for {name!r}; "
                  "keep the secret safe, it is shown once:", markup=False)
    click.echo(created.secret)


@keys.command("list")
@common_options
def keys_list(data_dir: Path | None, database_url: str | None) -> None:
    from belfort.policy.keys import list_keys

    platform = _platform(_settings(data_dir, database_url))
    with platform.db.session() as session:
        for key in list_keys(session):
            click.echo(f"{key.id}  {key.role:<6} {key.status:<18} {key.created_at:%Y-%m-%d}  "
                       f"{key.organisation or '-':<20} {key.name}")


@keys.command("revoke")
@click.argument("key_id")
@common_options
def keys_revoke(key_id: str, data_dir: Path | None, database_url: str | None) -> None:
    from belfort.policy.keys import revoke_key

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            revoke_key(session, key_id)
    except BelfortError as exc:
        _fail(exc)
    click.echo(f"revoked {key_id}")


@main.command("datasets")
@common_options
def datasets_list(data_dir: Path | None, database_url: str | None) -> None:
    """List every dataset with its state, classification and published version."""
    from sqlalchemy import select

    from belfort.catalog.models import Dataset

    platform = _platform(_settings(data_dir, database_url))
    with platform.db.session() as session:
        for d in session.scalars(select(Dataset).order_by(Dataset.id)):
            click.echo(f"{d.id:<40} {d.state:<10} {d.classification:<22} v{d.published_version or '-'}")


@main.command()
@click.argument("dataset_id")
@click.argument("state", type=click.Choice(["draft", "published", "deprecated", "archived"]))
@common_options
def state(dataset_id: str, state: str, data_dir: Path | None, database_url: str | None) -> None:
    """Move a dataset along its life cycle."""
    from belfort.publishing import change_dataset_state

    _run_change(change_dataset_state, data_dir, database_url, dataset_id, state)
    click.echo(f"{dataset_id}: {state}")


@main.command()
@click.argument("dataset_id")
@click.option("--version", "number", type=int, required=True)
@click.option("--override-reason", default=None, metavar="TEXT",
              help="Publish although the publication gate blocks the version: the written reason, audited.")
@common_options
def publish(dataset_id: str, number: int, override_reason: str | None, data_dir: Path | None, database_url: str | None) -> None:
    """Publish version N of a dataset (e.g. one ingested with --draft); exit code 9 when the
    publication gate blocks it (quality below its classification's minimum)."""
    from belfort.publishing import publish_dataset_version

    _run_change(publish_dataset_version, data_dir, database_url, dataset_id, number, override_reason)
    click.echo(f"{dataset_id}: version {number} published")


def _run_change(change: Callable[..., Any], data_dir: Path | None, database_url: str | None, *args: Any) -> None:
    from belfort.policy.principals import CLI_ADMIN

    platform = _platform(_settings(data_dir, database_url))
    try:
        change(platform, CLI_ADMIN, *args)
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()


ORGANISATION_OPTIONS = (
    ("--name", "name_nl", "Name in Dutch (how datasets name the organisation)."),
    ("--name-en", "name_en", "Name in English."),
    ("--description", "description_nl", "Description in Dutch."),
    ("--description-en", "description_en", "Description in English."),
    ("--email", "contact_email", "Contact e-mail address."),
    ("--homepage", "homepage", "Web site (http:// or https://)."),
)


def _organisation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for flag, name, help_text in reversed(ORGANISATION_OPTIONS):
        func = click.option(flag, name, default=None, help=help_text)(func)
    return func


@main.group()
def organisations() -> None:
    """Publishing organisations: the list datasets choose their organisation from."""


@organisations.command("list")
@common_options
def organisations_list(data_dir: Path | None, database_url: str | None) -> None:
    """List the organisations with their number of datasets."""
    from belfort.catalog.organisations import dataset_counts, list_organisations

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            counts = dataset_counts(session)
            rows = [(o.slug, o.name_nl, o.name_en or "", o.contact_email or "",
                     str(counts.get(o.name_nl, 0))) for o in list_organisations(session)]
    finally:
        platform.close()
    click.echo("\t".join(("slug", "name", "name (en)", "e-mail", "datasets")))  # tab-separated: for scripts
    for row in rows:
        click.echo("\t".join(row))


@organisations.command("add")
@click.argument("slug")
@_organisation_options
@common_options
def organisations_add(slug: str, data_dir: Path | None, database_url: str | None, **fields: str | None) -> None:
    """Add an organisation; SLUG is its identifier in URLs (e.g. mobiliteitsbedrijf)."""
    _save_organisation(slug, fields, data_dir, database_url, create=True)


@organisations.command("set")
@click.argument("slug")
@_organisation_options
@common_options
def organisations_set(slug: str, data_dir: Path | None, database_url: str | None, **fields: str | None) -> None:
    """Change an organisation (a new --name is written to its datasets too)."""
    _save_organisation(slug, fields, data_dir, database_url, create=False)


def _save_organisation(slug: str, fields: dict[str, str | None], data_dir: Path | None,
                       database_url: str | None, *, create: bool) -> None:
    from belfort.publishing import save_organisation

    data = {name: value for name, value in fields.items() if value is not None}
    _run_change(lambda platform, principal: save_organisation(platform, principal, slug, data, create=create),
                data_dir, database_url)
    console.print(f"organisation [bold]{slug}[/] {'added' if create else 'changed'}")


@main.group()
def register() -> None:
    """The processing register (GDPR art. 30)."""


@register.command("list")
@common_options
def register_list(data_dir: Path | None, database_url: str | None) -> None:
    """List every register entry with its state and audience."""
    from belfort.register.store import list_activities

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            for a in list_activities(session, states=None):
                click.echo(f"{a.id}  {a.state:<9} {a.audience:<14} {a.name}")
    finally:
        platform.close()


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@common_options
def register_import(file: Path, data_dir: Path | None, database_url: str | None) -> None:
    """Create or update entries from a JSON array (all or nothing), then republish the register."""
    import json

    from belfort.errors import InvalidRequest
    from belfort.policy.principals import CLI_ADMIN
    from belfort.register.service import import_activities

    platform = _platform(_settings(data_dir, database_url))
    try:
        try:
            items = json.loads(file.read_bytes())
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # nested too deep
            raise InvalidRequest(f"{file.name} is not valid JSON: {str(exc)[:200]}") from None
        created, updated = import_activities(platform, CLI_ADMIN, items)
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    click.echo(f"register: {created} entries created, {updated} updated; verwerkingsregister-stad-gent published")


@register.command("publish")
@common_options
def register_publish(data_dir: Path | None, database_url: str | None) -> None:
    """Publish the register dataset again from the published entries."""
    from belfort.register.dataset import publish_register_dataset

    outcome: Any = None

    def run(platform: Any, principal: Any) -> None:
        nonlocal outcome
        outcome = publish_register_dataset(platform, principal)

    _run_change(run, data_dir, database_url)
    click.echo(f"{outcome.dataset_id}: version {outcome.version}, {outcome.row_count} entries")


@main.group()
def harvest() -> None:
    """Copy datasets from other portals into Belfort."""


@harvest.command("ods")
@click.argument("base_url")
@click.option("--dataset", "datasets", multiple=True, help="Only this dataset (repeatable).")
@common_options
def harvest_ods_command(base_url: str, datasets: tuple[str, ...], data_dir: Path | None, database_url: str | None) -> None:
    """Harvest an Opendatasoft portal (metadata, fields, all records); incremental and resumable."""
    from belfort.harvest.ods import harvest_ods

    platform = _platform(_settings(data_dir, database_url))
    failed = 0
    try:
        for result in harvest_ods(platform, base_url, only=list(datasets) or None):
            failed += result.status == "failed"
            click.echo(f"{result.dataset_id}: {result.status}{' — ' + result.detail if result.detail else ''}")
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    if failed:
        sys.exit(1)


@harvest.command("dcat")
@click.argument("url")
@click.option("--dataset", "datasets", multiple=True, help="Only this dataset (identifier or IRI; repeatable).")
@click.option("--format", "prefer", type=click.Choice(["ttl", "jsonld", "rdf", "nt"]), default="ttl", help="Serialisation to ask for first (default Turtle).")
@click.option("--max-pages", type=click.IntRange(min=1), default=1000, help="Stop after this many catalogue pages.")
@click.option("--max-download-mb", type=click.IntRange(min=1), default=2048, help="Largest data file to download.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, help="Seconds to wait for a server.")
@click.option("--api-key", envvar="BELFORT_HARVEST_API_KEY", default=None, help="Key for the source catalogue (sent only to its own host); also BELFORT_HARVEST_API_KEY.")
@common_options
def harvest_dcat_command(url: str, datasets: tuple[str, ...], prefer: str, max_pages: int, max_download_mb: int, timeout: float, api_key: str | None, data_dir: Path | None, database_url: str | None) -> None:
    """Harvest a DCAT-AP catalogue (Turtle, JSON-LD, RDF/XML; paged); incremental."""
    from belfort.harvest.dcat import MB, Limits, harvest_dcat

    limits = Limits(max_pages=max_pages, max_download_bytes=max_download_mb * MB, timeout=timeout)
    platform = _platform(_settings(data_dir, database_url))
    counts: dict[str, int] = {}
    try:
        for result in harvest_dcat(platform, url, only=list(datasets) or None, prefer=prefer, limits=limits,
                                   api_key=api_key):
            counts[result.status] = counts.get(result.status, 0) + 1
            name = result.dataset_id or result.source
            click.echo(f"{name}: {result.status}{' — ' + result.detail if result.detail else ''}")
    except BelfortError as exc:
        _fail(exc)
    finally:
        platform.close()
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no datasets"
    click.echo(f"{url}: {summary}")
    if counts and not any(counts.get(s) for s in ("harvested", "updated", "unchanged", "recorded")):
        console.print("[bold red]error:[/] nothing could be harvested from this catalogue")
        sys.exit(1)


@main.command()
@common_options
@click.option("--min-age", type=float, default=3600,
              help="Leftovers whose writer cannot be told (another machine, or written before "
                   "owner tags) go once older than this (seconds); a dead writer's go at once, a "
                   "running one's stay.")
def gc(data_dir: Path | None, database_url: str | None, min_age: float) -> None:
    """Remove what interrupted ingests left in the data directory: at once when the process
    that wrote them no longer runs."""
    platform = _platform(_settings(data_dir, database_url))
    removed = platform.collect_garbage(min_age_seconds=min_age)
    click.echo(f"removed {len(removed)} leftover(s)")


main.add_command(sensors_commands.command)
main.add_command(streams_commands.command)
main.add_command(replay_commands.command)
main.add_command(telraam_commands.command)
main.add_command(mqtt_commands.command)
main.add_command(mqa_commands.command)
main.add_command(zones_commands.command)
main.add_command(cijfers_commands.command)
main.add_command(quality_commands.command)
main.add_command(governance_commands.command)
main.add_command(twin_commands.command)
main.add_command(audit_commands.command)
main.add_command(policies_commands.command)
main.add_command(operations_commands.migrate)
main.add_command(operations_commands.lake)

if __name__ == "__main__":
    main()
