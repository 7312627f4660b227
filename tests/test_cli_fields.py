"""``belfort fields set|list`` and ``belfort ingest --fields``: the data dictionary from the
command line, with the same rules as the API and the staff page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.cli import main
from belfort.platform import Platform
from belfort.settings import Settings
from tests.helpers import counts_csv, write


@pytest.fixture
def cli(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [*args, *where], catch_exceptions=False)

    return run


def _listing(cli) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    r = cli("fields", "list", "tellingen", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["fields"]  # type: ignore[no-any-return]


def test_set_update_clear_and_list(cli, tmp_path: Path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen").exit_code == 0
    r = cli(
        "fields",
        "set",
        "tellingen",
        "aantal",
        "--title",
        "Aantal fietsers",
        "--title-en",
        "Cyclists",
        "--description",
        "Fietsers per uur",
        "--unit",
        "fietsers",
    )
    assert r.exit_code == 0, r.output
    assert "tellingen.aantal: described" in r.output
    aantal = next(f for f in _listing(cli) if f["name"] == "aantal")
    assert aantal["title_nl"] == "Aantal fietsers" and aantal["unit"] == "fietsers"
    # only the options given change; "" clears one
    assert cli("fields", "set", "tellingen", "aantal", "--unit", "").exit_code == 0
    aantal = next(f for f in _listing(cli) if f["name"] == "aantal")
    assert aantal["unit"] is None and aantal["title_en"] == "Cyclists"
    text = cli("fields", "list", "tellingen").output
    assert "aantal (integer)" in text and "title_en: Cyclists" in text
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        with platform.db.session() as session:
            actions = [a for a in session.scalars(select(AuditEvent.action))]
    finally:
        platform.close()
    assert actions.count("describe_fields") == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["tellingen", "bestaat_niet", "--title", "x"], 4, "bestaat_niet"),
        (["onbekend", "aantal", "--title", "x"], 4, "onbekend"),
        (["tellingen", "aantal", "--title", "x" * 201], 2, "longer than 200"),
        (["tellingen", "aantal", "--unit", "x" * 51], 2, "longer than 50"),
        (["tellingen", "aantal", "--description", "x" * 5001], 2, "longer than 5,000"),
        (["tellingen", "aantal", "--title", "a\x01b"], 2, "control character"),
        (["tellingen", "aantal"], 2, "at least one"),
    ],
)
def test_set_refuses_bad_input(
    cli, tmp_path: Path, args: list[str], code: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen").exit_code == 0
    r = cli("fields", "set", *args)
    assert r.exit_code == code, r.output
    assert message in r.output
    assert all(f["title_nl"] is None for f in _listing(cli))


def test_ingest_with_a_csv_fields_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fields = write(
        tmp_path / "velden.csv",
        "name;title_nl;title_en;description_nl;description_en;unit\n"
        "aantal;Aantal fietsers;Cyclists;Per uur;Per hour;fietsers\n"
        'telpunt;Telpunt;Counting point;"Waar; <b>geteld</b>";;\n',
    )
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--fields", str(fields))
    assert r.exit_code == 0, r.output
    listed = {f["name"]: f for f in _listing(cli)}
    assert listed["aantal"]["title_en"] == "Cyclists" and listed["aantal"]["unit"] == "fietsers"
    assert listed["telpunt"]["description_nl"] == "Waar; <b>geteld</b>"
    assert listed["telpunt"]["description_en"] is None


def test_ingest_with_a_json_fields_file_from_the_listing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen").exit_code == 0
    listing = _listing(cli)
    for f in listing:
        f["title_en"] = f"The {f['name']}"
    saved = write(tmp_path / "velden.json", json.dumps({"fields": listing}))
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--fields", str(saved))
    assert r.exit_code == 0, r.output
    assert {f["title_en"] for f in _listing(cli)} == {f"The {f['name']}" for f in listing}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("velden.csv", "name;title_nl\nbestaat_niet;X\n", "bestaat_niet"),
        ("velden.csv", "veld;title_nl\naantal;X\n", "header row"),
        ("velden.csv", "name;titel\naantal;X\n", "titel"),
        ("velden.csv", "name;title_nl\naantal;X\naantal;Y\n", "twice"),
        ("velden.csv", "name;title_nl\naantal;" + "x" * 201 + "\n", "longer than 200"),
        ("velden.csv", "name;title_nl\naantal;a\x00b\n", "control character"),
        ("velden.json", "{not json", "not valid JSON"),
        ("velden.json", '{"fields": {"aantal": {}}}', "JSON fields file"),
        ("velden.txt", "name\n", ".csv or .json"),
    ],
)
def test_a_bad_fields_file_refuses_the_ingest(
    cli,
    tmp_path: Path,
    name: str,
    content: str,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    fields = write(tmp_path / name, content)
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--fields", str(fields))
    assert r.exit_code in (2, 4), r.output
    assert message in r.output
    assert "tellingen" not in cli("datasets").output  # nothing was ingested
