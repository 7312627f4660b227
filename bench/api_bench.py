"""(c) The Opendatasoft-compatible API under load: Belfort (2 workers) versus Datasette, with wrk.

Measured, all over loopback HTTP against ``belfort serve --workers 2``:

1. v1 ``/api/records/1.0/search/`` on a 100,000-row dataset ``tellingen``: a new filter
   on every request (cold: each answer checked by its ``Cache-Status`` header), the same
   URL repeated (answer cache), a random ``start`` per request, a random ``start`` plus a
   unique ignored parameter per request (no whole answer kept, but pages are slices of a
   kept result), and one facet. The ``kept answers`` share of every row is measured.
2. Datasette serving the same 100,000 rows from SQLite (one process), table JSON with
   and without a facet, and with the same kind of new filter on every request (without
   and with its count); ratios Belfort req/s ÷ Datasette req/s.
3. CSV export of 1,000,000 rows (v1 ``download`` and, when present, Explore v2.1
   ``exports/csv``), streamed with httpx to nowhere, median of 3.
4. Explore v2.1 ``records`` with ``where`` + ``group_by`` over 10,000,000 rows under wrk
   (when the route exists), plus the same question through v1 ``analyze`` and the native
   ``/api/belfort/v1`` records endpoint.

wrk runs are bounded (``-d``), every subprocess and HTTP call has a timeout, servers run
in their own process group and are always stopped. A wrk run with any non-2xx answer or
socket error is recorded as a failure, printed loudly, and makes ``run.py`` exit 1.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from common import LOOPBACK, Server, bin_path, clean_env, free_port, refuse_hit_response
from data import CSV_SENSORS, write_observations_parquet

SEARCH_DS = "tellingen"
BIG_DS = "big"
OBS_DS = "observaties"
HTTP_TIMEOUT_S = 120.0
WRK = "/usr/bin/wrk"
V1_SEARCH = "/api/records/1.0/search/"
V21 = "/api/explore/v2.1/catalog/datasets"
V21_RECORDS_ROUTE = "/api/explore/v2.1/catalog/datasets/{dataset_id}/records"

# The 10M-row question (item 4), in the three dialects that can ask it.
V21_GROUPBY = {
    "select": "telpunt, count(*) as n, avg(aantal) as gem",
    "where": "tijdstip >= date'2024-01-01'",
    "group_by": "telpunt",
    "order_by": "n desc",
    "limit": "10",
}
V1_ANALYZE = {
    "dataset": OBS_DS, "x": "telpunt", "y.n.func": "COUNT", "y.gem.func": "AVG", "y.gem.expr": "aantal",
    "q": "tijdstip>=2024-01-01", "sort": "-n", "maxpoints": "10",
}
NATIVE_GROUPBY = {
    "select": "telpunt,count(*),avg(aantal)", "tijdstip__gte": "2024-01-01T00:00:00+00:00",
    "group_by": "telpunt", "order_by": "-count(*)", "limit": "10",
}

# wrk scripts. Each wrk thread has its own Lua state; setup() hands each one an id so
# the random sequences differ between threads. Every run counts, from each response's
# Cache-Status header (belfort.cache_status), how many answers were kept ones and how many
# were computed, and prints the totals at the end: a row meant to be cold that got a kept
# answer is refused.
LUA_BASE = """
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 100 + tid)
  n = 0
  kept = 0
  computed = 0
  unreported = 0
end
function response(status, headers, body)
  local value = headers["cache-status"] or headers["Cache-Status"]
  if value == nil then
    unreported = unreported + 1
  elseif string.find(value, "; hit", 1, true) then
    kept = kept + 1
  else
    computed = computed + 1
  end
end
function done(summary, latency, requests)
  local k, c, u = 0, 0, 0
  for _, thread in ipairs(threads) do
    k = k + thread:get("kept")
    c = c + thread:get("computed")
    u = u + thread:get("unreported")
  end
  io.write(string.format("CACHE-STATUS kept=%d computed=%d unreported=%d\\n", k, c, u))
