"""Never-seen filters, side by side (issue 10, item 8): this checkout against older commits
and Datasette, at the same time and under the same load.

Every request carries a filter nobody asked before (``q=bezettingsgraad>=0.xxxxxx`` and a
``start`` 0..990) on a 100,000-row dataset, so no kept answer, materialised result or kept
page can serve it; every Belfort response is checked (its ``Cache-Status`` must say the
answer was computed) and a kept answer fails the run.

One server per code tree (this checkout's ``src`` and ``git archive REV src`` of each
``--against`` commit, all run by this venv's Python, ``belfort serve --workers 2``, each on
its own copy of the same data) and one Datasette over the same rows in SQLite. Rounds
alternate the order of the servers; each round measures, per server:

- one at a time: ``--single`` new filters over one keep-alive connection, p50 (ms), and the
  server's CPU per request (all its processes, from ``/proc``);
- under load: wrk (``-t2 -c{connections} -d{seconds}s``), a new random filter per request, req/s.

Also, once per tree, the same new filters in-process (the v1 search function, no HTTP):
p50 and CPU per request. Medians over rounds are printed, with each tree's ratio to the
first ``--against`` commit, and written to ``bench/out/never-seen.json``.

    .venv/bin/python bench/never_seen.py --against 149fdea --against main   # ~5 min
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from api_bench import (
    LUA_BASE,
    LUA_DATASETTE_FILTER,
    LUA_RANDOM_FILTER,
    SEARCH_DS,
    WRK,
    _load_sqlite,
    parse_wrk,
    write_counts_parquet,
)
from common import LOOPBACK, REPO, Server, bin_path, clean_env, free_port, refuse_hit_response

SEARCH = f"/api/records/1.0/search/?dataset={SEARCH_DS}&rows=10"
DATASETTE_TABLE = "/db/tellingen.json?_size=10&_nofacet=1"  # with its count, as Belfort's nhits
SERVE = "import sys; from belfort.cli import main; sys.argv[0] = 'belfort'; main()"


def threshold(n: int) -> float:
    """The n-th never-seen threshold: distinct for every n below 500,000."""
    return (n * 0.0713 + n * 1e-6) % 0.5


def belfort_url(n: int) -> str:
    return f"{SEARCH}&q=bezettingsgraad%3E%3D{threshold(n):.6f}&start={(n * 97) % 991}"


def datasette_url(n: int) -> str:
    return f"{DATASETTE_TABLE}&bezettingsgraad__gte={threshold(n):.6f}"


def group_cpu_seconds(pgid: int) -> float:
    """CPU (user + system) of every live process in a process group, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / ticks


IDLE_SECONDS = 1.0


def one_at_a_time(base: str, urls: list[str], pgid: int | None, belfort: bool, checked: bool) -> dict[str, float]:
    """p50 and the server's CPU per request; ``server_cpu_net_ms`` subtracts what the
    server's processes burn while idle (measured for ``IDLE_SECONDS`` just before), which a
    loaded machine's longer waits would otherwise add to every request."""
    samples = []
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/health" if belfort else "/-/versions.json")
        idle0 = group_cpu_seconds(pgid) if pgid else 0.0
        time.sleep(IDLE_SECONDS)
        cpu0 = group_cpu_seconds(pgid) if pgid else 0.0
        idle_rate = (cpu0 - idle0) / IDLE_SECONDS
        started = time.perf_counter()
        for url in urls:
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
            if checked:
                refuse_hit_response(response, "never-seen filter, one at a time")
        elapsed = time.perf_counter() - started
        cpu = (group_cpu_seconds(pgid) - cpu0) / len(urls) * 1000 if pgid else float("nan")
    net = cpu - idle_rate * elapsed / len(urls) * 1000
    return {"p50_ms": round(statistics.median(samples), 2), "server_cpu_ms": round(cpu, 2),
            "server_cpu_net_ms": round(net, 2), "idle_cpu_per_s_ms": round(idle_rate * 1000, 2)}


def under_load(base: str, lua: str, path: str, workdir: Path, args: argparse.Namespace, checked: bool) -> dict[str, Any]:
    script = workdir / f"wrk-{time.monotonic_ns()}.lua"
    script.write_text(LUA_BASE + lua.replace("{path}", path))
    cmd = [WRK, "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s", "--timeout", "30s",
           "--latency", "-s", str(script), base + path]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), stdin=subprocess.DEVNULL,
                          timeout=args.seconds + 60)
    script.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr[-1000:]}")
    res = parse_wrk(proc.stdout)
    if res["non_2xx"] or sum(res["socket_errors"].values()):
        raise RuntimeError(f"wrk {base}: {res['non_2xx']} non-2xx, socket errors {res['socket_errors']}")
    if checked and (res.get("answers_kept", 1) != 0 or res.get("answers_unreported", 1) != 0):
        raise RuntimeError(f"wrk {base}: {res.get('answers_kept')} kept answers, "
                           f"{res.get('answers_unreported')} without Cache-Status: not cold")
    return res


