"""The hostile soak harness (bench/soak.py) catches what it is there to catch.

One short real run (the small demo served by ``belfort serve``, a few seconds at a low
rate, public reads only) with test-only requests to a faulty server of this test: one URL
answers 500, one drops the connection, one answers 200. The run must fail and list exactly
those, while measuring the probe and the server's memory. The checks themselves (memory
growth, quota bypass, probe p99, link injection) are also fed made-up figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))

import soak_load  # noqa: E402
import soak_mix  # noqa: E402
import soak_report  # noqa: E402
import soak_wrk  # noqa: E402


class _Faulty(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if self.path == "/boom":
            self.send_response(500)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"boom")
        elif self.path == "/drop":
            self.close_connection = True  # no status line at all: a connection error
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def faulty_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_short_soak_flags_an_injected_500_and_a_dropped_connection(
    tmp_path: Path, faulty_server: str
) -> None:
    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps(
            [
                {"url": faulty_server + "/boom", "label": "injected 500"},
                {"url": faulty_server + "/drop", "label": "injected drop"},
                {"url": faulty_server + "/fine", "label": "injected 200"},
            ]
        )
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "soak.py"),
            "--small",
            "--rate",
            "10",
            "--seconds",
            "5",
            "--kinds",
            "public",
            "--extra-requests",
            str(extra),
            "--extra-rate",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    [summary_path] = out.glob("soak-*.json")
    summary = json.loads(summary_path.read_text())
    failures = summary["failures"]
    by_label: dict[str, list[dict[str, Any]]] = {}
    for failure in failures:
        by_label.setdefault(failure["label"], []).append(failure)
    assert set(by_label) == {"injected 500", "injected drop"}, failures
    assert all(
        f["status"] == 500 and f["request"] == f"GET {faulty_server}/boom"
        for f in by_label["injected 500"]
    )
    assert all(
        f["status"] is None and f["failure"].startswith("connection error")
        for f in by_label["injected drop"]
    )
    checks = {c["name"]: c for c in summary["checks"]["list"]}
    assert checks["answers"]["passed"] is False
    kinds = {row["kind"]: row for row in summary["checks"]["kinds"]}
    # the public reads went through wrk at a fixed rate: 10/s for 5 s less the extra kind's 3/s
    public = summary["public_wrk"]
    assert public["intended"] == 35 and public["statuses"] == {"200": public["requests"]}
    assert public["requests"] >= 34, public
    assert checks["public reads (wrk)"]["passed"], checks["public reads (wrk)"]
    assert kinds["injected"]["statuses"].get("200", 0) >= 1  # the fine URL was asked, not flagged
    # the probe ran in its own process every 100 ms; the server's processes were sampled
    assert sum(m["n"] for m in summary["checks"]["probe_minutes"]) >= 30
    assert summary["memory_samples"] and all(
        s["processes"] >= 1 and s["pss_mb"] > 10 for s in summary["memory_samples"]
    )
    assert (out / summary_path.name.replace(".json", ".md")).read_text().count("injected") >= 2


def _samples(values: list[float], start_s: float = 1.0) -> list[dict[str, Any]]:
    return [
        {"t_s": i * 1.0, "pss_mb": v, "rss_mb": v, "processes": 1, "largest_rss_mb": v}
        for i, v in enumerate(values)
    ]


def test_memory_check_allows_the_caches_and_flags_growth_beyond_them() -> None:
    assert soak_report.check_memory(_samples([400, 400, 700, 650, 650]), 1.0, 300, 50)["passed"]
    peak = soak_report.check_memory(_samples([400, 400, 900, 500, 500]), 1.0, 300, 50)
    assert not peak["passed"] and peak["peak_mb"] == 900
    creeping = soak_report.check_memory(_samples([400, 400] + [760] * 6), 1.0, 300, 50)
    assert not creeping["passed"]


def _attempt(status: int, epoch: float) -> dict[str, Any]:
    return {"attacker": True, "status": status, "sent_epoch": epoch}


def test_quota_check_flags_more_answers_than_the_quota_allows() -> None:
    within = [_attempt(200, 60.0 + i) for i in range(5)] + [
        _attempt(429, 66.0 + i) for i in range(9)
    ]
    assert soak_report.check_quota(within, quota=5, window_s=60)["passed"]
    bypassed = [_attempt(200, 60.0 + i) for i in range(14)]
    result = soak_report.check_quota(bypassed, quota=5, window_s=60)
    assert not result["passed"] and result["served_2xx"] == 14 and result["limit"] == 5


def test_probe_check_is_per_minute_and_fails_on_a_slow_minute_or_a_non_200() -> None:
    quick = [[i * 0.1, 0.005, 200, None] for i in range(1200)]
    rows = soak_report.probe_minutes(quick)
    assert [r["minute"] for r in rows] == [1, 2] and soak_report.check_probe(rows, 100)["passed"]
    slow_second_minute = [
        [s[0], 0.25 if s[0] >= 60 and int(s[0] * 10) % 10 == 0 else s[1], 200, None] for s in quick
    ]
    rows = soak_report.probe_minutes(slow_second_minute)
    assert rows[0]["p99_ms"] < 100 <= rows[1]["p99_ms"]
    assert not soak_report.check_probe(rows, 100)["passed"]
    refused = quick[:-1] + [[119.9, 0.005, 429, None]]
    assert not soak_report.check_probe(soak_report.probe_minutes(refused), 100)["passed"]


def test_link_injection_and_status_judgement() -> None:
    req = soak_mix.Mix(soak_mix.MixConfig(admin_key="k", service_port=1)).link_injection(0)
    assert soak_load.judge(req, 404, None, b'<a href="/datasets?lang=en">EN</a>') is None
    for body in (
        b'<a href="//evil.example/x?lang=en">EN</a>',
        b"<a href='https://evil.example/'>",
        b'<link rel="alternate" href="/\\evil.example/x">',
    ):
        assert "attacker's host" in (soak_load.judge(req, 404, None, body) or ""), body
    admin = soak_mix.Mix(soak_mix.MixConfig(admin_key="bfk_secret", service_port=1)).overflow(7)
    assert "Authorization" in admin.headers and "bfk_secret" not in admin.describe()
    public = soak_mix.Req("public", "x", "GET", "/", allowed=soak_mix.READ_OK)
    assert soak_load.judge(public, 200, None, None) is None
    assert soak_load.judge(public, 503, None, None) is None
    assert "expects" in (soak_load.judge(public, 404, None, None) or "")
    export = soak_mix.Mix(soak_mix.MixConfig(admin_key="k", service_port=1)).export(0)
    assert export.cut_off_after_s == 60.0 and export.timeout_s > 60.0
    cut = "cut off after 61 s (export budget 60 s)"
    assert soak_load.judge(export, 200, cut, None) is None
    assert soak_load.judge(export, None, "connection error: ReadError", None)
    hostile = soak_mix.Req("overflow", "x", "GET", "/")
    assert soak_load.judge(hostile, 400, None, None) is None
    assert soak_load.judge(hostile, 503, None, None) is None
    assert "outside" in (soak_load.judge(hostile, 500, None, None) or "")
    assert "outside" in (soak_load.judge(hostile, 502, None, None) or "")


def test_hostile_files_are_what_they_claim() -> None:
    import io
    import zipfile

    header = soak_mix.wide_csv(1000).split(b"\n")[0]
    assert header.count(b",") == 999
    with zipfile.ZipFile(io.BytesIO(soak_mix.xlsx_far_cell())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:XFD1048576"/>' in sheet and b'r="XFD1048576"' in sheet
    assert len(soak_mix.xlsx_far_cell()) < 5000


def test_wrk_sends_on_schedule_and_counts_every_status_and_error(
    tmp_path: Path, faulty_server: str
) -> None:
    """The soak's public reads: wrk with the Lua schedule sends exactly rate x duration
    requests, spread over the duration (not as fast as it can), and counts a 500 and a
    dropped connection so that the check fails on them."""
    import asyncio
    import time

    reads = soak_wrk.WrkReads(
        faulty_server, ["/fine", "/boom", "/fine", "/drop"], 40.0, 2.0, tmp_path, connections=8
    )

    async def run() -> tuple[dict[str, Any], float]:
        start = time.monotonic() + 0.2
        await reads.start(start)
        return await reads.result(), start

    result, _ = asyncio.run(run())
    assert result["intended"] == 80, result
    # every slot of the schedule was used: answers (a drop makes wrk reconnect and send the
    # next path) plus the dropped ones
    statuses = result["statuses"]
    assert set(statuses) == {"200", "500"} and sum(statuses.values()) == result["requests"]
    assert statuses["500"] >= 15 and result["errors"]["read"] >= 15, result
    assert result["requests"] + result["errors"]["read"] >= 80, result
    assert result["late_over_100ms"] == 0
    check = soak_report.check_public_wrk(result)
    assert not check["passed"] and "500" in check["detail"] and "read error" in check["detail"]
    generator = soak_report.check_generator({"sent": 1}, {**result, "requests": 79})
    assert generator["passed"] is False  # 60 answers (or 79) of 80 is under 99 %
    assert soak_report.check_generator({"sent": 1}, {**result, "requests": 80})["passed"]


def test_wrk_schedule_is_open_loop_with_a_slow_server(tmp_path: Path) -> None:
    """Answers that take 300 ms do not slow the schedule down while connections are free:
    10 requests per second for 2 s over 8 connections all leave on time."""
    import asyncio
    import time

    class _Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            time.sleep(0.3)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reads = soak_wrk.WrkReads(
            f"http://127.0.0.1:{server.server_address[1]}",
            ["/"],
            10.0,
            2.0,
            tmp_path,
            connections=8,
        )

        async def run() -> dict[str, Any]:
            await reads.start(time.monotonic() + 0.2)
            return await reads.result()

        result = asyncio.run(run())
    finally:
        server.shutdown()
        server.server_close()
    assert result["requests"] == 20 and result["statuses"] == {"200": 20}
    assert result["late_over_100ms"] == 0
    assert 300 <= result["latency_ms"]["p50"] < 600


@pytest.mark.serial  # finds a rate by timing a server: alone, not beside another worker's tests
def test_sustained_capacity_finds_the_rate_a_serial_server_keeps_up_with(
    tmp_path: Path,
) -> None:
    """The soak's capacity (``--capacity-method sustained``): a bisection over fixed arrival
    rates. A server that answers one request at a time in 10 ms keeps up with up to ~100
    requests/s; from a closed-loop figure of 150 the search must fall behind at 112.5/s and
    keep up at 93.75/s."""
    import argparse
    import asyncio
    import os
    import time

    import soak

    lock = threading.Lock()

    class _Serial(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with lock:
                time.sleep(0.01)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Serial)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args = argparse.Namespace(steps=2, step_seconds=2.5, wrk_connections=64, connection_close=False)
    try:
        capacity, steps = asyncio.run(
            soak.sustained_capacity(
                f"http://127.0.0.1:{server.server_address[1]}",
                ["/"],
                150.0,
                args,
                tmp_path,
                os.getpgid(0),
            )
        )
    finally:
        server.shutdown()
        server.server_close()
    assert [(s["rate"], s["kept_up"]) for s in steps] == [(112.5, False), (93.8, True)], steps
    assert capacity == 93.75
