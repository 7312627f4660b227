"""Timing, statistics, subprocess and machine helpers shared by the benchmarks."""

from __future__ import annotations

import os
import platform as pyplatform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"


def bin_path(name: str) -> str:
    """An executable of the venv running this script (never one from $PATH)."""
    path = VENV_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run with the project venv's python")
    return str(path)


def clean_env() -> dict[str, str]:
    """The environment for subprocesses: no BELFORT_* settings leaking in from outside."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BELFORT_")}


# --- statistics ------------------------------------------------------------------

def median_ms(fn: Callable[[], object], runs: int) -> float:
    """The median wall time of ``runs`` calls of ``fn``, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (same as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(samples_s: Sequence[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
        "samples_ms": [round(x, 2) for x in ms],
    }


def measure(
    fn: Callable[[], Any],
    *,
    runs: int,
    warmup: int,
    budget_s: float,
    min_runs: int = 3,
) -> tuple[list[float], Any]:
    """Run ``fn`` ``warmup`` times untimed, then up to ``runs`` timed times.

    Timed runs stop early once ``budget_s`` seconds are spent (but never below
    ``min_runs``), so a slow contender cannot make the whole run unbounded.
    Returns (durations in seconds, last result).
    """
    result = None
    for _ in range(warmup):
        result = fn()
    samples: list[float] = []
    spent_from = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
        if len(samples) >= min_runs and time.perf_counter() - spent_from > budget_s:
            break
    return samples, result


# --- cold figures ------------------------------------------------------------------

class CacheHit(RuntimeError):
    """A figure meant to be cold (the work itself) came from a kept answer."""


def refuse_hits(fn: Callable[[], Any], hits: Callable[[], int], label: str) -> Callable[[], Any]:
    """``fn`` checked on every call: the counter ``hits`` (kept answers used) must not move."""

    def checked() -> Any:
        before = hits()
        result = fn()
        if hits() != before:
            raise CacheHit(f"{label}: a kept answer served a run meant to be cold ({hits() - before} hits)")
        return result

    return checked


def require_hits(fn: Callable[[], Any], hits: Callable[[], int], label: str) -> Callable[[], Any]:
    """``fn`` checked on every call: it must be served by a kept answer (a row labelled cached)."""

    def checked() -> Any:
        before = hits()
        result = fn()
        if hits() == before:
            raise RuntimeError(f"{label}: labelled as a kept answer, but no kept answer served it")
        return result

    return checked


def cache_status_of(response: httpx.Response) -> str:
    return response.headers.get("cache-status", "")


def refuse_hit_response(response: httpx.Response, label: str) -> None:
    """A response meant to be cold must not say a kept answer served it (``Cache-Status``)."""
    from belfort.cache_status import any_hit

    if any_hit(cache_status_of(response)):
        raise CacheHit(f"{label}: {response.request.url} was served by a kept answer "
                       f"(Cache-Status: {cache_status_of(response)})")


# --- subprocesses and servers ----------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def run_timed(cmd: list[str], *, timeout: float, cwd: Path | None = None) -> float:
    """Run a command to completion (checked, with a timeout); return its wall time."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:] or proc.stdout[-2000:]}"
        )
    return elapsed


class Server:
    """A server subprocess in its own process group, always stopped on exit."""

    def __init__(self, cmd: list[str], health_url: str, log_path: Path, *, start_timeout: float = 60,
                 env: dict[str, str] | None = None):
        self.cmd = cmd
        self.env = env or {}  # added to clean_env(), e.g. a BELFORT_* setting for this server
        self.health_url = health_url
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = None

    def __enter__(self) -> Server:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**clean_env(), **self.env}, start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[0]} exited early; see {self.log_path}")
            try:
                if httpx.get(self.health_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.health_url} not ready after {self.start_timeout} s")

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(proc.pid, sig)  # the group we created with start_new_session
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- machine -----------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    import duckdb
    import pyarrow

    mem_total = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_total = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = None
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version_of(package: str) -> str | None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(package)
        except PackageNotFoundError:
            return None

    return {
        "nproc": os.cpu_count(),
        "sched_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram": mem_total,
        "cpu": cpu,
        "os": f"{pyplatform.system()} {pyplatform.release()}",
        "python": pyplatform.python_version(),
        "duckdb": duckdb.__version__,
        "sqlite": sqlite3.sqlite_version,
        "pyarrow": pyarrow.__version__,
        "belfort": version_of("belfort"),
        "sqlite-utils": version_of("sqlite-utils"),
        "datasette": version_of("datasette"),
    }


def serve_demo_from(data: Path) -> None:
    """Load the full demo catalogue into ``data`` and point ``BELFORT_DATA_DIR`` at it, for an
    in-process app (``create_app()``) over the demo."""
    from belfort.demo.loader import load_demo
    from belfort.platform import Platform
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=data))
    try:
        for _ in load_demo(platform):
            pass
    finally:
        platform.close()
    os.environ["BELFORT_DATA_DIR"] = str(data)
