"""The hostile soak (issue 11, "Done when"): a demo instance under 80 % of its measured
capacity for ``--minutes`` (default 10), mixing public reads, exports and SPARQL with the
hostile patterns of issue 11, while a separate process samples ``GET /api/belfort/v1/datasets``
every 100 ms.

    .venv/bin/python bench/soak.py                 # 10 minutes (+ ~1 min set-up)
    .venv/bin/python bench/soak.py --minutes 1     # a short run
    .venv/bin/python bench/soak.py --rate 20 --seconds 10 --small   # a smoke run

Steps: load the demo catalogue into a fresh data directory (``belfort demo --load-only``),
create an admin key, start ``belfort serve`` in its own process group, warm it up, measure
its capacity on the public reads (closed loop, ``--capacity-tool wrk`` or ``python``), then
run the open-loop mix (bench/soak_mix.py, bench/soak_load.py): the public reads from wrk at
a fixed rate (bench/soak_wrk.py; ``--public-tool python`` sends them from this harness's own
client, which cannot apply much more than ~300 requests/s on one core), the heavy and
hostile kinds from the harness. It fails (exit 1) on:

- any answer outside 2xx/3xx/4xx/503 (a 500, ...), a connection error or a client timeout,
  and public reads answered anything but 2xx/3xx/429/503 — each listed with its request;
- an answer to a link-injection path that links to the attacker's host;
- quota-bypass attempts (one address) served 2xx more often than the per-address quota allows;
- any connection reaching the local listener that SPARQL ``SERVICE`` queries point at;
- the server's memory (PSS of all its processes, SPARQL workers included) growing beyond the
  configured caches (+ ``--memory-slack-mb``) above the level at the start of the soak;
- ``/api/belfort/v1/datasets`` p99 >= 100 ms in any minute, or any probe answer but 200.

Writes ``bench/out/soak-<UTC time>.json`` (every failure, per-minute figures, memory
samples) and ``.md`` (the summary that is also printed).
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, bin_path, free_port, machine_info  # noqa: E402
from soak_load import (  # noqa: E402
    ATTACKER_ADDRESS,
    Listener,
    Load,
    MemorySampler,
    Result,
    client_address,
    group_memory,
    probe_main,
    results_as_dicts,
)
from soak_mix import PROBE_PATH, Mix, MixConfig, load_extra  # noqa: E402
from soak_report import check_all, markdown  # noqa: E402
from soak_wrk import WrkReads, request_script  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
WRK = "/usr/bin/wrk"
MAX_FAILURES_KEPT = 5000  # in the JSON; the grouped table counts them all
PUBLIC_PATHS = 2000  # distinct public-read URLs wrk cycles through
WARM_SECONDS = 12  # wrk's untimed pass over them before the capacity is measured
CAPACITY_ROUNDS = 3  # wrk's capacity: the median of this many rounds of --capacity-seconds / 3
# Fixed arrival rates (per second) of the heavy and hostile kinds; public reads get the rest
# of the total rate. An export every 10 s, a hostile SPARQL query every 10 s (each of its
# five variants every 50 s), an upload every 60 s: each costs as much as hundreds of reads.
DEFAULT_RATES = {
    "export": 0.1,
    "sparql": 0.5,
    "sparql_hostile": 0.1,
    "quota_bypass": 2.0,
    "overflow": 0.5,
    "link_injection": 0.2,
    "upload": 1 / 60,
}
ALL_KINDS = ["public", *DEFAULT_RATES]
# The soak's server: smaller caches than the defaults, so that "no growth beyond the
# configured caches" is a tight check; a per-address quota (clients differ by X-Forwarded-For,
# the attacker always sends the same one).
SERVER_ENV = {
    "BELFORT_RESULT_CACHE_MB": "64",
    "BELFORT_ANSWER_CACHE_MB": "64",
    "BELFORT_DCAT_CACHE_MB": "64",
    "BELFORT_SPARQL_CACHE_MB": "16",
    "BELFORT_LDES_CACHE_MB": "32",
    "BELFORT_DUCKDB_MEMORY_LIMIT": "512MB",
    # settings the issue-11 fixes add (ignored by a server without them): a SPARQL worker's
    # memory beyond the shared store, and an export's time budget
    "BELFORT_SPARQL_WORKER_MEMORY_MB": "512",
    "BELFORT_EXPORT_TIMEOUT_SECONDS": "60",
    "BELFORT_QUOTA_PER_ADDRESS": "30",
    "BELFORT_QUOTA_WINDOW_SECONDS": "60",
    "BELFORT_TRUST_FORWARDED_FOR": "true",
}


def log(msg: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--minutes", type=float, default=10.0, help="length of the soak (default 10)")
    p.add_argument(
        "--seconds", type=float, default=None, help="length in seconds (overrides --minutes)"
    )
    p.add_argument(
        "--load-fraction", type=float, default=0.8, help="of the measured capacity (0.8)"
    )
    p.add_argument(
        "--rate", type=float, default=None, help="total requests/s; skips the capacity measurement"
    )
    p.add_argument(
        "--capacity-seconds",
        type=float,
        default=15.0,
        help="wrk: three rounds of a third of this each; their median counts",
    )
    p.add_argument(
        "--capacity-tool",
        choices=["python", "wrk"],
        default="wrk",
        help="wrk: /usr/bin/wrk, closed loop (default: it costs the server little CPU); "
        "python: this harness's own client (its cost of ~1 core is in the figure)",
    )
    p.add_argument("--capacity-concurrency", type=int, default=16)
    p.add_argument(
        "--capacity-method",
        choices=["sustained", "closed"],
        default="sustained",
        help="sustained (default): the highest fixed arrival rate of public reads the server "
        "keeps up with, searched between half and all of wrk's closed-loop figure in steps of "
        "--step-seconds (a step keeps up when its answers' median stays under 50 ms); "
        "closed: wrk's closed-loop figure itself (requests answered back to back cost the "
        "server less each than requests arriving one by one, so at 80 %% of it the server "
        "had no headroom left: bench/README.md)",
    )
    p.add_argument(
        "--step-seconds",
        type=float,
        default=8.0,
        help="length of each step of the sustained-capacity search",
    )
    p.add_argument("--steps", type=int, default=4, help="steps of the sustained-capacity search")
    p.add_argument(
        "--public-tool",
        choices=["wrk", "python"],
        default="wrk",
        help="who sends the public reads during the soak: wrk (default; a few percent of a "
        "core) or this harness's Python client (about a core per 300 requests/s)",
    )
    p.add_argument("--wrk-connections", type=int, default=64)
    p.add_argument(
        "--connection-close",
        action="store_true",
        help="wrk opens a new connection for every public read (capacity and soak): with "
        "several server workers (BELFORT_WORKERS), kept-alive connections stay with the worker "
        "that accepted them, so the workers' shares would be fixed at the start",
    )
    p.add_argument(
        "--kinds",
        default=",".join(ALL_KINDS),
        help=f"kinds of request in the mix (default all: {','.join(ALL_KINDS)})",
    )
    for kind, rate in DEFAULT_RATES.items():
        p.add_argument(
            f"--{kind.replace('_', '-')}-rate",
            type=float,
            default=rate,
            help=f"{kind} requests per second (default {rate:g})",
        )
    p.add_argument(
        "--extra-requests",
        default=None,
        help="JSON list of extra requests (kind 'injected'; for the harness's own test)",
    )
    p.add_argument("--extra-rate", type=float, default=2.0)
    p.add_argument(
        "--wide-columns", type=int, default=100_000, help="columns of the wide CSV upload"
    )
    p.add_argument("--probe-interval", type=float, default=0.1)
    p.add_argument("--p99-limit-ms", type=float, default=100.0)
    p.add_argument(
        "--memory-slack-mb",
        type=float,
        default=256.0,
        help="allowed growth on top of the configured caches (allocator, interpreter)",
    )
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="BELFORT_X=VALUE",
        help="a setting for the soak's server (repeatable; overrides the soak's defaults)",
    )
    p.add_argument("--small", action="store_true", help="the small demo catalogue (fast)")
    p.add_argument("--out", type=Path, default=OUT, help="where the .json and .md go")
    p.add_argument("--keep-dir", action="store_true", help="keep the data directory")
    return p.parse_args(argv)


# How many requests of each kind the warm-up sends: every variant once (uploads: both).
WARM_UP_VARIANTS = {
    "export": 5,
    "sparql": 1,
    "sparql_hostile": 5,
    "upload": 2,
    "overflow": 10,
    "link_injection": 5,
    "quota_bypass": 2,
}


# --- set-up ---------------------------------------------------------------------------


def prepare_instance(data_dir: Path, small: bool) -> str:
    """The demo catalogue and an admin key (its secret)."""
    cmd = [bin_path("belfort"), "demo", "--load-only", "--data-dir", str(data_dir)]
    subprocess.run(
        cmd + (["--small"] if small else []),
        check=True,
        capture_output=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    done = subprocess.run(
        [bin_path("belfort"), "keys", "create", "soak", "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    secrets = [
        line.strip()
        for line in done.stdout.splitlines()
        if re.fullmatch(r"bfk_[A-Za-z0-9_-]+", line.strip())
    ]
    if not secrets:
        raise RuntimeError(f"no key secret in the output of `belfort keys create`: {done.stdout!r}")
    return secrets[0]


def server_env(overrides: list[str]) -> dict[str, str]:
    env = dict(SERVER_ENV)
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("BELFORT_"):
            raise SystemExit(f"--server-env expects BELFORT_NAME=VALUE, got {item!r}")
        env[name] = value
    return env


def memory_allowance_mb(env: dict[str, str]) -> dict[str, Any]:
    """What the server's settings allow it to keep: every ``*_cache_mb``, DuckDB's memory
    limit and, when a per-worker SPARQL memory limit exists, that times the workers — per
    server process. Read from belfort.settings as the server would read the environment."""
    import os

    from belfort.settings import Settings

    saved = {k: v for k, v in os.environ.items() if k.startswith("BELFORT_")}
    for k in saved:
        del os.environ[k]
    os.environ.update(env)
    try:
        settings = Settings()
    finally:
        for k in env:
            os.environ.pop(k, None)
        os.environ.update(saved)
    values = settings.model_dump()
    parts: dict[str, float] = {
        k: float(v)
        for k, v in values.items()
        if k.endswith("_cache_mb") and isinstance(v, int | float)
    }
    parts["duckdb_memory_limit"] = _size_mb(str(values.get("duckdb_memory_limit", "0")))
    if isinstance(values.get("version_tables_mb"), int | float):
        parts["version_tables_mb"] = float(values["version_tables_mb"])
    for k, v in values.items():
        if (
            k.startswith("sparql_")
            and "memory" in k
            and k.endswith("_mb")
            and isinstance(v, int | float)
        ):
            parts[f"{k} x sparql_workers"] = float(v) * float(values.get("sparql_workers", 1))
    workers = int(values.get("workers", 1) or 1)
    return {
        "parts_mb": parts,
        "server_processes": workers,
        "total_mb": round(sum(parts.values()) * workers, 1),
    }


def _size_mb(text: str) -> float:
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?i?B?)\s*", text, re.IGNORECASE)
    if not match:
        return 0.0
    unit = match.group(2).upper().rstrip("B").rstrip("I")
    factor = {"": 1 / 1024 / 1024, "K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}[unit]
    return float(match.group(1)) * factor


async def warm_up(load: Load, mix: Mix, kinds: list[str]) -> None:
    """Every kind of request a few times (each variant of the heavy and hostile kinds once)
    before the capacity is measured: the first SPARQL query builds the store, and the first
    export of a big version cost 4.9 s under load against 0.5 s after it (measured) — a
    cold start the soak is not about."""
    for i in range(12):
        await load.send(mix.make("public", i), time.monotonic())
    for kind in kinds:
        if kind in WARM_UP_VARIANTS:
            for i in range(WARM_UP_VARIANTS[kind]):
                await load.send(mix.make(kind, i), time.monotonic())
    load.results.clear()


def wrk_capacity(
    base_url: str,
    paths: list[str],
    seconds: float,
    concurrency: int,
    work: Path,
    *,
    close: bool = False,
) -> float:
    lua = work / "capacity.lua"
    lua.write_text(request_script(paths, close=close))
    done = subprocess.run(
        [
            WRK,
            "-t2",
            f"-c{concurrency}",
            f"-d{int(seconds)}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            base_url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    match = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return float(match.group(1))


# A step of the sustained-capacity search keeps up when (almost) every request left on
# schedule and the answers did not queue: an overloaded server's queue grows through the
# step, so half of its answers wait longer than the median allowed here (an overload of 5 %
# for 8 s at 230/s puts ~90 requests in the queue, ~400 ms); a server that keeps up answers
# half of them at once (these are saturation markers, not the soak's latency target)
KEEP_UP_P50_MS = 50.0
KEEP_UP_P99_MS = 1000.0
KEEP_UP_LATE_SHARE = 0.01


async def sustained_capacity(
    base_url: str,
    paths: list[str],
    closed_loop: float,
    args: argparse.Namespace,
    work: Path,
    pgid: int,
) -> tuple[float, list[dict[str, Any]]]:
    """The highest fixed arrival rate of public reads that the server keeps up with: a
    bisection between half and all of the closed-loop figure, each step ``--step-seconds``
    of wrk's open-loop schedule (the soak's own way of sending them: 64 connections, one
    request at each slot). Returns it and every step's figures."""
    low, high = 0.5 * closed_loop, closed_loop
    steps: list[dict[str, Any]] = []
    for _ in range(args.steps):
        rate = (low + high) / 2
        before = group_memory(pgid)
        reads = WrkReads(
            base_url,
            paths,
            rate,
            args.step_seconds,
            work,
            connections=args.wrk_connections,
            close=args.connection_close,
        )
        started = time.monotonic()
        await reads.start(started + 0.05)
        found = await reads.result()
        after = group_memory(pgid)
        wall = time.monotonic() - started
        kept_up = (
            found["latency_ms"]["p50"] <= KEEP_UP_P50_MS
            and found["latency_ms"]["p99"] <= KEEP_UP_P99_MS
            and found["late_over_100ms"] <= KEEP_UP_LATE_SHARE * found["intended"]
            and found["requests"] >= (1 - KEEP_UP_LATE_SHARE) * found["intended"]
        )
        steps.append(
            {
                "rate": round(rate, 1),
                "kept_up": kept_up,
                "latency_ms": found["latency_ms"],
                "late_over_100ms": found["late_over_100ms"],
                "requests": found["requests"],
                "intended": found["intended"],
                "server_cores": round((after["cpu_s"] - before["cpu_s"]) / wall, 2),
                "serving_process_cores": round(
                    (after["serving_cpu_s"] - before["serving_cpu_s"]) / wall, 2
                ),
            }
        )
        log(f"  step {rate:.1f}/s: {'kept up' if kept_up else 'fell behind'} {steps[-1]}")
        if kept_up:
            low = rate
        else:
            high = rate
        await asyncio.sleep(min(2.0, args.step_seconds / 4))  # a backlog drains
    return low, steps


