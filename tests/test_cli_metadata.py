"""``belfort ingest`` metadata from the controlled lists, and ``belfort organisations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from belfort.catalog.database import Database
from belfort.catalog.models import Dataset
from belfort.cli import main
from belfort.linked.vocabularies import CC0
from tests.helpers import counts_csv


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Any:
    """``belfort`` on a catalogue of its own (as tests/test_cli.py)."""
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    return lambda *args: runner.invoke(main, [*args, *where], catch_exceptions=False)


def test_ingest_maps_free_text_onto_the_lists(cli: Any, tmp_path: Path, database_url: str) -> None:
    r = cli(
        "ingest",
        str(counts_csv(tmp_path)),
        "--dataset",
        "tellingen",
        "--themes",
        "Vervoer,mobiliteit",
        "--licence",
        "CC0",
        "--organisation",
        "stad gent",
        "--spatial",
        "Gent",
        "--frequency",
        "dagelijks",
    )
    assert r.exit_code == 0, r.output
    db = Database(database_url)
    with db.session() as session:
        dataset = session.get(Dataset, "tellingen")
        assert dataset is not None
        assert dataset.themes == ["TRAN"] and dataset.licence == CC0.uri
        assert dataset.organisation == "Stad Gent" and dataset.frequency == "daily"
    db.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--themes", "Verkeer"], "unknown theme 'Verkeer': did you mean 'Vervoer (TRAN)'?"),
        (["--licence", "cc-by 5.0"], "unknown licence 'cc-by 5.0'"),
        (["--organisation", "Stad Gend"], "did you mean 'Stad Gent'?"),
        (["--spatial", "<script>"], "unknown place"),
    ],
)
def test_ingest_refuses_terms_off_the_lists(
    cli: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", *args)
    assert r.exit_code == 2, r.output
    assert message in " ".join(r.output.split())
    assert "tellingen" not in cli("datasets").output


def test_organisations_add_set_list(cli: Any, tmp_path: Path) -> None:
    r = cli(
        "organisations",
        "add",
        "mobiliteitsbedrijf",
        "--name",
        "Mobiliteitsbedrijf",
        "--email",
        "mobiliteit@stad.gent",
        "--homepage",
        "https://stad.gent/mobiliteit",
    )
    assert r.exit_code == 0, r.output
    assert cli("organisations", "add", "mobiliteitsbedrijf", "--name", "Ander").exit_code == 6
    assert cli("organisations", "add", "dubbel", "--name", "mobiliteitsbedrijf").exit_code == 6
    assert (
        cli(
            "ingest",
            str(counts_csv(tmp_path)),
            "--dataset",
            "tellingen",
            "--organisation",
            "Mobiliteitsbedrijf",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "organisations", "set", "mobiliteitsbedrijf", "--name", "Mobiliteitsbedrijf Gent"
        ).exit_code
        == 0
    )
    listing = cli("organisations", "list").output
    assert (
        "mobiliteitsbedrijf" in listing
        and "Mobiliteitsbedrijf Gent" in listing
        and "stad-gent" in listing
    )
    assert cli("organisations", "set", "bestaat-niet", "--name", "X").exit_code == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "Hoofd Letters", "--name", "X"], "invalid organisation identifier"),
        (["add", "ok"], "needs a Dutch name"),
        (["add", "ok", "--name", "X", "--email", "geen"], "contact_email: not an e-mail address"),
        (["add", "ok", "--name", "X", "--homepage", "javascript:alert(1)"], "homepage: not a web"),
        (["add", "ok", "--name", "X" * 300], "name_nl: String should have at most 200"),
    ],
)
def test_bad_organisations_are_exit_2(cli: Any, args: list[str], message: str) -> None:
    r = cli("organisations", *args)
    assert r.exit_code == 2, r.output
    assert "error:" in r.output and message in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output
