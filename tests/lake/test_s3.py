"""The lake on S3-compatible object storage (issue 16, item 2), against a real SeaweedFS:
publication uploads before the catalogue commits, every dialect reads through the node's
bounded cache, a second node reads the same versions, a SIGKILLed ingest leaves nothing
visible, an unreachable store is 503 with its reason, and bad settings stop the start."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine, select

from belfort.app import create_app
from belfort.catalog.models import Dataset, Version
from belfort.errors import LakeSettingsInvalid, LakeUnavailable
from belfort.lake.objects import LakeLocation, ObjectStore
from belfort.lake.store import Lake, sha256_of
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.helpers import counts_csv, free_port
from tests.lake.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedS3
from tests.test_publishing import BELFORT, published_rows

NATIVE = "/api/belfort/v1/datasets/tellingen/records"
V1 = "/api/records/1.0/search/?dataset=tellingen"
V21 = "/api/explore/v2.1/catalog/datasets/tellingen/records"


def lake_env(seaweed: SeaweedS3, bucket: str, secret: str = SECRET_KEY) -> dict[str, str]:
    return {"BELFORT_LAKE_URL": f"s3://{bucket}/belfort",
            "BELFORT_LAKE_ENDPOINT_URL": seaweed.endpoint, "BELFORT_LAKE_REGION": "us-east-1",
            "BELFORT_LAKE_ACCESS_KEY": ACCESS_KEY,
            "BELFORT_LAKE_SECRET_KEY": secret}


def lake_settings(seaweed: SeaweedS3, bucket: str, data_dir: Path, database_url: str,
                  **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir, "database_url": database_url, "public_url": TEST_BASE,
        "lake_url": f"s3://{bucket}/belfort", "lake_endpoint_url": seaweed.endpoint,
        "lake_region": "us-east-1", "lake_access_key": ACCESS_KEY, "lake_secret_key": SECRET_KEY,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, seaweed: SeaweedS3, bucket: str) -> Settings:
    return lake_settings(seaweed, bucket, tmp_path / "data", database_url)


def objects(seaweed: SeaweedS3, bucket: str) -> dict[str, int]:
    """Every object in the bucket's lake: relative path → size."""
    store = ObjectStore(LakeLocation.parse(f"s3://{bucket}/belfort"), endpoint_url=seaweed.endpoint,
                        region="us-east-1", access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    return {o.relative_path: o.byte_size for o in store.listing("versions")}


def ingest(platform: Platform, tmp_path: Path, name: str = "tellingen.csv") -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path, name),
                metadata={"title_nl": "Tellingen"})


def read_everywhere(client: TestClient) -> None:
    """The version's five rows through the native API, Opendatasoft v1 and v2.1."""
    native = client.get(NATIVE)
    assert native.status_code == 200, native.text
    assert len(native.json()["records"]) == 5
    v1 = client.get(V1)
    assert v1.status_code == 200, v1.text
    assert v1.json()["nhits"] == 5
    v21 = client.get(V21)
    assert v21.status_code == 200, v21.text
    assert v21.json()["total_count"] == 5


def version_path(platform: Platform) -> tuple[str, str]:
    with platform.db.session() as session:
        row = session.execute(select(Version.path, Version.checksum)).one()
        return row[0], row[1]


def test_a_published_version_is_in_the_bucket_and_every_dialect_reads_it(
        platform: Platform, client: TestClient, seaweed: SeaweedS3, bucket: str,
        tmp_path: Path) -> None:
    ingest(platform, tmp_path)
    path, checksum = version_path(platform)
    stored = objects(seaweed, bucket)
    assert path in stored and path.startswith("versions/tellingen/")
    local = platform.lake.absolute(path)
    assert stored[path] == local.stat().st_size and sha256_of(local) == checksum
    read_everywhere(client)
    local.unlink()  # evicted from this node's cache: the next read downloads it again
    read_everywhere(client)
    assert sha256_of(local) == checksum
    assert not any(platform.lake.staging_dir.iterdir())  # no download left behind


def test_a_second_node_reads_the_version_into_its_own_cache(
        platform: Platform, settings: Settings, tmp_path: Path) -> None:
    ingest(platform, tmp_path)
    path, checksum = version_path(platform)
    other = Platform(settings.model_copy(update={"data_dir": tmp_path / "node-2"}))
    try:
        assert not other.lake.cached_files()
        with TestClient(create_app(other)) as second:
            read_everywhere(second)
        assert other.lake.cached_files() == [other.lake.absolute(path)]
        assert sha256_of(other.lake.absolute(path)) == checksum
    finally:
        other.close()


