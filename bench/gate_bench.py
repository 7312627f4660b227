"""The gate's cost per request with and without policies (issue 14, item 10, first half).

Two catalogues side by side in one run, the same 60 open datasets in both; the second also
holds 50 confidential datasets and 1,000 ODRL policies (20 per confidential dataset, naming
groups and organisations the caller is not in, and one that names the caller's group). The
same requests go to both, in process (FastAPI's test client, so the network is not timed),
alternating run by run, as a signed-in reader (an API key with role ``read``):

- ``records``: Explore v2.1 records of an open dataset (the gate: ``readable``, answered from
  the engine's result cache after the first run, so the gate is most of what is timed);
- ``dataset``: one open dataset's metadata (``gate.get_dataset``: ``visible_datasets``, whose
  SQL now also asks which datasets a policy names one of the caller's parties in);
- ``catalogue``: the catalogue listing (the snapshot per audience, cached per generation);
- ``granted`` (second catalogue only): records of a confidential dataset a policy grants the
  caller — what a read under a policy costs (policies looked up and evaluated at each read).
- ``counted`` (second catalogue only): the same under a policy with a ``count`` constraint —
  what counting the read costs (one atomic upsert in the catalogue database per read).

    .venv/bin/python bench/gate_bench.py               # 400 runs per row
    .venv/bin/python bench/gate_bench.py --quick       # 60 runs per row

Prints medians, p95 and the difference with policies − without, and writes
bench/out/results-gate.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "src"))

from common import machine_info, percentile  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from belfort.app import create_app  # noqa: E402
from belfort.platform import Platform  # noqa: E402
from belfort.policy.keys import create_key  # noqa: E402
from belfort.policy.policies import store_policy  # noqa: E402
from belfort.policy.principals import CLI_ADMIN, Role  # noqa: E402
from belfort.publishing import ingest_file  # noqa: E402
from belfort.settings import Settings  # noqa: E402

OUT = ROOT / "bench" / "out"
OPEN, CONFIDENTIAL, POLICIES_EACH = 60, 50, 20
PURPOSE = "dpv:ResearchAndDevelopment"


def _csv(directory: Path) -> Path:
    path = directory / "tellingen.csv"
    rows = ["telpunt;uur;aantal"] + [f"punt-{i % 40};{i % 24};{i}" for i in range(2_000)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _policy(uid: str, dataset: str, party: str, counted: bool = False) -> str:
    count = [{"leftOperand": "count", "operator": "lteq", "rightOperand": 1_000_000_000,
              "belfort:period": "P1D"}] if counted else []
    return json.dumps({
        "@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Set", "uid": uid,
        "target": dataset, "assignee": party,
        "permission": [{"action": "read", "constraint": [
            {"leftOperand": "purpose", "operator": "eq", "rightOperand": PURPOSE}, *count]}]})


def _platform(directory: Path, with_policies: bool) -> tuple[Platform, str]:
    platform = Platform(Settings(data_dir=directory / "data"))
    with platform.db.session() as session:
        key = create_key(session, "lezer", Role.READ)
    csv = _csv(directory)
    for i in range(OPEN):
        ingest_file(platform, CLI_ADMIN, f"open-{i}", csv, metadata={"title_nl": f"Open {i}"})
    if with_policies:
        for i in range(CONFIDENTIAL):
            ingest_file(platform, CLI_ADMIN, f"vertrouwelijk-{i}", csv, metadata={
                "title_nl": f"Vertrouwelijk {i}", "classification": "confidential",
                "classification_reason": "benchmark"})
        with platform.db.session() as session:
            for i in range(CONFIDENTIAL):
                for j in range(POLICIES_EACH):
                    # two policies name the reader's key (the second with a request count);
                    # the others, organisations it is not in
                    party = (f"urn:belfort:key:{key.id}" if (i, j) in ((0, 0), (1, 0))
                             else f"urn:belfort:organisation:org-{j}")
                    store_policy(session, _policy(f"urn:belfort:policy:g{i}-{j}",
                                                  f"vertrouwelijk-{i}", party,
                                                  counted=(i, j) == (1, 0)), actor="bench")
    return platform, key.secret


def _time(client: TestClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    r = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 60 if args.quick else 400
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="gate-", dir=OUT))
    try:
        without, key_a = _platform(work / "without", with_policies=False)
        with_, key_b = _platform(work / "with", with_policies=True)
        requests = {
            "records": "/api/explore/v2.1/catalog/datasets/open-7/records?limit=10",
            "dataset": "/api/belfort/v1/datasets/open-7",
            "catalogue": "/api/belfort/v1/datasets?limit=20",
        }
        times: dict[str, dict[str, list[float]]] = {n: {"without": [], "with": []}
                                                    for n in requests}
        granted: list[float] = []
        counted: list[float] = []
        with TestClient(create_app(without)) as a, TestClient(create_app(with_)) as b:
            ha = {"Authorization": f"Bearer {key_a}", "X-Belfort-Purpose": PURPOSE}
            hb = {"Authorization": f"Bearer {key_b}", "X-Belfort-Purpose": PURPOSE}
            for _ in range(5):  # warm both: caches, snapshots, the engine
                for path in requests.values():
                    _time(a, path, ha)
                    _time(b, path, hb)
            secret = "/api/explore/v2.1/catalog/datasets/vertrouwelijk-0/records?limit=10"
            limited = "/api/explore/v2.1/catalog/datasets/vertrouwelijk-1/records?limit=10"
            _time(b, secret, hb)
            _time(b, limited, hb)
            for _ in range(runs):
                for name, path in requests.items():
                    times[name]["without"].append(_time(a, path, ha))
                    times[name]["with"].append(_time(b, path, hb))
                granted.append(_time(b, secret, hb))
                counted.append(_time(b, limited, hb))
        without.close()
        with_.close()
        rows: list[dict[str, Any]] = []
        for name, pair in times.items():
            p50a, p50b = statistics.median(pair["without"]), statistics.median(pair["with"])
            rows.append({"request": name, "without_p50_ms": round(p50a, 3),
                         "with_p50_ms": round(p50b, 3),
                         "without_p95_ms": round(percentile(pair["without"], 95), 3),
                         "with_p95_ms": round(percentile(pair["with"], 95), 3),
                         "added_p50_ms": round(p50b - p50a, 3)})
        print(f"| request | without policies p50 | with {CONFIDENTIAL * POLICIES_EACH:,} "
              "policies p50 | added p50 | p95 without / with |")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['request']} | {r['without_p50_ms']:.2f} ms | {r['with_p50_ms']:.2f} ms "
                  f"| {r['added_p50_ms']:+.2f} ms | {r['without_p95_ms']:.2f} / "
                  f"{r['with_p95_ms']:.2f} ms |")
        print(f"| granted (a read under a policy) | — | {statistics.median(granted):.2f} ms | "
              f"| — / {percentile(granted, 95):.2f} ms |")
        print(f"| counted (under a policy with a count) | — | {statistics.median(counted):.2f} "
              f"ms | | — / {percentile(counted, 95):.2f} ms |")
        result = {"runs": runs, "rows": rows, "granted_p50_ms": statistics.median(granted),
                  "counted_p50_ms": statistics.median(counted),
                  "machine": machine_info()}
        (OUT / "results-gate.json").write_text(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
