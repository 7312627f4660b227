"""The source's time zone: times without an offset are local times of the dataset's zone.

Every reader (CSV, XLSX, JSON, GeoJSON, Parquet) and every written form (ISO, day-first,
Excel serial, dates forced to datetimes) reads naive values in the zone it is given;
values with an offset keep their instant whatever the zone. Daylight-saving edges follow
one rule on the vectorised and the per-value path.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from belfort.errors import InvalidRequest
from belfort.ingest import convert_to_parquet
from belfort.ingest.temporal import localize_scalar

UTC = dt.timezone.utc


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def _times(table: pa.Table, column: str = "tijd") -> list[dt.datetime | None]:
    return table.column(column).to_pylist()


NAIVE_CSV = b"id;tijd\n1;2024-01-15 12:00\n2;2024-07-15 12:00\n"


def test_same_naive_csv_in_two_zones_differs_by_the_offset(run):
    brussels, in_brussels = run(NAIVE_CSV)
    london, in_london = run(NAIVE_CSV, timezone="Europe/London")
    # winter: Brussels UTC+1, London UTC+0; summer: +2 and +1 — one hour apart both times
    assert _times(in_brussels) == [_utc(2024, 1, 15, 11), _utc(2024, 7, 15, 10)]
    assert _times(in_london) == [_utc(2024, 1, 15, 12), _utc(2024, 7, 15, 11)]
    for a, b in zip(_times(in_brussels), _times(in_london), strict=True):
        assert b - a == dt.timedelta(hours=1)
    assert brussels.source_details["timezone"] == "Europe/Brussels"
    assert london.source_details["timezone"] == "Europe/London"


def test_far_zones_and_utc(run):
    _, auckland = run(NAIVE_CSV, timezone="Pacific/Auckland")  # NZDT +13 in January, NZST +12 in July
    _, utc = run(NAIVE_CSV, timezone="UTC")
    assert _times(auckland) == [_utc(2024, 1, 14, 23), _utc(2024, 7, 15, 0)]
    assert _times(utc) == [_utc(2024, 1, 15, 12), _utc(2024, 7, 15, 12)]


def test_values_with_an_offset_keep_their_instant_in_any_zone(run):
    data = b"tijd\n2024-01-15T12:00:00+01:00\n2024-01-15T12:00:00Z\n2024-01-15 12:00\n"
    _, brussels = run(data)
    _, new_york = run(data, timezone="America/New_York")
    assert _times(brussels)[:2] == _times(new_york)[:2] == [_utc(2024, 1, 15, 11), _utc(2024, 1, 15, 12)]
    assert _times(brussels)[2] == _utc(2024, 1, 15, 11)
    assert _times(new_york)[2] == _utc(2024, 1, 15, 17)  # EST, UTC-5


def test_day_first_datetimes_and_dates_forced_to_datetime(run):
    data = b"tijd,dag\n15/01/2024 12:00,15/01/2024\n15/07/2024 12:00:30,15/07/2024\n"
    _, table = run(data, timezone="Europe/London", overrides={"dag": "datetime"})
    assert _times(table) == [_utc(2024, 1, 15, 12), _utc(2024, 7, 15, 11, 0, 30)]
    assert _times(table, "dag") == [_utc(2024, 1, 15, 0), _utc(2024, 7, 14, 23)]


def test_excel_serial_datetimes_through_an_override(run):
    # 45306.5 = 2024-01-15 12:00 local
    _, table = run(b"tijd\n45306.5\n", timezone="Asia/Tokyo", overrides={"tijd": "datetime"})
    assert _times(table) == [_utc(2024, 1, 15, 3)]


# --- daylight saving edges -------------------------------------------------------------

EDGES = b"tijd\n2024-03-31 01:59\n2024-03-31 02:30\n2024-03-31 03:00\n2024-10-27 02:30\n2024-10-27 03:00\n"
EDGES_UTC = [
    _utc(2024, 3, 31, 0, 59),  # CET, just before the change
    _utc(2024, 3, 31, 1, 0),   # does not exist: the first instant after the gap (03:00 CEST)
    _utc(2024, 3, 31, 1, 0),   # 03:00 CEST
    _utc(2024, 10, 27, 0, 30),  # happens twice: the earlier one, still summer time
    _utc(2024, 10, 27, 2, 0),  # 03:00 CET
]


def test_dst_edges_in_brussels(run):
    _, table = run(EDGES)
    assert _times(table) == EDGES_UTC


def test_dst_edges_are_the_same_on_the_per_value_path(run):
    # One bad value makes the whole-column conversion fail, so every value goes through
    # the Python path; it must agree with the vectorised one.
    _, table = run(EDGES + b"geen tijd\n", overrides={"tijd": "datetime"}, max_invalid_rows=1)
    assert _times(table)[:5] == EDGES_UTC
    assert _times(table)[5] is None
    for naive, expected in zip(
        [dt.datetime(2024, 3, 31, 2, 30), dt.datetime(2024, 10, 27, 2, 30)],
        [EDGES_UTC[1], EDGES_UTC[3]],
        strict=True,
    ):
        assert localize_scalar(naive, "Europe/Brussels") == expected


def test_dst_edges_follow_the_sources_zone_not_brussels(run):
    # London changes an hour (UTC) earlier than Brussels: 01:30 on 2024-03-31 does not exist there
    _, table = run(b"tijd\n2024-03-31 01:30\n2024-10-27 01:30\n", timezone="Europe/London")
    assert _times(table) == [_utc(2024, 3, 31, 1, 0), _utc(2024, 10, 27, 0, 30)]


# --- every reader ----------------------------------------------------------------------


def test_xlsx_naive_datetimes(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["tijd"])
    sheet.append([dt.datetime(2024, 1, 15, 12, 0)])
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    for zone, expected in (("Europe/Brussels", 11), ("Europe/London", 12)):
        result = convert_to_parquet(path, tmp_path / "out.parquet", timezone=zone)
        assert _times(pq.read_table(tmp_path / "out.parquet")) == [_utc(2024, 1, 15, expected)]
        assert result.source_details["timezone"] == zone


def test_json_and_geojson_naive_datetimes(run):
    records = json.dumps([{"tijd": "2024-07-15T12:00:00"}]).encode()
    _, table = run(records, name="data.json", timezone="America/Chicago")  # CDT, UTC-5
    assert _times(table) == [_utc(2024, 7, 15, 17)]
    collection = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"tijd": "2024-07-15 12:00"},
        "geometry": {"type": "Point", "coordinates": [3.72, 51.05]},
    }]}).encode()
    result, table = run(collection, name="data.geojson", timezone="Europe/London")
    assert _times(table) == [_utc(2024, 7, 15, 11)]
    assert result.source_details["timezone"] == "Europe/London"


def test_parquet_naive_timestamps_and_aware_ones(tmp_path):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({
        "tijd": pa.array([dt.datetime(2024, 1, 15, 12)], pa.timestamp("ms")),
        "utc": pa.array([_utc(2024, 1, 15, 12)], pa.timestamp("s", "UTC")),
        "tekst": pa.array(["2024-01-15 12:00"]),
    }), source)
    for zone, hour in (("Europe/Brussels", 11), ("Europe/London", 12), ("America/New_York", 17)):
        out = tmp_path / f"{hour}.parquet"
        result = convert_to_parquet(source, out, timezone=zone, overrides={"tekst": "datetime"})
        table = pq.read_table(out)
        assert _times(table) == [_utc(2024, 1, 15, hour)]
        assert _times(table, "tekst") == [_utc(2024, 1, 15, hour)]
        assert _times(table, "utc") == [_utc(2024, 1, 15, 12)]
        assert result.source_details["timezone"] == zone


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "x" * 10_000, "../../etc", "/etc/passwd", "europe/brussels"])
def test_unknown_zones_are_refused_before_reading(run, tmp_path, zone):
    with pytest.raises(InvalidRequest, match="time zone"):
        run(NAIVE_CSV, timezone=zone)
    assert not (tmp_path / "out.parquet").exists()
