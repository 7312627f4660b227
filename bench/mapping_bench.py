"""Rows as linked data: how fast rows become triples, and what a record URI costs.

    .venv/bin/python bench/mapping_bench.py            # all 2019 bike counters, 5 runs
    .venv/bin/python bench/mapping_bench.py --quick    # one counter, 2 runs

Writes bench/out/results-mapping.json. Reads the real Ghent bike counters from
../shared/data/ghent (``fietstelpaal-*-2019-gent.json``: hourly counts, 8,760 rows a counter).

1. ``RowMapper.add_row`` alone, on the rows as the engine returns them (``datum`` a date):
   the default mapping, the observations preset (3 ``sosa:Observation``s a row) and the preset
   with the OSLO typing; then writing the document as N-Triples. Median of the runs.
2. ``dataset_document`` of one counter through the gate and the engine (what the SPARQL
   store and the event streams call).
3. ``/id/{dataset}/{record}`` in-process over ASGI (TestClient: no network): Turtle, JSON-LD,
   the HTML page, and a revalidation (``If-None-Match`` → 304); 50 requests each, p50/p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
GHENT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ghent"
SCHEMA = {"fields": [{"name": "uur5minuten", "type": "string"}, {"name": "datum", "type": "date"},
                     {"name": "tegenrichting", "type": "integer"}, {"name": "hoofdrichting", "type": "integer"},
                     {"name": "totaal", "type": "integer"}, {"name": "locatie", "type": "string"}]}
OBSERVATIONS = {"results": ["hoofdrichting", "tegenrichting", "totaal"], "date": "datum", "time": "uur5minuten",
                "duration": "PT1H", "sensor": "{_base}/id/fietstelpalen-gent/{locatie}"}
MAPPINGS: dict[str, dict[str, Any] | None] = {
    "default": None,
    "observations": {"observations": OBSERVATIONS},
    "observations + OSLO": {"observations": {**OBSERVATIONS, "oslo": True, "vehicle": "fiets"}},
}


def _rows(quick: bool) -> list[dict[str, Any]]:
    files = sorted(GHENT.glob("fietstelpaal-*-2019-gent.json"))
    if not files:
        raise SystemExit(f"no bike counters in {GHENT}")
    rows: list[dict[str, Any]] = []
    for path in files[:1] if quick else files:
        for row in json.loads(path.read_text()):
            rows.append({**row, "datum": dt.date.fromisoformat(row["datum"])})
    return rows


def bench_mapper(rows: list[dict[str, Any]], runs: int) -> list[dict[str, Any]]:
    from belfort.linked.mapping import row_mapper
    from belfort.linked.rdf import Document

    results = []
    for name, mapping in MAPPINGS.items():
        mapper = row_mapper("https://data.stad.gent", "fietstelpalen-2019", SCHEMA, mapping)
        build, write, triples = [], [], 0
        for _ in range(runs):
            document = Document()
            t0 = time.perf_counter()
            for i, row in enumerate(rows):
                mapper.add_row(document, f"{i:040x}", row)
            t1 = time.perf_counter()
            document.serialize("nt")
            t2 = time.perf_counter()
            build.append(t1 - t0)
            write.append(t2 - t1)
            triples = len(document)
        b, w = statistics.median(build), statistics.median(write)
        results.append({"mapping": name, "rows": len(rows), "triples": triples, "build_s": round(b, 3),
                        "rows_per_s": round(len(rows) / b), "triples_per_s": round(triples / b),
                        "ntriples_s": round(w, 3)})
        print(f"{name:22} {len(rows):>7,} rows {triples:>10,} triples  build {b:6.2f} s "
              f"({len(rows) / b:>8,.0f} rows/s, {triples / b:>9,.0f} triples/s)  N-Triples {w:5.2f} s")
    return results


def bench_http(quick: bool) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from belfort.app import create_app
    from belfort.linked.records import dataset_document
    from belfort.platform import Platform
    from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.settings import Settings

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        platform = Platform(Settings(data_dir=Path(tmp) / "data"))
        source = sorted(GHENT.glob("fietstelpaal-*-2019-gent.json"))[0]
        ingest_file(platform, CLI_ADMIN, "fietstelpaal-2019", source, metadata={
            "title_nl": "Fietstelpaal 2019", "rdf_mapping": MAPPINGS["observations + OSLO"]})
        times = []
        for _ in range(2 if quick else 5):
            t0 = time.perf_counter()
            document = dataset_document(platform, ANONYMOUS, "fietstelpaal-2019", "https://data.stad.gent",
                                        limit=100_000)
            times.append(time.perf_counter() - t0)
        out["dataset_document"] = {"rows": 8760, "triples": len(document),
                                   "median_s": round(statistics.median(times), 3)}
        print(f"dataset_document       8,760 rows {len(document):>10,} triples  {statistics.median(times):6.2f} s")
        with TestClient(create_app(platform)) as client:
            first = client.get("/api/explore/v2.1/catalog/datasets/fietstelpaal-2019/records",
                               params={"limit": 1, "include_links": "true"}).json()["results"][0]["_id"]
            url = f"/id/fietstelpaal-2019/{first}"
            etag = client.get(url + ".ttl").headers["etag"]
            cases = {"Turtle": (url + ".ttl", {}), "JSON-LD": (url + ".jsonld", {}),
                     "HTML page": (url, {"Accept": "text/html"}),
                     "304 revalidation": (url + ".ttl", {"If-None-Match": etag})}
            for name, (path, headers) in cases.items():
                client.get(path, headers=headers)
                samples = []
                for _ in range(50):
                    t0 = time.perf_counter()
                    r = client.get(path, headers=headers)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code in (200, 304), r.text
                out[name] = {"p50_ms": round(percentile(samples, 50), 2), "p95_ms": round(percentile(samples, 95), 2),
                             "bytes": len(r.content)}
                print(f"{name:22} p50 {percentile(samples, 50):6.2f} ms  p95 {percentile(samples, 95):6.2f} ms  "
                      f"{len(r.content):>7,} bytes")
        platform.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = _rows(args.quick)
    results = {"machine": machine_info(), "when": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
               "mapper": bench_mapper(rows, 2 if args.quick else 5), "http": bench_http(args.quick)}
    OUT.mkdir(exist_ok=True)
    (OUT / "results-mapping.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
