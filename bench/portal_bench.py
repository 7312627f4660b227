"""Portal benchmark: server time of the search page on a 10,000-dataset catalogue and of
dataset pages on the demo catalogue, in-process (the app called over ASGI, no network).

    .venv/bin/python bench/portal_bench.py            # 10,000 datasets, 10 runs per query
    .venv/bin/python bench/portal_bench.py --quick    # 1,000 datasets, 3 runs

Writes bench/out/results-portal.json. The catalogue rows are generated with
``search_bench.generate`` (fixed seed) and written straight into a fresh SQLite catalogue,
each dataset published with one small version (the same 3-row Parquet file for all), so
the portal sees a realistic catalogue without 10,000 ingests. The dataset pages use the
demo catalogue (``belfort.demo``), as a visitor of ``scripts/start`` sees it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from common import machine_info, percentile, serve_demo_from  # noqa: E402
from search_bench import QUERIES, generate  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DATASET_PAGES = ("passantentellingen-gent-demo", "bezetting-parkeergarages-demo", "telpunten-drukte-gent",
                 "stadswijken-gent-demo")


def _catalogue(data_dir: Path, n: int) -> None:
    from sqlalchemy import insert

    from belfort.catalog.models import Dataset, Version
    from belfort.platform import Platform
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=data_dir))
    try:
        version_file = platform.lake.versions_dir / "bench" / "v1.parquet"
        version_file.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"naam": ["a", "b", "c"], "aantal": [1, 2, 3]}), version_file)
        now = datetime.now(UTC)
        docs = generate(n)
        schema = {"fields": [{"name": "naam", "type": "string"}, {"name": "aantal", "type": "integer"}]}
        with platform.db.session() as session:
            session.execute(insert(Dataset), [{
                "id": d.id, "title_nl": d.title_nl, "title_en": d.title_en, "description_nl": d.description_nl,
                "description_en": d.description_en, "organisation": d.organisation, "themes": list(d.themes),
                "keywords": list(d.keywords), "state": d.state if d.state != "draft" else "published",
                "published_version": 1, "created_at": now, "updated_at": now, "frequency": "unknown",
                "classification": "open", "record_key": [],
            } for d in docs])
            session.execute(insert(Version), [{
                "dataset_id": d.id, "number": 1, "table_schema": schema, "row_count": 3, "byte_size": 1,
                "checksum": "bench", "path": str(version_file.relative_to(platform.lake.root)),
                "source_format": "parquet", "created_at": now, "source_details": {}, "validation": {},
            } for d in docs])
        platform.generation.bump()
    finally:
        platform.close()


def _timed(client: Any, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]}")
    return elapsed


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(percentile(samples, 95), 2),
            "max_ms": round(max(samples), 2), "n": len(samples)}


def run(n: int, runs: int, log: Any = print) -> dict[str, Any]:
    import os

    from fastapi.testclient import TestClient

    from belfort.app import create_app

    results: dict[str, Any] = {"machine": machine_info(), "datasets": n, "runs": runs,
                               "started": datetime.now(UTC).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        data = Path(tmp) / "catalogue"
        t0 = time.perf_counter()
        _catalogue(data, n)
        results["catalogue_write_s"] = round(time.perf_counter() - t0, 2)
        os.environ["BELFORT_DATA_DIR"] = str(data)
        with TestClient(create_app()) as client:
            results["first_search_ms"] = round(_timed(client, "/datasets?q=fiets"), 1)  # builds the index
            samples = [_timed(client, f"/datasets?q={q}") for _ in range(runs) for q, _ in QUERIES]
            results["search_page"] = _summary(samples)
            results["home_page"] = _summary([_timed(client, "/") for _ in range(runs)])
        log(f"  search page on {n:,} datasets: first (index build) {results['first_search_ms']} ms, "
            f"then {results['search_page']}")

        serve_demo_from(Path(tmp) / "demo")
        pages: dict[str, Any] = {}
        with TestClient(create_app()) as client:
            time.sleep(2)  # the chart renderer warms up in the background at start-up
            for dataset in DATASET_PAGES:
                first = _timed(client, f"/datasets/{dataset}")
                pages[dataset] = {"first_ms": round(first, 1),
                                  **_summary([_timed(client, f"/datasets/{dataset}") for _ in range(runs * 3)]),
                                  "bytes": len(client.get(f"/datasets/{dataset}").content)}
                log(f"  dataset page {dataset}: {pages[dataset]}")
        results["dataset_pages"] = pages
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    n, runs = (1_000, 3) if args.quick else (10_000, 10)
    results = run(n, runs)
    out = OUT / ("results-portal-quick.json" if args.quick else "results-portal.json")
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