end
"""
LUA_RANDOM_START = """
function request()
  local start = math.random(0, 9990)
  return wrk.format(nil, "{path}&start=" .. start)
end
"""
LUA_RANDOM_START_NONCE = """
function request()
  n = n + 1
  local start = math.random(0, 9990)
  return wrk.format(nil, "{path}&start=" .. start .. "&bench_nonce=" .. tid .. "-" .. n)
end
"""
# A different filter on every request: no answer, no materialised result and no kept
# row set can be reused, so each request runs its own DuckDB query (and count).
# Nine decimals: 500 million thresholds, so that a server answering ~700 req/s for minutes
# is still not asked the same filter three times (asked twice, a question is materialised;
# the third time it is a kept answer, which the never-seen rows refuse).
LUA_RANDOM_FILTER = """
function request()
  local threshold = string.format("%.9f", math.random() / 2)
  return wrk.format(nil, "{path}&q=bezettingsgraad%3E%3D" .. threshold .. "&start=" .. math.random(0, 990))
end
"""
# The same kind of filter for Datasette (its table filter syntax); first page only, as
# Datasette's table pages have no offset (they page with a _next token).
LUA_DATASETTE_FILTER = """
function request()
  local threshold = string.format("%.9f", math.random() / 2)
  return wrk.format(nil, "{path}&bezettingsgraad__gte=" .. threshold)
end
"""
LUA_RANDOM_GROUPBY_FILTER = """
function request()
  return wrk.format(nil, "{path}%20and%20aantal%20%3C%3E%20" .. math.random(0, 100000000))