def rates_for(total: float, kinds: list[str], args: argparse.Namespace) -> dict[str, float]:
    rates = {k: float(getattr(args, f"{k}_rate")) for k in DEFAULT_RATES if k in kinds}
    if "injected" in kinds:
        rates["injected"] = args.extra_rate
    if "public" in kinds:
        rates["public"] = max(total - sum(rates.values()), 1.0)
    return rates


# --- the run ----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    duration = args.seconds if args.seconds is not None else args.minutes * 60
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    extra = load_extra(args.extra_requests)
    if extra and "injected" not in kinds:
        kinds.append("injected")
    unknown = set(kinds) - {*ALL_KINDS, "injected"}
    if unknown:
        raise SystemExit(f"unknown kinds {sorted(unknown)}; known: {ALL_KINDS}")
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="soak-", dir=OUT))
    env = server_env(args.server_env)
    started = datetime.now(UTC)
    summary: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "started_utc": started.strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": duration,
        "kinds": kinds,
        "server_env": env,
        "machine": machine_info(),
    }
    listener = Listener()
    listener.start()
    try:
        data_dir = work / "data"
        log(f"loading the {'small' if args.small else 'full'} demo into {data_dir}")
        admin_key = prepare_instance(data_dir, args.small)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        cmd = [
            bin_path("belfort"),
            "serve",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        mix = Mix(
            MixConfig(
                admin_key=admin_key,
                service_port=listener.port,
                wide_columns=args.wide_columns,
                extra=extra,
                export_budget_s=float(env.get("BELFORT_EXPORT_TIMEOUT_SECONDS", "300")),
            )
        )
        with Server(cmd, base_url + "/health", work / "server.log", env=env) as server:
            assert server.proc is not None
            pgid = server.proc.pid  # start_new_session: the server leads its own group
            summary["memory_allowance"] = allowance = memory_allowance_mb(env)
            summary.update(
                asyncio.run(_measure_and_soak(args, base_url, mix, kinds, duration, pgid, work))
            )
            summary["service_listener_connections"] = listener.connections
            summary["checks"] = check_all(
                summary,
                allowance,
                args.p99_limit_ms,
                args.memory_slack_mb,
                int(env["BELFORT_QUOTA_PER_ADDRESS"]),
                int(env["BELFORT_QUOTA_WINDOW_SECONDS"]),
            )
        summary["server_log_tail"] = (work / "server.log").read_text(errors="replace")[-4000:]
    finally:
        listener.stop()
        if not args.keep_dir:
            shutil.rmtree(work, ignore_errors=True)
    return summary


async def _measure_and_soak(
    args: argparse.Namespace,
    base_url: str,
    mix: Mix,
    kinds: list[str],
    duration: float,
    pgid: int,
    work: Path,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # wrk's public reads: the same URLs for the capacity and the soak, so both meet the
    # same state of the server's caches (the capacity run warms them for the soak)
    public_paths = [mix.make("public", i).url for i in range(PUBLIC_PATHS)]
    async with Load(base_url) as load:
        log("warming up (the first SPARQL query builds the store)")
        await warm_up(load, mix, kinds)
        if args.rate is not None:
            total = args.rate
            out["capacity"] = {"given_rate": total}
        else:
            log(
                f"measuring capacity: public reads, closed loop, {args.capacity_concurrency} "
                f"clients, {args.capacity_seconds:g} s ({args.capacity_tool})"
            )
            if args.capacity_tool == "wrk":
                # one untimed pass first: every URL once, so that the measured figure is the
                # capacity of the state the soak meets (the soak reads the same URLs)
                close = args.connection_close
                wrk_capacity(
                    base_url,
                    public_paths,
                    WARM_SECONDS,
                    args.capacity_concurrency,
                    work,
                    close=close,
                )
                # the median of three rounds: one noisy round (a neighbour's burst on the
                # shared cores, or a quiet moment) does not set the soak's rate
                rounds = [
                    wrk_capacity(
                        base_url,
                        public_paths,
                        max(1.0, args.capacity_seconds / CAPACITY_ROUNDS),
                        args.capacity_concurrency,
                        work,
                        close=close,
                    )
                    for _ in range(CAPACITY_ROUNDS)
                ]
                capacity = statistics.median(rounds)
                out["capacity_rounds"] = [round(r, 1) for r in rounds]
                bad: list[Result] = []
                if args.capacity_method == "sustained":
                    out["closed_loop_requests_per_s"] = round(capacity, 1)
                    log(f"closed loop: {capacity:.1f}/s; searching the sustained rate")
                    capacity, out["capacity_steps"] = await sustained_capacity(
                        base_url, public_paths, capacity, args, work, pgid
                    )
            else:
                capacity = await load.closed_loop(
                    mix, "public", args.capacity_seconds, args.capacity_concurrency
                )
                bad = [r for r in load.results if r.failure]
            total = capacity * args.load_fraction
            out["capacity"] = {
                "tool": args.capacity_tool,
                "method": args.capacity_method if args.capacity_tool == "wrk" else "closed",
                "requests_per_s": round(capacity, 1),
                "load_fraction": args.load_fraction,
                "failures": len(bad),
            }
            load.results.clear()
        rates = rates_for(total, kinds, args)
        out["rates"] = {k: round(v, 3) for k, v in rates.items()}
        out["total_rate"] = round(sum(rates.values()), 2)
        log(f"soak: {duration:g} s at {out['total_rate']} requests/s: {out['rates']}")
        sampler = MemorySampler(pgid)
        sampler.start()
        await asyncio.sleep(1.5)  # the first samples: the level the soak starts from
        start_epoch = time.time() + 0.5
        probe_file = work / "probe.json"
        probe = multiprocessing.get_context("spawn").Process(
            target=probe_main,
            args=(
                base_url,
                PROBE_PATH,
                start_epoch,
                duration,
                args.probe_interval,
                str(probe_file),
            ),
            daemon=True,
        )
        probe.start()
        await asyncio.sleep(max(start_epoch - time.time(), 0))
        load_before, cpu_before, wall_before = os.getloadavg()[0], _own_cpu_s(), time.monotonic()
        children_before = _children_cpu_s()
        wrk: WrkReads | None = None
        if args.public_tool == "wrk" and "public" in rates:
            wrk = WrkReads(
                base_url,
                public_paths,
                rates["public"],
                duration,
                work,
                connections=args.wrk_connections,
                close=args.connection_close,
            )
            await wrk.start(time.monotonic() + 0.05)
        python_rates = {k: v for k, v in rates.items() if wrk is None or k != "public"}
        out["generator"] = await load.open_loop(mix, python_rates, duration)
        if wrk is not None:
            out["public_wrk"] = await wrk.result()
        wall = time.monotonic() - wall_before
        out["cpu"] = {
            "client_cores": round((_own_cpu_s() - cpu_before) / wall, 2),
            "wrk_cores": round((_children_cpu_s() - children_before) / wall, 2),
            "load_1m_before": round(load_before, 2),
            "load_1m_after": round(os.getloadavg()[0], 2),
        }
        probe.join(timeout=60)
        if probe.is_alive():
            probe.terminate()
        await asyncio.sleep(1)  # memory after the last answers
        out["memory_samples"] = samples = sampler.stop()
        during = [x for x in samples if x["t_s"] >= 1.5]
        if len(during) >= 2 and during[-1]["t_s"] > during[0]["t_s"]:
            span = during[-1]["t_s"] - during[0]["t_s"]
            out["cpu"]["server_cores"] = round((during[-1]["cpu_s"] - during[0]["cpu_s"]) / span, 2)
            out["cpu"]["serving_process_cores"] = round(
                (during[-1]["serving_cpu_s"] - during[0]["serving_cpu_s"]) / span, 2
            )
        out["memory_soak_start_s"] = 1.5
        out["probe"] = json.loads(probe_file.read_text()) if probe_file.exists() else []
        out["results"] = results_as_dicts(load.results)
    return out


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where is the harness now?
    args = parse_args(argv)
    summary = run(args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(summary)
    results = summary.pop("results")
    summary["requests_total"] = len(results)
    failed = [r for r in results if r["failure"]]
    failed.sort(key=lambda r: r["kind"] == "public")  # the rarer kinds first, then the reads
    summary["failures"] = failed[:MAX_FAILURES_KEPT]
    summary["failures_total"] = len(failed)
    # every request of the rarer kinds (the heavy and hostile ones), to line them up with
    # the probe's slow answers
    summary["rare_kinds"] = [r for r in results if r["kind"] != "public"][:MAX_FAILURES_KEPT]
    summary["attacker"] = {"address": ATTACKER_ADDRESS, "example_client": client_address(1)}
    json_path = args.out / f"soak-{stamp}.json"
    json_path.write_text(json.dumps(summary, indent=1, default=str))
    (args.out / f"soak-{stamp}.md").write_text(text)
    print(text)
    print(f"\nwritten: {json_path} and {json_path.with_suffix('.md')}")
    return 0 if summary["checks"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
