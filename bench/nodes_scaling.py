"""Throughput with 1, 2 and 3 nodes behind the load balancer (issue 16, item 7).

Three `belfort serve` nodes (one worker each, each its own caches) share one throw-away
PostgreSQL catalogue (scripts/postgres-throwaway, or BELFORT_BENCH_POSTGRES_URL) and one lake
directory; HAProxy runs `deploy/haproxy.cfg` as it is in the repository. For N nodes
the balancer's other servers point at a closed port (health-checked down before measuring).
wrk (closed loop, 16 connections) asks the v1 search and the native records API through the
balancer, each for `--seconds`; configurations are interleaved round by round and each row is
the median of the rounds. A row "direct" asks node 1 without the balancer.

The nodes run with the answer and result caches off, so every request is computed (a cached
answer would time the cache, not the engine); `--cached` keeps the defaults instead.

    .venv/bin/python bench/nodes_scaling.py [--rounds 3] [--seconds 5] [--rows 100000] [--cached]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nodes_bench import postgres  # noqa: E402  (a sibling script)

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
PATHS = {
    "v1 search": "/api/records/1.0/search/?dataset=tellingen&rows=10&q=aantal>500",
    "native records": "/api/belfort/v1/datasets/tellingen/records?limit=10&aantal__gt=500",
}
UNCACHED = {"BELFORT_ANSWER_CACHE_MB": "0", "BELFORT_RESULT_CACHE_MB": "0"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{base} did not become ready")


def ingest(data: Path, database_url: str, rows: int, workdir: Path) -> None:
    csv = workdir / "tellingen.csv"
    with csv.open("w") as out:
        out.write("telpunt;tijdstip;aantal\n")
        for i in range(rows):
            out.write(f"punt {i % 50};2024-03-{1 + i % 28:02d} {i % 24:02d}:00:00;{i % 1000}\n")
    subprocess.run([sys.executable, "-m", "belfort.cli", "ingest", str(csv), "--dataset",
                    "tellingen", "--title", "Tellingen", "--data-dir", str(data),
                    "--database-url", database_url], check=True, capture_output=True)


def start_node(lake: Path, own: Path, database_url: str, port: int, env: dict[str, str]
               ) -> subprocess.Popen[bytes]:
    """A node on the shared lake directory (as nodes on a shared file system or bucket), with
    its own working and temporary directory (as tests/api/nodes.py)."""
    own.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port), "--workers", "1",
         "--data-dir", str(lake), "--database-url", database_url],
        stdout=subprocess.DEVNULL, stderr=(own / "stderr.log").open("wb"), cwd=own,
        env={**os.environ, "TMPDIR": str(own), **env}, start_new_session=True)


def balancer(front: int, nodes: list[int], dead: int) -> subprocess.Popen[bytes]:
    addresses = [f"127.0.0.1:{p}" for p in nodes] + [f"127.0.0.1:{dead}"] * (3 - len(nodes))
    env = {**os.environ, "BELFORT_FRONT": f"127.0.0.1:{front}",
           **{f"BELFORT_NODE{i + 1}": a for i, a in enumerate(addresses)}}
    proc = subprocess.Popen([HAPROXY, "-f", str(CONFIG), "-db"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{front}", 30)
    time.sleep(3.5)  # the closed port's server is checked down (fall 2, inter 1 s)
    return proc


def wrk(url: str, seconds: int) -> tuple[float, str]:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit(f"{url}: answers other than 200 — not a throughput figure:\n{out}")
    p50 = re.search(r"50%\s+(\S+)", out)
    return rate, f"p50 {p50.group(1)}" if p50 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cached", action="store_true")
    args = parser.parse_args()
    env = {} if args.cached else UNCACHED
    figures: dict[tuple[str, str], list[float]] = {}
    with postgres() as url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lake = work / "lake"
        ingest(lake, url, args.rows, work)
        ports = [free_port() for _ in range(3)]
        nodes = [start_node(lake, work / f"node{i + 1}", url, p, env)
                 for i, p in enumerate(ports)]
        try:
            for p in ports:
                wait_ready(f"http://127.0.0.1:{p}")
            dead, front = free_port(), free_port()
            for r in range(args.rounds):
                for name, path in PATHS.items():
                    rate, note = wrk(f"http://127.0.0.1:{ports[0]}{path}", args.seconds)
                    figures.setdefault(("direct, 1 node", name), []).append(rate)
                    print(f"round {r + 1} direct {name}: {rate:.0f}/s {note}", flush=True)
                for n in (1, 2, 3):
                    proc = balancer(front, ports[:n], dead)
                    try:
                        for name, path in PATHS.items():
                            rate, note = wrk(f"http://127.0.0.1:{front}{path}", args.seconds)
                            figures.setdefault((f"{n} node(s)", name), []).append(rate)
                            print(f"round {r + 1} {n} node(s) {name}: {rate:.0f}/s {note}",
                                  flush=True)
                    finally:
                        proc.send_signal(signal.SIGTERM)
                        proc.wait(10)
        finally:
            for node in nodes:
                os.killpg(node.pid, signal.SIGTERM)
            for node in nodes:
                node.wait(30)
    print(f"\n| configuration | {' | '.join(PATHS)} |\n|---|" + "---:|" * len(PATHS))
    one = {name: statistics.median(figures[("1 node(s)", name)]) for name in PATHS}
    for config in ["direct, 1 node", "1 node(s)", "2 node(s)", "3 node(s)"]:
        cells = []
        for name in PATHS:
            median = statistics.median(figures[(config, name)])
            cells.append(f"{median:.0f}/s ({median / one[name]:.2f}×)")
        print(f"| {config} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