end
"""


def _single_random_filter(i: int) -> str:
    return f"&q=bezettingsgraad%3E%3D{(i * 0.0713) % 0.5:.6f}&start={(i * 97) % 991}"


def _single_datasette_filter(i: int) -> str:
    return f"&bezettingsgraad__gte={(i * 0.0713) % 0.5:.6f}"


def _single_random_groupby_filter(i: int) -> str:
    return f"%20and%20aantal%20%3C%3E%20{1_000_003 + i}"


# --- data ----------------------------------------------------------------------------

def write_counts_parquet(path: Path, rows: int, *, seed: int = 11) -> Path:
    """Hourly counts: ``telpunt`` (40 values), ``tijdstip`` (UTC), ``aantal``, ``bezettingsgraad``.

    Hour-major: each hour from 2022-01-01 00:00 UTC has one row per sensor.
    """
    rng = np.random.default_rng(seed)
    sensors = np.array(CSV_SENSORS)
    k = len(sensors)
    idx = np.arange(rows, dtype=np.int64)
    hour = idx // k
    start_us = int(np.datetime64("2022-01-01T00:00:00", "us").astype(np.int64))
    daily = 1.0 + np.sin((hour % 24) / 24 * 2 * np.pi)
    aantal = rng.poisson(50 + (idx % k) * 10 * daily).astype(np.int64)
    bezetting = np.round(rng.random(rows), 2)
    table = pa.table({
        "telpunt": pa.array(sensors[idx % k]),
        "tijdstip": pa.array(start_us + hour * 3_600_000_000, type=pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "aantal": pa.array(aantal),
        "bezettingsgraad": pa.array(bezetting),
    })
    pq.write_table(table, path, compression="snappy", row_group_size=1_000_000)
    return path


def _ingest(data_dir: Path, dataset: str, path: Path, rows: int) -> float:
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=data_dir, database_url=None))
    try:
        t0 = time.perf_counter()
        outcome = ingest_file(platform, CLI_ADMIN, dataset, path, metadata={"title_nl": "Bench"})
        elapsed = time.perf_counter() - t0
    finally:
        platform.close()
    if not (outcome.row_count == rows and outcome.published):
        raise RuntimeError(f"ingest of {dataset} gave {outcome!r}")
    return elapsed


def _load_sqlite(parquet_path: Path, db: Path) -> dict[str, Any]:
    """The same rows into SQLite table ``tellingen``; tijdstip as ISO text in UTC."""
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE TABLE tellingen (telpunt TEXT, tijdstip TEXT, aantal INTEGER, bezettingsgraad REAL)")
        for batch in pq.ParquetFile(parquet_path).iter_batches(batch_size=200_000):
            seconds = batch.column("tijdstip").cast(pa.timestamp("s", tz="UTC"))
            stamps = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
            conn.executemany(
                "INSERT INTO tellingen VALUES (?, ?, ?, ?)",
                zip(batch.column("telpunt").to_pylist(), stamps.to_pylist(), batch.column("aantal").to_pylist(),
                    batch.column("bezettingsgraad").to_pylist(), strict=True),
            )
        conn.commit()
        rows = conn.execute("SELECT count(*) FROM tellingen").fetchone()[0]
    finally:
        conn.close()
    return {"load_s": round(time.perf_counter() - t0, 2), "rows": rows}


# --- wrk -------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise RuntimeError(f"wrk printed no Requests/sec:\n{out[-2000:]}")
    res["req_per_s"] = round(float(m.group(1)), 1)
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            res[f"p{pct}_ms"] = round(_ms(m.group(1)), 2)
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", out)
    if m:
        res["requests"] = int(m.group(1))
        res["duration"] = m.group(2)
        res["read"] = m.group(3)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    names = ("connect", "read", "write", "timeout")
    res["socket_errors"] = dict(zip(names, map(int, m.groups()), strict=True)) if m else {}
    m = re.search(r"CACHE-STATUS kept=(\d+) computed=(\d+) unreported=(\d+)", out)
    if m:
        res["answers_kept"], res["answers_computed"], res["answers_unreported"] = map(int, m.groups())
        seen = res["answers_kept"] + res["answers_computed"]
        res["kept_share"] = round(res["answers_kept"] / seen, 4) if seen else None
    return res


class Wrk:
    def __init__(self, workdir: Path, cfg: dict[str, Any], log, failures: list[str]):
        if not Path(WRK).exists():
            raise FileNotFoundError(f"{WRK} not found: apt-get install -y wrk")
        self.workdir = workdir
        self.cfg = cfg
        self.log = log
        self.failures = failures
        self.scripts = 0

    def args(self) -> list[str]:
        c = self.cfg
        return ["-t", str(c["wrk_threads"]), "-c", str(c["wrk_connections"]), "-d", f"{c['wrk_seconds']}s",
                "--timeout", "30s", "--latency"]

    def _single(self, base: str, path: str, lua: str | None, vary: Callable[[int], str] | None,
                cold: bool = False) -> dict[str, Any]:
        """Latency without concurrency: a few sequential GETs; when the load varies its requests,
        distinct never-cached ones (``vary(i)`` appended, by default a random page and a
        unique ``bench_nonce``)."""
        samples = []
        with httpx.Client(base_url=base, timeout=HTTP_TIMEOUT_S) as client:
            for i in range(self.cfg["single_runs"]):
                if lua is None:
                    url = path
                elif vary is not None:
                    url = path + vary(i)
                else:
                    url = f"{path}&start={(i * 997) % 9991}&bench_nonce=single-{self.scripts}-{i}"
                t0 = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:500]}")
                if cold:
                    refuse_hit_response(response, "one at a time")
        return {"p50_ms": round(statistics.median(samples), 2), "samples_ms": [round(x, 2) for x in samples]}

    def run(self, label: str, base: str, path: str, lua: str | None = None, *, belfort: bool = True,
            vary: Callable[[int], str] | None = None, cold: bool = False) -> dict[str, Any]:
        """One wrk run. ``cold``: the row is meant to time the work itself, so every answer
        must say (Cache-Status) that it was computed; a kept answer makes it a failure."""
        cmd = [WRK, *self.args()]
        self.scripts += 1
        script = self.workdir / f"wrk-{self.scripts}.lua"
        script.write_text(LUA_BASE + (lua or "").replace("{path}", path))
        cmd += ["-s", str(script)]
        cmd.append(base + path)
        single = self._single(base, path, lua, vary, cold)
        load_before = os.getloadavg()[0]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), stdin=subprocess.DEVNULL,
                              timeout=self.cfg["wrk_seconds"] + 60)
        if proc.returncode != 0:
            raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr[-2000:]}")
        res = parse_wrk(proc.stdout)
        res["loadavg_1m_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        res["single_request_ms"] = single
        res["command"] = " ".join(cmd[:-1] + [f"'{cmd[-1]}'"]).replace(str(self.workdir) + "/", "")
        if lua is not None:
            res["lua"] = lua.replace("{path}", path)
        res["cold"] = cold
        errors = sum(res["socket_errors"].values())
        res["ok"] = res["non_2xx"] == 0 and errors == 0
        self.log(f"    {label}: {res['req_per_s']:,.0f} req/s, p50 {res.get('p50_ms')} ms, "
                 f"p90 {res.get('p90_ms')} ms, p99 {res.get('p99_ms')} ms ({res.get('requests')} requests; "
                 f"load {res['loadavg_1m_before_after']}; one at a time: p50 {single['p50_ms']} ms; "
                 f"kept answers {res.get('answers_kept')}, computed {res.get('answers_computed')})")
        if belfort and cold and (res.get("answers_kept", 1) != 0 or res.get("answers_unreported", 1) != 0):
            msg = (f"{label}: meant to be cold, but {res.get('answers_kept')} answers were kept ones and "
                   f"{res.get('answers_unreported')} carried no Cache-Status — {base + path}")
            self.failures.append(msg)
            self.log(f"    !!! FAILURE !!! {msg}")
        if not res["ok"] and not belfort:
            self.log(f"    (not Belfort) {label}: {res['non_2xx']} non-2xx, socket errors {res['socket_errors']}")
        elif not res["ok"]:
            msg = (f"{label}: {res['non_2xx']} non-2xx answers, socket errors {res['socket_errors']} "
                   f"out of {res.get('requests')} requests — {base + path}")
            self.failures.append(msg)
            self.log(f"    !!! FAILURE !!! {msg}")
        return res


def _check(client: httpx.Client, path: str, label: str) -> httpx.Response:
    """One plain GET before loading a URL: it must answer 200."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{label}: GET {path} answered {response.status_code}: {response.text[:500]}")
    return response


