"""Live datasets' compacted parts on the S3 lake (issue 16, item 2), against a real SeaweedFS:
two nodes (two platforms with their own data directories, as on two machines) share one
database and one bucket; observations ingested through node A and compacted there are read
through node B's APIs; a part is in the bucket before its row is recorded (a crash between
the two leaves an orphan that nobody reads and the sweep removes); a part gone or cut short
in the bucket is a 503 on a node without a cached copy and ``belfort lake check`` reports it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.app import create_app
from belfort.catalog.models import StreamPart
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams import compaction
from belfort.streams.compaction import collect_unrecorded, compact
from belfort.streams.model import now_us
from tests.lake.seaweedfs import SeaweedS3
from tests.lake.test_s3 import lake_env, lake_settings, objects
from tests.streams.test_live_datasets import V1, register, send
from tests.test_publishing import BELFORT

MINUTE = 60_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SOURCE = "sensorwaarnemingen"
EXPORT = f"/api/belfort/v1/datasets/{SOURCE}/exports/json"
STREAMS = {"live_refresh_seconds": 0, "stream_hot_hours": 1, "stream_retention_days": 2,
           "stream_rollup_retention_days": 5, "live_window_days": 30}


def node_settings(seaweed: SeaweedS3, bucket: str, data_dir: Path, database_url: str
                  ) -> Settings:
    return lake_settings(seaweed, bucket, data_dir, database_url, **STREAMS)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, seaweed: SeaweedS3, bucket: str) -> Settings:
    return node_settings(seaweed, bucket, tmp_path / "node-a", database_url)


@pytest.fixture
def other_node(tmp_path: Path, settings: Settings, seaweed: SeaweedS3, bucket: str
               ) -> Iterator[Platform]:
    """Node B: the same database and bucket, a data directory (cache) of its own."""
    p = Platform(node_settings(seaweed, bucket, tmp_path / "node-b", str(settings.database_url)))
    try:
        yield p
    finally:
        p.close()


def values(client: TestClient) -> list[tuple[str, float]]:
    answer = client.get(EXPORT)
    assert answer.status_code == 200, answer.text
    return sorted((r["tijdstip"], r["waarde"]) for r in answer.json())


def part_objects(seaweed: SeaweedS3, bucket: str) -> list[str]:
    return sorted(k for k in objects(seaweed, bucket) if k.startswith(f"versions/_live/{SOURCE}/"))


def recorded_parts(platform: Platform) -> list[str]:
    with platform.db.session() as session:
        return sorted(session.scalars(select(StreamPart.path)))


def test_parts_compacted_on_one_node_are_read_through_another_nodes_apis(
        platform: Platform, other_node: Platform, seaweed: SeaweedS3, bucket: str) -> None:
    credential = register(platform)
    now = now_us()
    send(platform, credential, "korenmarkt-1",
         [(now - 30 * HOUR + i * 7 * MINUTE, float(i)) for i in range(40)])  # two days
    with TestClient(create_app(platform)) as a:
        before = values(a)
        assert len(before) == 40
        report = compact(platform)
        assert report.parts_written >= 1 and report.compacted_rows >= 39
        recorded = recorded_parts(platform)
        # every recorded part is an object in the bucket, under the same relative path
        assert part_objects(seaweed, bucket) == recorded
        assert all("/parts/raw/" in p for p in recorded)
        assert values(a) == before
        # the lake's own GC (``belfort gc``) leaves parts to the compactor's sweep
        platform.lake.collect_garbage([], min_age_seconds=0)
        assert part_objects(seaweed, bucket) == recorded

    cache_b = other_node.lake.versions_dir / "_live" / SOURCE / "parts"
    assert not cache_b.exists()  # node B never wrote a part: what it reads comes from the store
    with TestClient(create_app(other_node)) as b:
        assert values(b) == before
        v1 = b.get(V1)
        assert v1.status_code == 200 and v1.json()["nhits"] == 40, v1.text
        cached = sorted(str(f.relative_to(other_node.lake.root))
                        for f in cache_b.rglob("*.parquet"))
        assert cached == recorded

        # retention on node A rolls the raw days up: node B answers the rollups from the store
        later = compact(platform, now_us=now + 3 * DAY)
        assert later.rolled_up_days >= 1
        rollups = recorded_parts(platform)
        assert all("/parts/raw/" not in p for p in rollups)
        per_day = b.get(f"/api/belfort/v1/datasets/{SOURCE}-per-dag/exports/json")
        assert per_day.status_code == 200, per_day.text
        assert sum(r["aantal"] for r in per_day.json()) == 40
    # the retired raw parts stay for the grace time (a snapshot on any node may read them) …
    assert set(rollups) < set(part_objects(seaweed, bucket))
    # … and then the sweep removes them from the store
    removed = collect_unrecorded(platform, SOURCE, min_age_seconds=0)
    assert {str(p.relative_to(platform.lake.root)) for p in removed} >= set(recorded)
    assert part_objects(seaweed, bucket) == rollups


def _cli(settings: Settings, seaweed: SeaweedS3, bucket: str, *args: str
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BELFORT, *args, "--data-dir", str(settings.data_dir),
                           "--database-url", str(settings.database_url)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **lake_env(seaweed, bucket)})


def test_a_part_is_uploaded_before_it_is_recorded_and_a_damaged_one_is_a_503_and_reported(
        platform: Platform, other_node: Platform, seaweed: SeaweedS3, bucket: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    credential = register(platform)
    start = now_us() - 5 * HOUR
    zone = platform.settings.stream_day_timezone
    while compaction.day_of(start, zone) != compaction.day_of(start + 10 * MINUTE, zone):
        start -= 15 * MINUTE  # one city day: one part
    send(platform, credential, "korenmarkt-1", [(start + i * MINUTE, float(i)) for i in range(10)])

    def crash(path: Path) -> None:
        raise RuntimeError("killed after the part was uploaded")

    monkeypatch.setattr(compaction, "after_file_written", crash)
    with pytest.raises(RuntimeError):
        compact(platform)
    orphan = part_objects(seaweed, bucket)
    assert len(orphan) == 1 and not recorded_parts(platform)  # in the store, read by nobody
    with TestClient(create_app(platform)) as a:  # its own copy of the part is never read
        assert len(values(a)) == 10  # still from the hot store
    check = _cli(platform.settings, seaweed, bucket, "lake", "check", "--json")
    assert check.returncode == 9, check.stderr
    assert json.loads(check.stdout)["orphaned"] == ["s3:" + orphan[0]]
    # the node's own copy and the object (one path)
    assert len(set(collect_unrecorded(platform, SOURCE, min_age_seconds=0))) == 1
    assert part_objects(seaweed, bucket) == []

    monkeypatch.undo()
    compact(platform)
    [part] = recorded_parts(platform)
    assert _cli(platform.settings, seaweed, bucket, "lake", "check").returncode == 0

    # cut short in the bucket: node B (no cached copy, no snapshot yet) answers 503 with the
    # reason, never 500 (a node with an earlier snapshot keeps serving that one)
    store = seaweed.filesystem()
    key = f"{bucket}/belfort/{part}"
    with store.open_input_stream(key) as source:
        whole = source.read()
    with store.open_output_stream(key) as sink:
        sink.write(whole[: len(whole) // 2])
    with TestClient(create_app(other_node)) as b:
        answer = b.get(EXPORT)
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "lake_unavailable"
        assert "damaged" in answer.json()["message"]
    check = _cli(platform.settings, seaweed, bucket, "lake", "check", "--json")
    assert check.returncode == 9, check.stderr
    [corrupt] = json.loads(check.stdout)["corrupt"]
    assert corrupt["path"] == part and "Parquet" in corrupt["detail"]

    # gone from the bucket: the same, reported missing
    store.delete_file(key)
    with TestClient(create_app(other_node)) as b:
        answer = b.get(EXPORT)
        assert answer.status_code == 503 and "missing" in answer.json()["message"], answer.text
    check = _cli(platform.settings, seaweed, bucket, "lake", "check", "--json")
    assert [m["path"] for m in json.loads(check.stdout)["missing"]] == [part]
    # node A still has its cached copy (parts are immutable): it keeps answering
    with TestClient(create_app(platform)) as a:
        assert len(values(a)) == 10
    assert pq.read_metadata(platform.lake.absolute(part)).num_rows >= 9
