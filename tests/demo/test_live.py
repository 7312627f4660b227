"""The living demo: its sensors registered once with their credentials kept (0600), recent
history backfilled once, ``belfort demo`` serving a city that moves, ``belfort replay``."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from belfort.catalog.models import Observation, Sensor
from belfort.cli import main
from belfort.demo.live import (
    backfill_demo,
    credentials_path,
    demo_series,
    ensure_sensors,
    prepare_live_demo,
)
from belfort.demo.replay_sources import auckland_series, ghent_bike_series, load_series, slug
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import from_us, now_us
from belfort.streams.sensors import devices, revoke_sensor
from tests.conftest import GHENT_DATA, ghent_data
from tests.streams.test_replay_send import FakeBelfort

REPO = Path(__file__).resolve().parents[2]


def test_the_counting_points_are_zoned_passage_counters() -> None:
    series = auckland_series()
    assert [s.sensor.id for s in series] == [f"TP{i:02d}" for i in range(1, 13)]
    korenmarkt = series[0].sensor
    assert (korenmarkt.zone_id, korenmarkt.counting) == ("korenmarkt", "passages")
    assert korenmarkt.longitude and korenmarkt.latitude
    assert series[6].sensor.zone_id == "zuid-woodrow-wilsonplein" == slug(
        "Zuid (Woodrow Wilsonplein)")
    # Ghent's scale: a busy hour of TP01 is about its level (1,900), not Auckland's
    busy = sorted(v for v in series[0].values["count"] if v)[int(0.95 * len(
        [v for v in series[0].values["count"] if v]))]
    assert 1_500 <= busy <= 2_300


def test_ghent_bike_counters_from_the_shared_data() -> None:
    series = ghent_bike_series(ghent_data())
    ids = {s.sensor.id for s in series}
    assert {"fietstelpaal-bataviabrug", "fietstelpaal-coupure-links"} <= ids
    batavia = next(s for s in series if s.sensor.id == "fietstelpaal-bataviabrug")
    assert batavia.sensor.longitude == pytest.approx(3.73499, abs=1e-4)
    assert batavia.properties == ("hoofdrichting", "tegenrichting", "count")
    assert batavia.start.year == 2018 and batavia.hours > 3 * 8760
    assert load_series(None, ghent_data())[0] == "ghent-bikes"


def test_without_ghent_data_the_source_is_auckland(tmp_path: Path) -> None:
    chosen, series = load_series(None, tmp_path)
    assert chosen == "akl" and len(series) == 12
    with pytest.raises(ValueError):
        load_series("ghent-bikes", tmp_path)


def test_sensors_are_registered_once_and_their_credentials_kept(platform: Platform) -> None:
    series = demo_series(None)
    path = credentials_path(platform.settings.data_dir)
    first = ensure_sensors(platform, series, path)
    assert sorted(first) == [f"TP{i:02d}" for i in range(1, 13)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_sensors(platform, series, path) == first
    assert devices(platform).authenticate(first["TP03"], "TP03", "http").id == "TP03"
    with platform.db.session() as session:
        sensor = session.get(Sensor, "TP01")
        assert sensor is not None and sensor.zone_id == "korenmarkt"
        revoke_sensor(session, "TP12")
    path.unlink()  # lost: new credentials; the revoked sensor stays revoked
    again = ensure_sensors(platform, series, path)
    assert "TP12" not in again and again["TP01"] != first["TP01"]
    devices(platform).forget()
    assert devices(platform).authenticate(again["TP01"], "TP01", "http").id == "TP01"
    path.write_text("<script>not json</script>\x00")
    assert ensure_sensors(platform, series, path).keys() == again.keys()


def test_a_sensor_of_that_id_that_is_not_the_demos_is_left_alone(platform: Platform) -> None:
    from belfort.streams.sensors import SensorSpec, register_sensor

    with platform.db.session() as session:
        theirs = register_sensor(session, SensorSpec("TP01", "Echte teller", "camera", "count",
                                                     organisation="Stad Gent")).credential
    path = credentials_path(platform.settings.data_dir)
    credentials = ensure_sensors(platform, demo_series(None), path)
    assert "TP01" not in credentials and "TP02" in credentials
    assert devices(platform).authenticate(theirs, "TP01", "http").id == "TP01"


def test_the_backfill_stores_recent_weeks_once(platform: Platform) -> None:
    live = prepare_live_demo(platform, days=2, ghent_dir=None)
    assert live.backfilled == 12 * (2 * 24 * 4 - 1) or live.backfilled >= 12 * 2 * 24 * 4 - 24
    with platform.db.session() as session:
        oldest = session.scalar(select(func.min(Observation.phenomenon_us)))
        newest = session.scalar(select(func.max(Observation.phenomenon_end_us)))
    assert oldest is not None and newest is not None
    assert now_us() - oldest <= 2 * 86_400_000_000 and newest <= now_us()
    assert backfill_demo(platform, live.series, 2) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _live_count(database: Path, since: int) -> int:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM observations WHERE phenomenon_us >= :since"),
                {"since": since}).scalar() or 0)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_belfort_demo_serves_a_city_that_moves(tmp_path: Path) -> None:
    """As scripts/start runs it: `belfort demo` on a free port; new observations arrive while
    it runs, and stop when it stops."""
    port = _free_port()
    data = tmp_path / "data"
    env = {**os.environ, "BELFORT_DEMO_REPLAY_SPEED": "3600", "BELFORT_DATA_DIR": str(data)}
    env.pop("BELFORT_DATABASE_URL", None)
    began = now_us()
    process = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "demo", "--small", "--data-dir", str(data),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("the demo server did not come up")
        database = data / "catalog.sqlite"
        deadline = time.monotonic() + 60  # the replay starts once the server answers
        while _live_count(database, began) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        counts = [_live_count(database, began)]
        for _ in range(2):
            time.sleep(2.5)
            counts.append(_live_count(database, began))
        assert counts[0] > 0 and counts[2] > counts[1] > counts[0], counts
        # over HTTP to its own server: TP01's observations read back through the API grow
        route = f"http://127.0.0.1:{port}/api/belfort/v1/sensors/TP01/observations"
        since = {"since": from_us(began).isoformat().replace("+00:00", "Z"), "limit": 10_000}
        before = httpx.get(route, params=since, timeout=30).json()["observations"]
        time.sleep(2.5)
        after = httpx.get(route, params=since, timeout=30).json()["observations"]
        assert len(after) > len(before) > 0
        assert all(o["phenomenon_end"] for o in after)
        # and the live dataset answers Opendatasoft v1 searches with them, seconds old
        search = f"http://127.0.0.1:{port}/api/records/1.0/search/"
        params = {"dataset": "sensorwaarnemingen", "q": "", "rows": 1, "sort": "tijdstip"}
        first = httpx.get(search, params=params, timeout=30).json()
        time.sleep(2.5)
        second = httpx.get(search, params=params, timeout=30).json()
        assert second["nhits"] > first["nhits"] > 0, (first, second)
        assert stat.S_IMODE((data / "demo-sensor-credentials.json").stat().st_mode) == 0o600
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0 or "Shutting down" in output, output
    stopped = _live_count(data / "catalog.sqlite", began)
    time.sleep(2.0)
    assert _live_count(data / "catalog.sqlite", began) == stopped  # it stopped with the server
    assert "live demo: " in output and "Traceback" not in output
    # it went over HTTP to its own server (not straight into the write path)
    assert "POST /api/belfort/v1/observations" in output
    assert "no observations route" not in output


def test_belfort_demo_no_replay_registers_no_sensors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["demo", "--small", "--load-only", "--no-replay",
                                       "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{data / 'catalog.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sensors")).scalar() == 0
    engine.dispose()
    assert not (data / "demo-sensor-credentials.json").exists()


def test_belfort_replay_sends_over_http(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    platform = Platform(settings)
    server = FakeBelfort(platform, _free_port()).start()
    try:
        result = CliRunner().invoke(main, [
            "replay", "--source", "akl", "--speed", "3600", "--url", server.url,
            "--duration", "3s", "--tick", "0.5", "--data-dir", str(settings.data_dir)])
        assert result.exit_code == 0, result.output
        assert "replay ended" in result.output
        with platform.db.session() as session:
            live = session.scalar(select(func.count()).select_from(Observation))
            sensors = {s for s in session.scalars(select(Observation.sensor_id).distinct())}
        assert live and sensors == {f"TP{i:02d}" for i in range(1, 13)}
        assert server.bodies and all(isinstance(b, list) for b in server.bodies)
    finally:
        server.stop()
        platform.close()


@pytest.mark.parametrize("bad", [
    ["--speed", "0"], ["--speed", "nan"], ["--speed", "-5"], ["--duration", "abc"],
    ["--duration", "-5m"], ["--duration", "9" * 400], ["--duration", "1\x00"],
    ["--url", "javascript:alert(1)"], ["--over", "mqtt", "--url", "http://x"],
    ["--start", "<script>"], ["--start", "2021-13-45"], ["--source", "nowhere"],
    ["--tick", "0"], ["--source", "ghent-bikes", "--data", "/nonexistent-dir"],
    ["--source", "akl", "--start", "1990-01-01", "--over", "direct"],
])
def test_belfort_replay_refuses_bad_input(tmp_path: Path, bad: list[str]) -> None:
    result = CliRunner().invoke(main, ["replay", "--data-dir", str(tmp_path / "d"), *bad])
    assert result.exit_code == 2, (bad, result.output)
    assert "Traceback" not in result.output


def test_belfort_replay_refuses_a_bad_credentials_file(tmp_path: Path) -> None:
    for content in ("<script>alert(1)</script>", "[1, 2]", '{"TP01": 5}', "\x00" * 100,
                    "x" * 2_000_000):
        path = tmp_path / "credentials.json"
        path.write_text(content)
        result = CliRunner().invoke(main, ["replay", "--source", "akl", "--credentials",
                                           str(path), "--duration", "1s"])
        assert result.exit_code == 2, (content[:20], result.output)


def test_the_shared_data_is_where_the_tests_expect_it() -> None:
    assert GHENT_DATA.name == "ghent"


def test_belfort_replay_direct_and_a_server_without_the_route(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["replay", "--over", "direct", "--source", "akl",
                                       "--speed", "3600", "--duration", "2s", "--tick", "0.5",
                                       "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{data / 'catalog.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT sensor_id) FROM observations")
                            ).scalar() == 12
    engine.dispose()
    platform = Platform(Settings(data_dir=tmp_path / "other"))
    server = FakeBelfort(platform, _free_port()).start()
    try:
        result = CliRunner().invoke(main, [
            "replay", "--source", "akl", "--speed", "3600", "--url", server.url + "/nothing",
            "--duration", "2s", "--tick", "0.5", "--data-dir", str(data)])
        assert result.exit_code == 1 and "no /api/belfort/v1/observations route" in result.output
    finally:
        server.stop()
        platform.close()


def test_a_restart_after_compaction_does_not_backfill_again(platform: Platform) -> None:
    from belfort.streams.compaction import compact

    live = prepare_live_demo(platform, days=1, ghent_dir=None)
    assert live.backfilled > 0
    report = compact(platform)
    assert report is not None
    with platform.db.session() as session:
        hot = session.scalar(select(func.count()).select_from(Observation))
    assert hot is not None and hot < live.backfilled  # older hours left for the lake
    assert backfill_demo(platform, live.series, 1) == 0