def _has_route(client: httpx.Client, route: str) -> bool:
    try:
        doc = client.get("/openapi.json").json()
        return route in doc.get("paths", {})
    except (httpx.HTTPError, ValueError):
        return False


def _download(client: httpx.Client, path: str, rows: int, runs: int) -> dict[str, Any]:
    """Time GET path end to end, body streamed to nowhere; check the line count."""
    samples, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        lines = size = 0
        with client.stream("GET", path) as response:
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}: {response.read()[:500]!r}")
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
        samples.append(time.perf_counter() - t0)
        if lines != rows + 1:
            raise RuntimeError(f"GET {path}: {lines} lines, expected {rows + 1} (header + rows)")
    return {"median_s": round(statistics.median(samples), 3), "samples_s": [round(s, 3) for s in samples],
            "mb": round(size / 1e6, 1), "rows": rows}


def _source_state() -> dict[str, Any]:
    """Which code was measured: the commit, and whether src/ had uncommitted changes (shared checkout)."""
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--short", "--", "src"], cwd=repo, capture_output=True, text=True,
                               timeout=10).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {"head": head, "src_uncommitted": dirty}


# --- the run ---------------------------------------------------------------------------

def run(workdir: Path, cfg: dict[str, Any], log=print) -> dict[str, Any]:
    data_dir = workdir / "api-data"
    counts = workdir / "tellingen.parquet"
    big = workdir / "big.parquet"
    obs = workdir / "observaties.parquet"
    db = workdir / "db.db"
    failures: list[str] = []
    res: dict[str, Any] = {"config": cfg, "failures": failures}
    wrk = Wrk(workdir, cfg, log, failures)
    try:
        t0 = time.perf_counter()
        write_counts_parquet(counts, cfg["search_rows"])
        write_counts_parquet(big, cfg["export_rows"], seed=12)
        write_observations_parquet(obs, cfg["obs_sensors"], cfg["obs_hours"])
        obs_rows = cfg["obs_sensors"] * cfg["obs_hours"]
        res["generate_s"] = round(time.perf_counter() - t0, 2)
        res["ingest_s"] = {
            SEARCH_DS: round(_ingest(data_dir, SEARCH_DS, counts, cfg["search_rows"]), 2),
            BIG_DS: round(_ingest(data_dir, BIG_DS, big, cfg["export_rows"]), 2),
            OBS_DS: round(_ingest(data_dir, OBS_DS, obs, obs_rows), 2),
        }
        res["sizes"] = {SEARCH_DS: cfg["search_rows"], BIG_DS: cfg["export_rows"], OBS_DS: obs_rows}
        log(f"  generated and ingested {res['sizes']} in {res['generate_s']} s + {res['ingest_s']} s")
        res["sqlite_load"] = _load_sqlite(counts, db)
        res["source"] = _source_state()

        res["belfort"] = _bench_belfort(data_dir, workdir, cfg, wrk, log)
        res["datasette"] = _bench_datasette(db, workdir, wrk, log)

        b, d = res["belfort"], res["datasette"]
        ratios = {
            "search_same_url / datasette_plain": ("v1_search_same_url", "plain"),
            "search_random_start / datasette_plain": ("v1_search_random_start", "plain"),
            "search_uncached / datasette_plain": ("v1_search_uncached", "plain"),
            "search_random_filter / datasette_plain": ("v1_search_random_filter", "plain"),
            "search_random_filter / datasette_filter": ("v1_search_random_filter", "filter"),
            "search_random_filter / datasette_filter_count": ("v1_search_random_filter", "filter_count"),
            "facet_same_url / datasette_facet": ("v1_search_facet_same_url", "facet"),
            "facet_uncached / datasette_facet": ("v1_search_facet_uncached", "facet"),
            "facet_same_url / datasette_facet_nosuggest": ("v1_search_facet_same_url", "facet_nosuggest"),
            "facet_uncached / datasette_facet_nosuggest": ("v1_search_facet_uncached", "facet_nosuggest"),
        }
        res["ratios_req_per_s"] = {
            k: round(b[bk]["req_per_s"] / d[dk]["req_per_s"], 1) for k, (bk, dk) in ratios.items()
            if bk in b and dk in d and d[dk]["req_per_s"] > 0
        }
        simple = b["v1_search_same_url"]
        res["targets"] = {
            "search_req_per_s_1500": simple["req_per_s"] >= 1500,
            "search_p99_below_50ms": simple.get("p99_ms", 1e9) < 50,
            "ratio_5x_same_url": res["ratios_req_per_s"].get("search_same_url / datasette_plain", 0) >= 5,
            "ratio_5x_uncached": res["ratios_req_per_s"].get("search_uncached / datasette_plain", 0) >= 5,
            "uncached_search_req_per_s_1500": b["v1_search_uncached"]["req_per_s"] >= 1500,
            "uncached_search_p99_below_50ms": b["v1_search_uncached"].get("p99_ms", 1e9) < 50,
            "export_v1_2s": b["export_v1_csv"]["median_s"] <= 2.0,
        }
        if "export_v21_csv" in b:
            res["targets"]["export_v21_2s"] = b["export_v21_csv"]["median_s"] <= 2.0
        return res
    finally:
        for p in (counts, big, obs, db):
            p.unlink(missing_ok=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def _bench_belfort(data_dir: Path, workdir: Path, cfg: dict[str, Any], wrk: Wrk, log) -> dict[str, Any]:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    cmd = [bin_path("belfort"), "serve", "--data-dir", str(data_dir), "--host", LOOPBACK, "--port", str(port),
           "--workers", "2"]
    out: dict[str, Any] = {"serve_command": " ".join(["belfort", *cmd[1:]]).replace(str(workdir) + "/", "")}
    search = f"{V1_SEARCH}?dataset={SEARCH_DS}&rows=10"
    facet = f"{search}&facet=telpunt"
    with Server(cmd, f"{base}/health", workdir / "belfort-api-serve.log"), httpx.Client(
        base_url=base, timeout=HTTP_TIMEOUT_S
    ) as client:
        body = _check(client, search, "v1 search").json()
        if body["nhits"] != cfg["search_rows"] or len(body["records"]) != 10:
            raise RuntimeError(f"v1 search: nhits {body['nhits']}, {len(body['records'])} records")
        body = _check(client, facet + "&start=9990", "v1 search facet").json()
        groups = body.get("facet_groups", [])
        if not groups or len(groups[0]["facets"]) != len(CSV_SENSORS):
            raise RuntimeError(f"v1 facet: unexpected facet_groups {str(groups)[:300]}")
        _check(client, search + "&bench_nonce=x", "v1 search with an unknown parameter")

        log("  v1 search, 100k rows (wrk)")
        out["v1_search_same_url"] = wrk.run("v1 search rows=10, same URL (answer cache)", base, search)
        out["v1_search_random_start"] = wrk.run("v1 search rows=10, random start (kept answers and pages)", base, search,
                                                LUA_RANDOM_START)
        out["v1_search_uncached"] = wrk.run("v1 search rows=10, random start + unique param (pages of a kept result)",
                                            base, search,
                                            LUA_RANDOM_START_NONCE)
        out["v1_search_random_filter"] = wrk.run("v1 search rows=10, a new q filter + start every request (cold)",
                                                 base, search, LUA_RANDOM_FILTER, vary=_single_random_filter,
                                                 cold=True)
        out["v1_search_facet_same_url"] = wrk.run("v1 search rows=10 + facet, same URL (answer cache)", base, facet)
        out["v1_search_facet_uncached"] = wrk.run(
            "v1 search rows=10 + facet, random start + unique param (kept pages and facet counts)", base, facet,
            LUA_RANDOM_START_NONCE)

        v21 = _has_route(client, V21_RECORDS_ROUTE)
        out["v21_present"] = v21
        if v21:
            path = f"{V21}/{SEARCH_DS}/records?limit=10"
            _check(client, path, "v2.1 records")
            out["v21_records_same_url"] = wrk.run("v2.1 records limit=10, same URL (engine result cache)", base, path)
        else:
            log("  Explore v2.1 routes are not served (not in /openapi.json): v2.1 not measured")

        log(f"  CSV export of {cfg['export_rows']:,} rows (httpx streaming, median of {cfg['export_runs']})")
        out["export_v1_csv"] = _download(client, f"/api/records/1.0/download/?dataset={BIG_DS}&format=csv",
                                         cfg["export_rows"], cfg["export_runs"])
        log(f"    v1 download csv: {out['export_v1_csv']}")
        if v21:
            out["export_v21_csv"] = _download(client, f"{V21}/{BIG_DS}/exports/csv", cfg["export_rows"],
                                              cfg["export_runs"])
            log(f"    v2.1 exports/csv: {out['export_v21_csv']}")

        log("  group-by with a date range over the observations (wrk)")
        if v21:
            path = f"{V21}/{OBS_DS}/records?" + urlencode(V21_GROUPBY, quote_via=quote)
            r = _check(client, path, "v2.1 group-by")
            out["v21_groupby_answer"] = r.json()
            out["v21_groupby"] = wrk.run("v2.1 where + group_by, same URL (engine result cache)", base, path)
            others = {k: v for k, v in V21_GROUPBY.items() if k != "where"}
            where_last = (f"{V21}/{OBS_DS}/records?" + urlencode(others, quote_via=quote)
                          + "&where=" + quote(V21_GROUPBY["where"]))
            out["v21_groupby_random_filter"] = wrk.run(
                "v2.1 where + group_by, a new where every request (cold)", base, where_last,
                LUA_RANDOM_GROUPBY_FILTER, vary=_single_random_groupby_filter, cold=True)
        path = "/api/records/1.0/analyze/?" + urlencode(V1_ANALYZE, quote_via=quote)
        out["v1_analyze_answer"] = _check(client, path, "v1 analyze").json()
        out["v1_analyze_groupby"] = wrk.run("v1 analyze q=tijdstip>=2024-01-01 x=telpunt, same URL (engine result cache)",
                                            base, path)
        path = f"/api/belfort/v1/datasets/{OBS_DS}/records?" + urlencode(NATIVE_GROUPBY, quote_via=quote)
        native = _check(client, path, "native group-by").json()
        out["native_groupby_answer"] = native.get("records")
        out["native_groupby"] = wrk.run("native records tijdstip__gte + group_by, same URL (engine result cache)", base,
                                        path)
    return out


def _bench_datasette(db: Path, workdir: Path, wrk: Wrk, log) -> dict[str, Any]:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    cmd = [bin_path("datasette"), "serve", str(db), "-h", LOOPBACK, "-p", str(port)]
    out: dict[str, Any] = {"serve_command": " ".join(["datasette", *cmd[1:]]).replace(str(workdir) + "/", "")}
    plain = f"/{db.stem}/tellingen.json?_size=10&_nocount=1&_nofacet=1"
    facet = f"/{db.stem}/tellingen.json?_size=10&_facet=telpunt&_nocount=1"
    with Server(cmd, f"{base}/-/versions.json", workdir / "datasette-api.log"), httpx.Client(
        base_url=base, timeout=HTTP_TIMEOUT_S
    ) as client:
        body = _check(client, plain, "datasette table").json()
        if len(body["rows"]) != 10:
            raise RuntimeError(f"datasette: {len(body['rows'])} rows")
        body = _check(client, facet, "datasette facet").json()
        results = body.get("facet_results", {})
        results = results.get("results", results)  # 0.65: {name: {...}}; 1.0: {"results": {...}}
        values = results.get("telpunt", {}).get("results", [])
        if len(values) < 30 or body.get("facets_timed_out"):
            raise RuntimeError(f"datasette facet: {len(values)} values, timed out {body.get('facets_timed_out')}")
        out["facet_values_returned"] = len(values)
        log("  Datasette, same 100k rows, one process (wrk)")
        out["plain"] = wrk.run("datasette _size=10 _nocount _nofacet", base, plain, belfort=False)
        # the same new filter on every request as Belfort's cold row: without a count
        # (Datasette's cheapest: it stops after 10 matches) and with one (like Belfort's nhits)
        out["filter"] = wrk.run("datasette _size=10 _nocount _nofacet, a new bezettingsgraad__gte filter", base,
                                plain, LUA_DATASETTE_FILTER, belfort=False, vary=_single_datasette_filter)
        counted = plain.replace("&_nocount=1", "")
        out["filter_count"] = wrk.run("datasette _size=10 _nofacet + count, a new bezettingsgraad__gte filter", base,
                                      counted, LUA_DATASETTE_FILTER, belfort=False, vary=_single_datasette_filter)
        out["facet"] = wrk.run("datasette _size=10 _facet=telpunt _nocount", base, facet, belfort=False)
        # Datasette also computes facet *suggestions* for every column unless told not to;
        # Belfort suggests nothing, so this is the like-for-like facet figure.
        out["facet_nosuggest"] = wrk.run("datasette _size=10 _facet=telpunt _nocount _nosuggest", base,
                                         facet + "&_nosuggest=1", belfort=False)
    return out
