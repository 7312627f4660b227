"""The ``belfort`` command: messages and exit codes a data team relies on in scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from belfort.cli import main
from tests.helpers import counts_csv, write


@pytest.fixture
def cli(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [*args, *where], catch_exceptions=False)

    return run


def test_ingest_prints_version_and_schema(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--title", "Tellingen",
            "--themes", "TRAN,SOCI", "--frequency", "hourly")
    assert r.exit_code == 0, r.output
    assert "tellingen: version 1, 5 rows, published" in r.output
    assert "bezettingsgraad" in r.output and "number" in r.output
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--draft")
    assert "version 2, 5 rows, saved as draft" in r.output
    listing = cli("datasets")
    assert "tellingen" in listing.output and "published" in listing.output and "v1" in listing.output
    assert cli("publish", "tellingen", "--version", "2").exit_code == 0
    assert "v2" in cli("datasets").output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--classification", "internal"], 2, "reason"),
        (["--contact-email", "geen"], 2, "email"),
        (["--temporal-start", "2024-13-01"], 2, "temporal"),
        (["--type", "aantal=geheel"], 2, "geheel"),
        (["--type", "onbekend=integer"], 2, "onbekend"),
        (["--type", "telpunt=integer"], 3, "telpunt"),
    ],
)
def test_ingest_errors_have_exit_codes(cli, tmp_path: Path, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", *args)
    assert r.exit_code == code, r.output
    assert message in r.output
    assert "tellingen" not in cli("datasets").output


def test_unsupported_and_unreadable_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 20)
    r = cli("ingest", str(pdf), "--dataset", "rapport")
    assert r.exit_code == 3 and "error" in r.output
    empty = write(tmp_path / "leeg.csv", "")
    r = cli("ingest", str(empty), "--dataset", "leeg")
    assert r.exit_code == 3
    r = cli("ingest", str(tmp_path / "bestaat-niet.csv"), "--dataset", "x")
    assert r.exit_code == 2 and "does not exist" in r.output
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "Geen Slug")
    assert r.exit_code == 2 and "identifier" in r.output


def test_state_and_keys(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen")
    assert cli("state", "tellingen", "deprecated").exit_code == 0
    r = cli("state", "tellingen", "draft")
    assert r.exit_code == 6 and "cannot go from deprecated to draft" in r.output
    assert cli("state", "bestaat-niet", "archived").exit_code == 4
    created = cli("keys", "create", "data team")
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("bfk_")
    key_id = cli("keys", "list").output.split()[0]
    assert "active" in cli("keys", "list").output and secret not in cli("keys", "list").output
    assert cli("keys", "revoke", key_id).exit_code == 0
    assert "revoked" in cli("keys", "list").output
    assert cli("keys", "revoke", "onbekend").exit_code == 4
    assert "removed 0 leftover(s)" in cli("gc").output


NAIVE_TIMES = "id;tijd\n1;2024-01-15 12:00\n2;2024-07-15 12:00\n"


def _stored(tmp_path: Path, database_url: str, dataset_id: str) -> tuple[str, list[object], str]:
    """(dataset zone, UTC times of the newest version, zone that version was read in)."""
    import pyarrow.parquet as pq

    from belfort.catalog.models import Dataset
    from belfort.platform import Platform
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        with platform.db.session() as session:
            dataset = session.get(Dataset, dataset_id)
            assert dataset is not None
            version = dataset.versions[-1]
            path, read_in = platform.lake.absolute(version.path), version.source_details["timezone"]
            zone = dataset.timezone
        return zone, pq.read_table(path).column("tijd").to_pylist(), read_in
    finally:
        platform.close()


def test_ingest_timezone(cli, tmp_path: Path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    source = write(tmp_path / "tijden.csv", NAIVE_TIMES)
    assert cli("ingest", str(source), "--dataset", "gent").exit_code == 0
    r = cli("ingest", str(source), "--dataset", "londen", "--timezone", "Europe/London")
    assert r.exit_code == 0, r.output
    gent, londen = _stored(tmp_path, database_url, "gent"), _stored(tmp_path, database_url, "londen")
    assert gent[0] == gent[2] == "Europe/Brussels" and londen[0] == londen[2] == "Europe/London"
    assert [b - a for a, b in zip(gent[1], londen[1], strict=True)] == [dt.timedelta(hours=1)] * 2
    # a later ingest without the flag keeps the dataset's zone
    assert cli("ingest", str(source), "--dataset", "londen").exit_code == 0
    assert _stored(tmp_path, database_url, "londen")[1:] == londen[1:]


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "x" * 10_000, "../../etc"])
def test_ingest_bad_timezone_is_exit_2(cli, tmp_path: Path, zone: str) -> None:  # type: ignore[no-untyped-def]
    r = cli("ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--timezone", zone)
    assert r.exit_code == 2, r.output
    assert "time zone" in r.output
    assert "tellingen" not in cli("datasets").output


def test_corrupt_and_hostile_files_end_cleanly(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: a garbage Parquet footer, a truncated workbook, a too-wide header → a one-line
    error and exit code 3, no traceback (the runner lets exceptions through)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3]}), buffer)
    data = buffer.getvalue()
    footer = tmp_path / "kapot.parquet"
    footer.write_bytes(data[:-108] + b"garbage!" * 12 + b"abcd" + data[-8:])  # not thrift
    truncated = tmp_path / "half.xlsx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 200)
    monkeypatch.setenv("BELFORT_INGEST_MAX_COLUMNS", "100")
    wide = write(tmp_path / "breed.csv", ",".join(f"k{i}" for i in range(5000)) + "\n")
    for path, words in ((footer, "cannot be read"), (truncated, "truncated or corrupt"), (wide, "columns")):
        r = cli("ingest", str(path), "--dataset", "kapot")
        assert r.exit_code == 3, r.output
        assert "error:" in r.output and words in r.output and "Traceback" not in r.output
    assert "kapot" not in cli("datasets").output


def test_register_import_of_json_nested_too_deep(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same class of mistake in another file reader: JSON nested 100,000 deep was a
    RecursionError traceback."""
    deep = write(tmp_path / "diep.json", "[" * 100_000 + "]" * 100_000)
    r = cli("register", "import", str(deep))
    assert r.exit_code == 2 and "not valid JSON" in r.output and "Traceback" not in r.output
