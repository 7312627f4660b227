"""The reference LDES client (npm ``ldes-client``, run with Node) against a live Belfort on
a free local port: it replicates a whole stream — every member exactly once — and then,
following the stream, receives the members of a version published while it polls."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.linked import ldes
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.conftest import REPO_ROOT
from tests.helpers import live_server, write

JS_DIR = REPO_ROOT / "tests" / "js"
SCRIPT = JS_DIR / "ldes_replicate.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node and (JS_DIR / "node_modules" / "ldes-client").is_dir():
        return node
    if os.environ.get("BELFORT_REQUIRE_NODE") == "1":
        pytest.fail("Node or ldes-client missing (scripts/test runs `npm ci` in tests/js)")
    pytest.skip("Node and `npm ci` in tests/js are needed (scripts/test does both)")


def counts(first: int, rows: int, hour: int = 0) -> str:
    """``rows`` hourly counts at three points, a record key of (telpunt, tijdstip)."""
    lines = ["telpunt;tijdstip;aantal"]
    for i in range(first, first + rows):
        lines.append(f"P{i % 3};2024-03-{1 + i // 24:02d} {(i + hour) % 24:02d}:00:00;{i * 7 % 101}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[Platform, str]]:
    """A platform with pages of 25 members, served by uvicorn on a free port."""
    platform = Platform(settings.model_copy(update={"ldes_page_size": 25}))
    try:
        with live_server(platform) as base:
            yield platform, base
    finally:
        platform.close()


def publish(platform: Platform, tmp_path: Path, text: str, name: str) -> None:
    path = write(tmp_path / name, text)
    ingest_file(platform, CLI_ADMIN, "tellingen", path,
                metadata={"title_nl": "Tellingen", "record_key": ["telpunt", "tijdstip"]})


def expected_members(platform: Platform, base: str) -> list[str]:
    """Every member IRI of the stream, computed by Belfort itself (not over HTTP)."""
    source = ldes.load_source(platform, ANONYMOUS, "tellingen")
    stream = ldes.EventStreams(page_size=25).stream(source)
    out = []
    for index, version in enumerate(source.versions):
        stamp = ldes.uri_timestamp(stream.timestamps[index])
        out += [f"{base}/id/tellingen/{rid}/{stamp}" for rid in stream.log(index).record_ids.to_pylist()]
        assert version.number == index + 1
    return out


def replicate(base: str, *extra: str, timeout: float = 120) -> list[dict[str, Any]]:
    run = subprocess.run([_node(), str(SCRIPT), f"{base}/ldes/tellingen", *extra],
                         capture_output=True, text=True, timeout=timeout, cwd=JS_DIR)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert lines[-1]["done"] == len(lines) - 1
    return lines[:-1]


def test_ldes_client_replicates_every_member_once(live: tuple[Platform, str], tmp_path: Path) -> None:
    platform, base = live
    publish(platform, tmp_path, counts(0, 120), "v1.csv")
    # version 2: 30 counts corrected, 20 gone, 15 new
    header, *rows = counts(0, 100).splitlines()
    corrected = [r.rsplit(";", 1)[0] + ";999" if 10 <= i < 40 else r for i, r in enumerate(rows)]
    new = [f"Q{i};2024-04-01 {i:02d}:00:00;{i}" for i in range(15)]
    publish(platform, tmp_path, "\n".join([header, *corrected, *new]) + "\n", "v2.csv")
    expected = expected_members(platform, base)
    assert len(expected) == 120 + 30 + 20 + 15

    members = replicate(base)
    ids = [m["id"] for m in members]
    assert len(ids) == len(set(ids)), "a member arrived twice"
    assert set(ids) == set(expected)
    by_id = {m["id"]: m for m in members}
    tombstones = [i for i in ids if by_id[i]["type"] == "https://www.w3.org/ns/activitystreams#Delete"]
    assert len(tombstones) == 20
    for member in members:
        assert member["id"].startswith(member["isVersionOf"] + "/")
        assert member["timestamp"] is not None
        assert member["quads"] >= (3 if member["id"] in tombstones else 5)


# the client polls the open page every 200 ms while a version is published: run alone, not
# beside another worker's tests (under that load it once emitted members twice)
@pytest.mark.serial
def test_ldes_client_follows_new_versions(live: tuple[Platform, str], tmp_path: Path) -> None:
    platform, base = live
    publish(platform, tmp_path, counts(0, 60), "v1.csv")  # pages 1, 2 closed; 3 open with 10
    first = expected_members(platform, base)
    more = counts(0, 60) + "\n".join(f"Nieuw{i};2024-05-{1 + i // 24:02d} {i % 24:02d}:00:00;{i}" for i in range(30)) + "\n"
    total = len(first) + 30
    process = subprocess.Popen(
        [_node(), str(SCRIPT), f"{base}/ldes/tellingen", "--follow", "--until", str(total), "--poll", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=JS_DIR,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True)
    reader.start()
    seen: list[str] = []

    def read_until(count: int, deadline: float) -> None:
        while len(seen) < count:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"only {len(seen)} of {count} members arrived; {process.stderr.read() if process.poll() is not None else ''}"
            try:
                line = json.loads(lines.get(timeout=remaining))
            except queue.Empty:
                continue
            if "id" in line:
                seen.append(line["id"])

    try:
        read_until(len(first), time.monotonic() + 60)
        assert sorted(seen) == sorted(first)
        assert process.poll() is None, "the client stopped instead of following"
        publish(platform, tmp_path, more, "v2.csv")
        read_until(total, time.monotonic() + 60)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    new = set(seen) - set(first)
    twice = sorted(i for i, times in Counter(seen).items() if times > 1)
    assert not twice, (f"{len(twice)} members emitted more than once "
                       f"({sum(i in first for i in twice)} of the first version): {twice[:5]}")
    assert len(seen) == total
    assert new == set(expected_members(platform, base)) - set(first)
    assert all("Nieuw" not in m for m in new) and len(new) == 30  # ids are hashes, not names