def ingest_with(tree: Path, data_dir: Path, parquet: Path, rows: int) -> None:
    """Ingest the rows into a new data directory with ``tree``'s own code (each commit
    knows its own catalogue migrations)."""
    code = (f"import sys; from pathlib import Path; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"from api_bench import _ingest; _ingest(Path({str(data_dir)!r}), {SEARCH_DS!r}, "
            f"Path({str(parquet)!r}), {rows})")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={**clean_env(), "PYTHONPATH": str(tree)}, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"ingest with {tree} failed: {proc.stderr[-2000:]}")


def settle(pgid: int, limit_s: float = 60.0) -> None:
    """Wait until a server's processes are idle (start-up warm-up threads done)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = group_cpu_seconds(pgid)
        time.sleep(1.0)
        if group_cpu_seconds(pgid) - before < 0.05:
            return


def in_process(tree: Path, data_dir: Path, count: int) -> dict[str, float]:
    """The v1 search function over ``count`` new filters in a fresh process of ``tree``."""
    code = f"""
import json, os, statistics, sys, time
os.environ["BELFORT_DATA_DIR"] = {str(data_dir)!r}
sys.path.insert(0, {str(Path(__file__).parent)!r})
from never_seen import threshold
from belfort.api.ods import v1
from belfort.api.ods.records import parse_v1_params
from belfort.api.responses import dumps
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS
from belfort.settings import load_settings
platform = Platform(load_settings())
def one(n):
    items = [("dataset", {SEARCH_DS!r}), ("rows", "10"), ("q", f"bezettingsgraad>={{threshold(n):.6f}}"),
             ("start", str((n * 97) % 991))]
    params = parse_v1_params(items)
    return dumps(v1._search(platform, v1.readable(platform, ANONYMOUS, params.dataset), params))
for n in range(400_000, 400_020):
    one(n)
samples, cpu0 = [], time.process_time()
for n in range(450_000, 450_000 + {count}):
    t0 = time.perf_counter(); one(n); samples.append((time.perf_counter() - t0) * 1000)
