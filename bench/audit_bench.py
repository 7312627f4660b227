"""Audit trail benchmark: what one append costs, synchronous and batched, on SQLite and on
PostgreSQL, side by side in one run; and how fast ``belfort audit verify`` walks the chain.

    .venv/bin/python bench/audit_bench.py                       # SQLite only
    BELFORT_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:55442/postgres \\
        .venv/bin/python bench/audit_bench.py                   # SQLite and PostgreSQL
    .venv/bin/python bench/audit_bench.py --quick               # 10x fewer appends

Rows:
- ``sync append``: ``record_access(platform, …)`` with ``BELFORT_AUDIT_FLUSH_MS=0``: one
  transaction per entry (lock the head, insert, move the head, commit), timed one by one;
- ``staff action``: ``record_audit`` added to a transaction that already writes (the
  catalogue's case): the transaction with it minus the same transaction without it;
- ``batched: caller``: what ``record_access`` costs the request when batching
  (``BELFORT_AUDIT_FLUSH_MS=50``): queueing the entry;
- ``batched: write per entry``: one transaction of 100 / 1,000 entries, divided by its size;
- ``2 threads sync``: entries per second two threads append at once (one chain);
- ``verify``: entries per second ``verify`` checks.

Writes bench/out/results-audit.json. Work files in a temporary directory under bench/out/
(removed afterwards); PostgreSQL runs in a schema of its own (dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _us(samples: list[float]) -> dict[str, Any]:
    return {"p50_us": round(statistics.median(samples) * 1e6, 1),
            "p95_us": round(percentile(samples, 95) * 1e6, 1), "n": len(samples)}


@contextmanager
def _platform(kind: str, root: Path, flush_ms: float = 0.0) -> Iterator[Any]:
    from sqlalchemy import create_engine, text

    from belfort.platform import Platform
    from belfort.settings import Settings

    url = f"sqlite:///{root / 'catalog.sqlite'}"
    schema = None
    admin = None
    if kind == "postgres":
        base = os.environ["BELFORT_TEST_POSTGRES_URL"]
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options=-csearch_path%3D{schema}"
    platform = Platform(Settings(data_dir=root / "data", database_url=url,
                                 audit_flush_ms=flush_ms, audit_checkpoint_every=10_000_000,
                                 audit_checkpoint_minutes=0))
    try:
        yield platform
    finally:
        platform.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _access(platform: Any, i: int) -> None:
    from belfort.audit.log import record_access

    record_access(platform, "person:bench", "person", "fietsen", "read", ["telling", "locatie"],
                  "locatie = 'Korenmarkt'", "dpv:ServiceProvision", "policy-1", i)


def _case(kind: str, n: int) -> dict[str, Any]:
    from sqlalchemy import text

    from belfort.audit.log import audit_log
    from belfort.audit.verify import verify
    from belfort.catalog import store
    from belfort.catalog.audit_chain import Entry, append_entries

    root = Path(tempfile.mkdtemp(prefix=f"audit-{kind}-", dir=OUT))
    result: dict[str, Any] = {}
    try:
        with _platform(kind, root / "sync") as platform:
            for i in range(20):  # warm: connections, statements
                _access(platform, i)
            samples = []
            for i in range(n):
                t0 = time.perf_counter()
                _access(platform, i)
                samples.append(time.perf_counter() - t0)
            result["sync append"] = _us(samples)

            platform.db.engine.dispose()
            with platform.db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE bench_writes (id INTEGER PRIMARY KEY, v TEXT)"))
            without, with_audit = [], []
            for i in range(n):
                for audited, bucket in ((False, without), (True, with_audit)):
                    t0 = time.perf_counter()
                    with platform.db.session() as session:
                        session.execute(text("INSERT INTO bench_writes (id, v) VALUES (:i, 'x')"),
                                        {"i": i * 2 + int(audited)})
                        if audited:
                            store.record_audit(session, "key:bench", "update_metadata",
                                               "fietsen", fields=["title_nl"])
                    bucket.append(time.perf_counter() - t0)
            result["transaction without audit"] = _us(without)
            result["transaction with record_audit"] = _us(with_audit)
            result["staff action: added p50_us"] = round(
                (statistics.median(with_audit) - statistics.median(without)) * 1e6, 1)

            for size in (100, 1000):
                runs = []
                for _ in range(max(3, n // size)):
                    batch = [Entry(actor="person:bench", kind="person", action="read",
                                   dataset="fietsen", fields=["telling"], rows=i)
                             for i in range(size)]
                    t0 = time.perf_counter()
                    with platform.db.session() as session:
                        append_entries(session, batch)
                    runs.append((time.perf_counter() - t0) / size)
                result[f"batched: write per entry (batch {size})"] = _us(runs)

            counts = [0, 0]
            stop = time.monotonic() + (2 if n < 1000 else 5)

            def worker(slot: int) -> None:
                while time.monotonic() < stop:
                    _access(platform, slot)
                    counts[slot] += 1

            threads = [threading.Thread(target=worker, args=(s,)) for s in range(2)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            result["2 threads sync: entries/s"] = round(sum(counts) / (time.monotonic() - started))

            with platform.db.session() as session:
                t0 = time.perf_counter()
                report = verify(session, [audit_log(platform).signer.public])
                took = time.perf_counter() - t0
            assert report.ok, report.problems
            result["verify: entries"] = report.entries
            result["verify: entries/s"] = round(report.entries / took)

        with _platform(kind, root / "batched", flush_ms=50) as platform:
            samples = []
            for i in range(n):
                t0 = time.perf_counter()
                _access(platform, i)
                samples.append(time.perf_counter() - t0)
            result["batched: caller (flush 50 ms)"] = _us(samples)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer appends")
    args = parser.parse_args()
    n = 200 if args.quick else 2000
    OUT.mkdir(exist_ok=True)
    kinds = ["sqlite"] + (["postgres"] if os.environ.get("BELFORT_TEST_POSTGRES_URL") else [])
    results = {kind: _case(kind, n) for kind in kinds}
    rows = sorted({key for r in results.values() for key in r}, key=list(results["sqlite"]).index)
    print(f"\n| audit trail ({n} appends) | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for key in rows:
        cells = []
        for kind in kinds:
            value = results[kind].get(key)
            if isinstance(value, dict):
                cells.append(f"p50 {value['p50_us']:,.0f} µs, p95 {value['p95_us']:,.0f} µs")
            else:
                cells.append(f"{value:,}" if value is not None else "-")
        print(f"| {key} | " + " | ".join(cells) + " |")
    if len(kinds) == 2:
        ratio = (results["postgres"]["sync append"]["p50_us"]
                 / results["sqlite"]["sync append"]["p50_us"])
        print(f"\nsync append p50, PostgreSQL / SQLite: {ratio:.2f}x")
    for kind in kinds:
        sync = results[kind]["sync append"]["p50_us"]
        queued = results[kind]["batched: caller (flush 50 ms)"]["p50_us"]
        print(f"{kind}: sync append / batched caller p50: {sync / max(queued, 0.1):.0f}x")
    (OUT / "results-audit.json").write_text(json.dumps(
        {"machine": machine_info(), "appends": n, "results": results}, indent=2))


if __name__ == "__main__":
    main()