def _staged(lake: Lake, size: int) -> Path:
    staged = lake.new_staging_dir() / "data.parquet"
    staged.write_bytes(os.urandom(size))
    return staged


def test_the_cache_keeps_its_bound_least_recently_used_first(seaweed: SeaweedS3, bucket: str,
                                                             tmp_path: Path) -> None:
    store = ObjectStore(LakeLocation.parse(f"s3://{bucket}/belfort"), endpoint_url=seaweed.endpoint,
                        region="us-east-1", access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    size, bound = 100_000, 250_000
    writer = Lake(tmp_path / "writer", store, cache_bytes=bound)
    writer.recent_seconds = 0
    files = [writer.commit_version_file(_staged(writer, size), "d").relative_path for _ in range(5)]
    assert set(files) <= set(objects(seaweed, bucket))
    assert sum(f.stat().st_size for f in writer.cached_files()) <= bound  # the writer's copies too

    reader = Lake(tmp_path / "reader", store, cache_bytes=bound)
    reader.recent_seconds = 0
    first, second, third = (reader.absolute(f) for f in files[:3])
    reader.version_file(files[0])
    reader.version_file(files[1])
    reader.version_file(files[0])  # used again: now the most recent
    reader.version_file(files[2])  # over the bound: the least recently used goes
    assert set(reader.cached_files()) == {first, third}
    assert not second.exists()
    assert reader.version_file(files[1]) == second and second.stat().st_size == size

    # a file read within the last minute is never evicted under a query reading it
    pinned = Lake(tmp_path / "pinned", store, cache_bytes=bound)
    for f in files[:3]:
        pinned.version_file(f)
    assert len(pinned.cached_files()) == 3


def _cli(settings: Settings, seaweed: SeaweedS3, bucket: str, *args: str,
         secret: str = SECRET_KEY) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BELFORT, *args, "--data-dir", str(settings.data_dir),
                           "--database-url", str(settings.database_url)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **lake_env(seaweed, bucket, secret)})


@contextmanager
def catalogue_held(settings: Settings) -> Iterator[None]:
    """Another writer holds what an ingest's commit needs (SQLite: the write lock; PostgreSQL:
    the dataset's row, which the commit locks FOR UPDATE), so an ingest uploads its version
    and then waits to commit its row."""
    url = str(settings.database_url)
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            held = connection.execute(select(Dataset.id).where(Dataset.id == "tellingen")
                                      .with_for_update()).all()
            assert held == [("tellingen",)]
            yield
            transaction.rollback()
    finally:
        engine.dispose()


