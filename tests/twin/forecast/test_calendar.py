"""A city's calendar file (``--calendar``): public holidays, school holidays and events."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from belfort.cli import main
from belfort.errors import ForecastInputInvalid
from belfort.twin.forecast import calendar as cal
from belfort.twin.forecast.calendar import Calendar, read_calendar
from tests.twin.forecast import synthetic

ROOT = Path(__file__).resolve().parents[3]
GHENT = (
    "date,end,kind,name\n"
    "2025-07-18,2025-07-27,event,Gentse Feesten\n"
    "2025-01-29,2025-02-02,event,Lichtfestival\n"
    "2025-11-12,,public_holiday,An extra local holiday\n"
    "2025-10-25,2025-11-02,school_holiday,Herfstvakantie\n"
)


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "calendar.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_calendar_file_adds_events_and_holidays_and_decides_school_holidays(
    tmp_path: Path,
) -> None:
    extra = read_calendar(_write(tmp_path, GHENT))
    assert extra.rows == 4
    assert extra.summary() == {"public_holiday": 1, "school_holiday": 9, "event": 15}
    assert extra.names[date(2025, 7, 20)] == ("Gentse Feesten",)
    ghent = Calendar("BE", extra)
    assert ghent.event(date(2025, 7, 27)) and not ghent.event(date(2025, 7, 28))
    assert ghent.public_holiday(date(2025, 11, 12))  # from the file
    assert ghent.public_holiday(date(2025, 11, 11))  # Armistice Day, from `holidays`
    # The file lists school holidays, so it decides them: the built-in summer holiday is
    # no longer one, the file's autumn break is.
    assert ghent.school_holiday(date(2025, 10, 30))
    assert not ghent.school_holiday(date(2025, 7, 15))
    assert Calendar("BE").school_holiday(date(2025, 7, 15))
    assert not Calendar("BE").event(date(2025, 7, 20))


def test_the_auckland_calendar_in_bench_has_the_term_breaks_and_events() -> None:
    auckland = Calendar("NZ", read_calendar(ROOT / "bench" / "akl_calendar.csv"))
    for day in (date(2023, 10, 1), date(2024, 4, 20), date(2025, 9, 27), date(2025, 12, 24),
                date(2024, 1, 15)):
        assert auckland.school_holiday(day), day
    for day in (date(2023, 11, 8), date(2024, 10, 14), date(2025, 10, 6), date(2025, 12, 19)):
        assert not auckland.school_holiday(day), day
    assert auckland.event(date(2024, 11, 24)) and auckland.event(date(2025, 12, 31))
    assert auckland.event(date(2025, 10, 12)) and not auckland.event(date(2025, 10, 13))
    assert auckland.public_holiday(date(2025, 1, 27))  # Auckland Anniversary Day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,kind,name\n2025-01-01,event,x\n", "missing: date"),
        ("date,name\n2025-01-01,x\n", "missing: kind"),
        ("", "missing: date, kind, name"),
        ("date,kind,name\nsoon,event,x\n", "line 2: not an ISO date"),
        ("date,kind,name\n2025-01-01,event,x\n2025-02-30,event,y\n", "line 3: not an ISO"),
        ("date,kind,name\n<script>alert(1)</script>,event,x\n", "line 2: not an ISO date"),
        ("date,kind,name\n2025-01-01,party,x\n", "line 2: kind must be one of"),
        ("date,end,kind,name\n2025-01-05,2025-01-01,event,x\n", "end must be on or after"),
        ("date,end,kind,name\n2025-01-01,2027-01-01,event,x\n", "at most 366 days"),
        ("date,end,kind,name\n2025-01-01,later,event,x\n", "not an ISO date in the end"),
        ("date,kind,name\n2025-01-01,event,\x1b[31mred\n", "control characters"),
        ("date,kind,name\n2025-01-01,event," + "x" * 201 + "\n", "longer than 200"),
        ("date,kind,name\n2025-01-01,event,\"" + "x" * 150_000 + "\"\n",
         "line 2: longer than 1000"),
    ],
)
def test_bad_calendar_files_are_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ForecastInputInvalid, match=message):
        read_calendar(_write(tmp_path, text))


def test_hostile_calendar_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ForecastInputInvalid, match="NUL bytes"):
        read_calendar(_write(tmp_path, b"date,kind,name\n2025-01-01,event,a\x00b\n"))
    with pytest.raises(ForecastInputInvalid, match="not UTF-8"):
        read_calendar(_write(tmp_path, b"date,kind,name\n2025-01-01,event,\xff\xfe\n"))
    huge = "date,kind,name\n" + "2025-01-01,event,x\n" * (cal.MAX_CALENDAR_BYTES // 18 + 1)
    with pytest.raises(ForecastInputInvalid, match="larger than"):
        read_calendar(_write(tmp_path, huge))
    many = "date,kind,name\n" + "2025-01-01,event,\n" * (cal.MAX_CALENDAR_ROWS + 1)
    with pytest.raises(ForecastInputInvalid, match="more than 20000 rows"):
        read_calendar(_write(tmp_path, many))
    # Markup is only a name: it is kept as text, never interpreted.
    extra = read_calendar(_write(tmp_path, "date,kind,name\n2025-01-01,event,<b>x</b>\n"))
    assert extra.names[date(2025, 1, 1)] == ("<b>x</b>",)


def test_the_command_reads_the_calendar_file_and_says_so(tmp_path: Path) -> None:
    counts = synthetic.write(tmp_path / "c.csv", sensors=2, days=50)
    good = _write(tmp_path, GHENT)
    result = CliRunner().invoke(main, [
        "twin", "backtest", "--input", str(counts), "--horizon", "12", "--origins", "2",
        "--no-mstl", "--calendar", str(good),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"]["calendar_file_days"] == {
        "public_holiday": 1, "school_holiday": 9, "event": 15}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"date,kind,name\n2025-01-01,event,a\x00\n")
    result = CliRunner().invoke(main, [
        "twin", "backtest", "--input", str(counts), "--no-mstl", "--calendar", str(bad),
    ])
    assert result.exit_code == 3
    assert "--calendar: the file contains NUL bytes" in " ".join(result.stderr.split())


@pytest.mark.parametrize("process_limit", [131_072, 1 << 28],
                         ids=["csv-default", "raised-by-ingest"])
def test_a_long_line_is_refused_alike_whatever_the_process_csv_limit(
    tmp_path: Path, process_limit: int
) -> None:
    """``csv.field_size_limit`` is one setting for the whole process (the ingest raises it):
    the readers neither depend on it nor change it."""
    import csv

    from belfort.twin.forecast.series import read_counts

    before = csv.field_size_limit(process_limit)
    try:
        with pytest.raises(ForecastInputInvalid, match="line 2: longer than 1000"):
            read_calendar(_write(tmp_path, "date,kind,name\n2025-01-01,event,"
                                 + "x" * 150_000 + "\n"))
        counts = tmp_path / "counts.csv"
        counts.write_text("sensor_id,timestamp,count\na,2025-01-01T00:00:00," + "9" * 20_000 + "\n")
        with pytest.raises(ForecastInputInvalid, match="line 2: longer than 10000"):
            read_counts(counts, "Europe/Brussels")
        assert csv.field_size_limit() == process_limit
    finally:
        csv.field_size_limit(before)
