"""Processing register benchmark: what one register change costs (the entry saved and the
whole register ingested again as a new version of ``verwerkingsregister-stad-gent``), how
long the RDF graph takes to build, and the widget's two Explore v2.1 calls, for registers
of 12 (the demo), 100 and 1,000 entries.

    .venv/bin/python bench/register_bench.py            # 12, 100 and 1,000 entries, 9 runs
    .venv/bin/python bench/register_bench.py --quick    # 12 and 100 entries, 3 runs

Writes bench/out/results-register.json. Everything runs in-process on SQLite in a
temporary directory under bench/out/ (removed afterwards); HTTP calls go through the
ASGI app (no network). Entries beyond the demo's twelve are copies of demo entries with
new names and GUIDs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
WIDGET_FACETS = ("/api/explore/v2.1/catalog/datasets/verwerkingsregister-stad-gent/facets?facet=processor"
                 "&facet=personaldata&facet=grantees&facet=type&facet=formal_framework&facet=audience"
                 "&refine=audience:burger")
WIDGET_RECORDS = ("/api/explore/v2.1/catalog/datasets/verwerkingsregister-stad-gent/records?limit=10&offset={offset}"
                  "&order_by=name&refine=audience:burger&where=search(name, \"{word}\")")


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1), "n": len(samples)}


def _register(size: int, root: Path) -> Any:
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.register import store
    from belfort.register.demo import ACTIVITIES, load_demo_register
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.sqlite'}",
                                 quota_per_address=0, quota_per_key=0))
    with platform.db.session() as session:
        for number in range(size - len(ACTIVITIES)):
            _, data = ACTIVITIES[number % len(ACTIVITIES)]
            store.create_activity(session, "bench", {**data, "name": f"{data['name']} {number:04d}"},
                                  state="published")
    list(load_demo_register(platform, CLI_ADMIN))  # the demo's twelve, then the dataset
    return platform


def _case(size: int, runs: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from belfort.app import create_app
    from belfort.policy.principals import CLI_ADMIN
    from belfort.register import service
    from belfort.register.demo import ACTIVITIES
    from belfort.register.linked import register_document

    OUT.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="register-", dir=OUT))
    try:
        platform = _register(size, root)
        guid = ACTIVITIES[0][0]
        change = []
        for run in range(runs):
            t0 = time.perf_counter()
            service.update_activity(platform, CLI_ADMIN, guid, {"retention": f"{run + 1} jaar"})
            change.append((time.perf_counter() - t0) * 1000)
        rdf, triples = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            with platform.db.session() as session:
                document = register_document(session, "http://127.0.0.1:8000")
            document.serialize("nt")
            rdf.append((time.perf_counter() - t0) * 1000)
            triples = len(document)
        calls: dict[str, list[float]] = {"facets": [], "records": []}
        with TestClient(create_app(platform)) as client:
            for run in range(runs + 1):
                for name, url in (("facets", WIDGET_FACETS),
                                  ("records", WIDGET_RECORDS.format(offset=10 * run, word="gent"))):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - t0) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
                    if run:  # the first call of each warms the caches
                        calls[name].append(elapsed)
        platform.close()
        return {"entries": size, "triples": triples, "change_and_republish": _summary(change),
                "rdf_build_and_ntriples": _summary(rdf), "widget_facets_call": _summary(calls["facets"]),
                "widget_records_call": _summary(calls["records"])}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes, runs = ((12, 100), 3) if args.quick else ((12, 100, 1000), 9)
    results = [_case(size, runs) for size in sizes]
    print("| entries | triples | change + republish p50 (ms) | RDF build p50 (ms) | widget facets p50 (ms) "
          "| widget records p50 (ms) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['entries']:,} | {r['triples']:,} | {r['change_and_republish']['p50_ms']} "
              f"| {r['rdf_build_and_ntriples']['p50_ms']} | {r['widget_facets_call']['p50_ms']} "
              f"| {r['widget_records_call']['p50_ms']} |")
    OUT.mkdir(exist_ok=True)
    (OUT / "results-register.json").write_text(json.dumps(
        {"when": datetime.now(UTC).isoformat(), "machine": machine_info(), "runs": runs, "results": results},
        indent=2))


if __name__ == "__main__":
    main()