def test_sigkill_between_upload_and_commit_leaves_nothing_visible_and_gc_removes_the_orphan(
        settings: Settings, seaweed: SeaweedS3, bucket: str, tmp_path: Path) -> None:
    first = _cli(settings, seaweed, bucket, "ingest", str(counts_csv(tmp_path)),
                 "--dataset", "tellingen", "--title", "Tellingen")
    assert first.returncode == 0, first.stderr
    assert published_rows(settings) == (1, 5, [1])
    assert len(objects(seaweed, bucket)) == 1
    with catalogue_held(settings):
        proc = subprocess.Popen(
            [*BELFORT, "ingest", str(counts_csv(tmp_path, "nieuw.csv")), "--dataset", "tellingen",
             "--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **lake_env(seaweed, bucket)})
        deadline = 60.0
        started = time.monotonic()
        while len(objects(seaweed, bucket)) < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() - started < deadline, "the ingest never uploaded"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
    assert published_rows(settings) == (1, 5, [1])  # nothing of the killed ingest is visible

    check = _cli(settings, seaweed, bucket, "lake", "check", "--json")
    assert check.returncode == 9, check.stderr
    report = json.loads(check.stdout)
    assert report["checked"] == 1 and not report["missing"] and not report["corrupt"]
    # the version file, and its record-times file if the kill came after that upload too
    assert 1 <= len(report["orphaned"]) <= 2, report
    assert all(o.startswith("s3:versions/tellingen/") for o in report["orphaned"])

    gc = _cli(settings, seaweed, bucket, "gc", "--min-age", "0")
    assert gc.returncode == 0, gc.stderr
    assert len(objects(seaweed, bucket)) == 1
    assert _cli(settings, seaweed, bucket, "lake", "check").returncode == 0
    again = _cli(settings, seaweed, bucket, "ingest", str(counts_csv(tmp_path, "weer.csv")),
                 "--dataset", "tellingen")
    assert again.returncode == 0, again.stderr
    assert published_rows(settings)[0] == 2


def test_an_unreachable_store_is_503_with_its_reason_and_reads_recover(
        platform: Platform, client: TestClient, seaweed: SeaweedS3, bucket: str,
        tmp_path: Path) -> None:
    ingest(platform, tmp_path)
    path, _ = version_path(platform)
    platform.lake.absolute(path).unlink()  # not cached on this node
    seaweed.stop()
    try:
        for url in (NATIVE, V1, V21):
            answer = client.get(url)
            assert answer.status_code == 503, answer.text
            assert "the object store cannot be reached" in answer.text  # each dialect's shape
            assert answer.headers["retry-after"] == "5"
        assert client.get(NATIVE).json()["error"] == "lake_unavailable"
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert "object store cannot be reached" in ready.json()["checks"]["lake"]
        with pytest.raises(LakeUnavailable, match="publishing failed: the object store cannot"):
            ingest_file(platform, CLI_ADMIN, "anders", counts_csv(tmp_path, "anders.csv"),
                        metadata={"title_nl": "Anders"})
        with pytest.raises(LakeUnavailable, match="cannot be reached"):  # reads the last one
            ingest(platform, tmp_path, "nieuw.csv")
        with platform.db.session() as session:
            assert session.scalars(select(Version.number)).all() == [1]  # nothing half-published
        assert not any(platform.lake.staging_dir.iterdir())
    finally:
        seaweed.start()
    assert client.get("/ready").status_code == 200
    # the restarted store lists at once but may answer reads only once its volume server has
    # registered again (INTERNAL_FAILURE meanwhile): Belfort recovers as soon as it does
    deadline = time.monotonic() + 60
    while client.get(NATIVE).status_code != 200:
        assert time.monotonic() < deadline, client.get(NATIVE).text
        time.sleep(0.5)
    read_everywhere(client)
    assert set(objects(seaweed, bucket)) == {path}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_lake_settings_are_refused_at_start(seaweed: SeaweedS3, bucket: str,
                                               tmp_path: Path, database_url: str) -> None:
    for url in ("http://bucket/x", "s3://", "s3://B/x", "s3://bucket/../etc", "s3://bucket/a?b=c",
                "s3://" + "b" * 70, "s3://bucket/" + "x" * 300, "s3://user:pw@bucket/x"):
        with pytest.raises(ValidationError, match="BELFORT_LAKE_URL"):
            lake_settings(seaweed, bucket, tmp_path / "d", database_url, lake_url=url)
    missing = lake_settings(seaweed, bucket, tmp_path / "d", database_url,
                            lake_url="s3://no-such-bucket-here/belfort")
    with pytest.raises(LakeSettingsInvalid, match="the bucket does not exist"):
        Platform(missing)
    wrong = lake_settings(seaweed, bucket, tmp_path / "d", database_url,
                          lake_secret_key="not-the-secret-at-all")
    with pytest.raises(LakeSettingsInvalid, match="refused the credentials") as refused:
        Platform(wrong)
    assert "not-the-secret-at-all" not in str(refused.value) + repr(wrong)
    endpoint = lake_settings(seaweed, bucket, tmp_path / "d", database_url,
                             lake_endpoint_url="ftp://127.0.0.1/x")
    with pytest.raises(LakeSettingsInvalid, match="ENDPOINT_URL"):
        Platform(endpoint)
    half = lake_settings(seaweed, bucket, tmp_path / "d", database_url, lake_secret_key=None)
    with pytest.raises(LakeSettingsInvalid, match="go together"):
        Platform(half)

    serve = subprocess.run(
        [*BELFORT, "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "d"),
         "--database-url", database_url], capture_output=True, text=True, timeout=120,
        env={**os.environ, **lake_env(seaweed, bucket, "not-the-secret-at-all")})
    assert serve.returncode == 2, serve.stderr
    assert "refused the credentials" in serve.stderr
    assert "not-the-secret-at-all" not in serve.stderr + serve.stdout
