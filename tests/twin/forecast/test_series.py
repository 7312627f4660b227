"""Reading and cleaning a counts file: every bad hour handled and counted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from belfort.errors import ForecastInputInvalid
from belfort.twin.forecast.series import impute, read_counts
from tests.twin.forecast import synthetic


def test_outage_gap_negative_and_absurd_are_counted_and_not_observations(tmp_path: Path) -> None:
    def value(s: int, wall: datetime, i: int) -> float | None:
        if s == 0 and 100 <= i < 130:
            return 0  # 30 zero hours: an outage
        if s == 0 and 200 <= i < 205:
            return 0  # 5 zero hours: a quiet street, kept
        if s == 0 and i == 300:
            return -4
        if s == 0 and i == 301:
            return 5_000_000
        if s == 1 and 400 <= i < 410:
            return None  # no rows: a gap
        return round(synthetic.level(s, wall))

    panel = read_counts(synthetic.write(tmp_path / "c.csv", value=value), "Europe/Brussels")
    first = panel.report["sensors"]["sensor-0"]
    assert first["outage_hours"] == 30
    assert first["negative_counts"] == 1
    assert first["absurd_counts"] == 1
    assert panel.report["sensors"]["sensor-1"]["gap_hours"] == 10
    assert panel.report["sensors"]["sensor-0"]["gap_hours"] == 0
    s0 = panel.sensors.index("sensor-0")
    assert int(np.sum(panel.outage[s0])) == 30
    assert int(np.sum(panel.values[s0] == 0)) == 5
    assert int(np.sum(np.isnan(panel.values[s0]))) == 32
    filled, imputed = impute(panel, panel.hours)
    assert not np.isnan(filled).any()
    assert int(imputed[s0].sum()) == 32
    assert (filled[s0][imputed[s0]] > 0).all()  # outage zeros are not imputed as zeros


def test_daylight_saving_hours(tmp_path: Path) -> None:
    """Brussels: 30 March 2025 02:00 does not exist; 26 October 02:00 occurs twice."""
    path = synthetic.write(
        tmp_path / "dst.csv", sensors=1, days=10, start=datetime.fromisoformat(
            "2025-03-27T00:00:00+00:00"))
    panel = read_counts(path, "Europe/Brussels")
    assert panel.report["dst"]["skipped_hours"] == 1
    skipped = panel.index(datetime(2025, 3, 30, 2))
    assert panel.dst_gap[skipped]
    assert panel.report["sensors"]["sensor-0"]["gap_hours"] == 0
    path = synthetic.write(
        tmp_path / "dst2.csv", sensors=1, days=5, start=datetime.fromisoformat(
            "2025-10-24T00:00:00+00:00"),
        value=lambda s, wall, i: 100 if wall.hour != 2 else 10 * i)
    panel = read_counts(path, "Europe/Brussels")
    assert panel.report["dst"]["repeated_hours_averaged"] == 1
    twice = panel.index(datetime(2025, 10, 26, 2))
    # UTC hours 0 and 1 of 26 October are both 02:00 local: hour indices 48 and 49
    assert panel.values[0, twice] == pytest.approx((10 * 48 + 10 * 49) / 2)


def test_naive_timestamps_are_local_and_duplicates_counted(tmp_path: Path) -> None:
    path = tmp_path / "naive.csv"
    path.write_text(
        "sensor_id,timestamp,count\n"
        "a,2025-01-01T00:00:00,5\n"
        "a,2025-01-01T00:00:00,7\n"
        "a,2025-01-01 01:00,6\n", encoding="utf-8")
    panel = read_counts(path, "Europe/Brussels")
    assert panel.report["duplicate_rows_ignored"] == 1
    assert panel.values[0].tolist() == [5.0, 6.0]


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "\ufeffSensor_ID,Timestamp,Count,extra\n"
        "a,2025-01-01T00:00:00+01:00,5,x\n"
        "a,yesterday,5,x\n"
        "a,2025-01-01T00:30:00+01:00,5,x\n"
        "a,2025-01-01T01:00:00+01:00,lots,x\n"
        "a,2025-01-01T02:00:00+01:00,nan,x\n"
        "a\x00b,2025-01-01T03:00:00+01:00,5,x\n"
        "<script>alert(1)</script>,2025-01-01T03:00:00+01:00,5,x\n"
        + "z" * 300 + ",2025-01-01T03:00:00+01:00,5,x\n"
        "a,2025-01-01T04:00:00+01:00,,x\n"
        "a,2025-01-01T05:00:00+01:00\n", encoding="utf-8")
    panel = read_counts(path, "Europe/Brussels")
    report = panel.report
    assert report["rows_read"] == 10
    assert report["rejected_by_reason"] == {
        "timestamp is not ISO 8601": 1,
        "timestamp is not on the hour": 1,
        "count is not a number": 2,
        "sensor_id empty, too long or with control characters": 2,
        "too few columns": 1,
    }
    assert report["rows_rejected"] == 7
    assert report["empty_counts"] == 1
    assert panel.sensors == ("<script>alert(1)</script>", "a")  # data, kept verbatim
    assert report["rejected_examples"][0] == {"line": 3, "reason": "timestamp is not ISO 8601"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"sensor,time,value\na,2025-01-01T00:00:00,1\n", "missing: sensor_id, timestamp, count"),
        (b"sensor_id,timestamp,count\n", "no usable rows"),
        (b"sensor_id,timestamp,count\na,never,1\n", "no usable rows"),
        (b"sensor_id,timestamp,count\n\xff\xfe,2025,1\n", "not UTF-8"),
        (b"sensor_id,timestamp,count\na,2025-01-01T00:00:00,\"" + b"9" * 20_000 + b"\"\n",
         "line 2: longer than 10000 characters"),
    ],
)
def test_unusable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ForecastInputInvalid, match=message) as caught:
        read_counts(path, "Europe/Brussels")
    assert caught.value.http_status == 422


def test_too_many_rows_and_hours_are_refused(tmp_path: Path) -> None:
    path = synthetic.write(tmp_path / "c.csv", sensors=1, days=3)
    with pytest.raises(ForecastInputInvalid, match="more than 10 rows"):
        read_counts(path, "Europe/Brussels", max_rows=10)
    with pytest.raises(ForecastInputInvalid, match="more than 24 hours"):
        read_counts(path, "Europe/Brussels", max_hours=24)
    path.write_text("sensor_id,timestamp,count\na,1000-01-01T00:00:00,1\n"
                    "a,9999-01-01T00:00:00,1\n", encoding="utf-8")
    with pytest.raises(ForecastInputInvalid, match="no usable rows"):
        read_counts(path, "Europe/Brussels")


def test_unknown_time_zone(tmp_path: Path) -> None:
    path = synthetic.write(tmp_path / "c.csv", sensors=1, days=1)
    with pytest.raises(ForecastInputInvalid, match="unknown time zone"):
        read_counts(path, "Mars/Olympus")