cpu = (time.process_time() - cpu0) / {count} * 1000
assert getattr(platform.engine.results, "hits", 0) == 0, "a kept answer served a never-seen filter"
print(json.dumps({{"p50_ms": round(statistics.median(samples), 2), "cpu_ms": round(cpu, 2)}}))
"""
    env = {**clean_env(), "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"in-process run of {tree} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", action="append", default=[], help="a commit to compare with (repeatable)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--single", type=int, default=100, help="new filters one at a time per round")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--in-process", type=int, default=300, help="new filters in-process per tree (0: skip)")
    parser.add_argument("--no-datasette", action="store_true")
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit(f"{WRK} not found: run scripts/bench (it installs wrk)")
    workdir = REPO / "bench" / "out" / "never-seen"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    rows = 100_000
    parquet = write_counts_parquet(workdir / "tellingen.parquet", rows)

    trees: dict[str, Path] = {}
    for rev in args.against:
        out = workdir / f"src-{rev}"
        out.mkdir()
        archive = subprocess.run(["git", "archive", rev, "src"], cwd=REPO, capture_output=True, check=True,
                                 timeout=60).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True, timeout=60)
        head = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
        trees[f"{rev} ({head})" if head != rev else rev] = out / "src"
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          timeout=10).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--short", "--", "src"], cwd=REPO, capture_output=True,
                                text=True, timeout=10).stdout.strip())
    trees[f"this checkout ({head}{', uncommitted changes' if dirty else ''})"] = REPO / "src"

    result: dict[str, Any] = {"command": " ".join(["bench/never_seen.py", *sys.argv[1:]]), "rows": rows,
                              "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                              "trees": list(trees), "rounds": [], "in_process": {}}
    servers: list[tuple[str, Server, str, bool]] = []
    checked: dict[str, bool] = {}  # Belfort servers that say which answers were kept (Cache-Status)
    try:
        for label, tree in trees.items():
            data = workdir / f"data-{len(servers)}"
            ingest_with(tree, data, parquet, rows)
            port = free_port()
            cmd = [sys.executable, "-c", SERVE, "serve", "--data-dir", str(data), "--host", LOOPBACK,
                   "--port", str(port), "--workers", "2"]
            server = Server(cmd, f"http://{LOOPBACK}:{port}/health", workdir / f"serve-{len(servers)}.log",
                            env={"PYTHONPATH": str(tree)})
            server.__enter__()
            servers.append((label, server, f"http://{LOOPBACK}:{port}", True))
            probe = httpx.get(f"http://{LOOPBACK}:{port}{belfort_url(999_999)}", timeout=60)
            # commits before Cache-Status existed cannot prove it; their figures are marked unchecked
            checked[label] = "cache-status" in probe.headers
        if not args.no_datasette:
            db = workdir / "db.db"
            _load_sqlite(parquet, db)
            port = free_port()
            server = Server([bin_path("datasette"), "serve", str(db), "-h", LOOPBACK, "-p", str(port)],
                            f"http://{LOOPBACK}:{port}/-/versions.json", workdir / "datasette.log")
            server.__enter__()
            servers.append(("Datasette (same filter, with its count)", server, f"http://{LOOPBACK}:{port}", False))

        # warm-up: every worker has loaded the version (its rows, ids and table) and is idle
        for n, (label, server, base, belfort) in enumerate(servers):
            assert server.proc is not None
            settle(server.proc.pid)
            warm = argparse.Namespace(**{**vars(args), "seconds": 2})
            under_load(base, LUA_RANDOM_FILTER if belfort else LUA_DATASETTE_FILTER,
                       SEARCH if belfort else DATASETTE_TABLE, workdir, warm, checked.get(label, False))
            settle(server.proc.pid)
        for r in range(args.rounds):
            order = servers[r % len(servers):] + servers[: r % len(servers)]
            measured: dict[str, Any] = {"load_1m": round(os.getloadavg()[0], 2)}
            for i, (label, server, base, belfort) in enumerate(order):
                first = 10_000 * (r * len(servers) + i)
                urls = [(belfort_url if belfort else datasette_url)(first + k) for k in range(args.single)]
                assert server.proc is not None
                single = one_at_a_time(base, urls, server.proc.pid, belfort, checked.get(label, False))
                lua = LUA_RANDOM_FILTER if belfort else LUA_DATASETTE_FILTER
                wrk = under_load(base, lua, SEARCH if belfort else DATASETTE_TABLE, workdir, args,
                                 checked.get(label, False))
                measured[label] = {**single, "req_per_s": wrk["req_per_s"], "wrk_p50_ms": wrk.get("p50_ms")}
                print(f"round {r + 1} {label}: one at a time p50 {single['p50_ms']} ms, server CPU "
                      f"{single['server_cpu_ms']} ms/request (net of idle {single['server_cpu_net_ms']}); "
                      f"wrk {wrk['req_per_s']} req/s", flush=True)
            measured["load_1m_after"] = round(os.getloadavg()[0], 2)
            result["rounds"].append(measured)
    finally:
        for _, server, _, _ in servers:
            server.stop()
    if args.in_process:
        for n, (label, tree) in enumerate(trees.items()):
            result["in_process"][label] = in_process(tree, workdir / f"data-{n}", args.in_process)
            print(f"in-process {label}: {result['in_process'][label]}", flush=True)

    labels = [label for label, _, _, _ in servers]
    summary: dict[str, Any] = {}
    for label in labels:
        per = [rnd[label] for rnd in result["rounds"]]
        summary[label] = {k: round(statistics.median(p[k] for p in per), 2)
                          for k in ("p50_ms", "server_cpu_ms", "server_cpu_net_ms", "req_per_s")}
        summary[label]["req_per_s_rounds"] = [p["req_per_s"] for p in per]
    if args.against:
        base_label = labels[0]
        for label in labels[1:]:
            ratios = [rnd[label]["req_per_s"] / rnd[base_label]["req_per_s"] for rnd in result["rounds"]]
            summary[label][f"req_per_s / {base_label}, per round"] = [round(x, 2) for x in ratios]
            for key in ("server_cpu_ms", "server_cpu_net_ms"):
                less = [rnd[base_label][key] / rnd[label][key] if rnd[label][key] > 0 else float("nan")
                        for rnd in result["rounds"]]
                summary[label][f"{base_label} {key} / this, per round"] = [round(x, 2) for x in less]
    for label in labels:
        if label in checked:
            summary[label]["cold_checked_by_cache_status"] = checked[label]
    result["summary"] = summary
    result["load_1m"] = [rnd["load_1m"] for rnd in result["rounds"]]
    out = REPO / "bench" / "out" / "never-seen.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"load average (1 min) at the start of each round: {result['load_1m']}; written to {out}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
