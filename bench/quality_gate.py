"""The publication gate's cost: publishing a 1,000,000-row file with and without it (issue 17).

A CSV of ``--rows`` rows (the 12 fields and fixed faults of ``bench/quality_profile.py``) is
ingested and published through ``belfort.publishing.ingest_file`` — the path of the API, the
CLI and the harvesters — alternately with the gate off and on (``open=100``: the 20 rules of
``quality_profile.py`` saved on the dataset all run over the staged file, nothing is blocked),
``BELFORT_DUCKDB_THREADS=2``, background quality measurement off. Reports the median wall
time of each, the added time and ratio, and the gate's own measurement (``elapsed_ms`` kept on
the version).

    .venv/bin/python bench/quality_gate.py [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_profile import GENERATE, RULES  # noqa: E402


def main() -> None:
    import duckdb

    from belfort.catalog.store import find_dataset
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.quality import store
    from belfort.settings import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="gate-bench-", dir=out))
    try:
        csv = root / "parkings.csv"
        generate = GENERATE.replace("(FORMAT parquet, ROW_GROUP_SIZE 122880)",
                                    "(FORMAT csv, HEADER)")
        duckdb.connect().execute(generate.format(rows=args.rows, path=csv))
        print(f"wrote {args.rows:,} rows ({csv.stat().st_size / 1e6:.0f} MB of CSV)")
        settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}",
                            duckdb_threads=2, quality_on_publish=False,
                            quality_timeout_seconds=600)
        platform = Platform(settings)
        ingest_file(platform, CLI_ADMIN, "parkings", csv, metadata={"title_nl": "Parkings"})
        with platform.db.session() as session:
            rules = store.replace_rules(session, find_dataset(session, "parkings"), RULES,
                                        "bench", max_rules=200, max_chars=2000)
        print(f"{len(rules)} rules saved")
        off = settings.model_copy(update={"quality_gate_max_failing_percent": ""})
        on = settings.model_copy(update={"quality_gate_max_failing_percent": "open=100"})
        samples: dict[str, list[float]] = {"off": [], "on": []}
        gate_ms: list[float] = []
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for name, chosen in (("off", off), ("on", on)):
                platform.settings = chosen
                started = time.perf_counter()
                outcome = ingest_file(platform, CLI_ADMIN, "parkings", csv)
                samples[name].append(time.perf_counter() - started)
                assert outcome.published
                if name == "on":
                    with platform.db.session() as session:
                        dataset = find_dataset(session, "parkings")
                        assert dataset is not None
                        record = dataset.versions[-1].quality_gate
                        assert record is not None and record["verdict"] == "passed"
                        gate_ms.append(record["elapsed_ms"])
        median_off = statistics.median(samples["off"])
        median_on = statistics.median(samples["on"])
        for name in ("off", "on"):
            print(f"publish, gate {name}: median {statistics.median(samples[name]):.2f} s; runs: "
                  + ", ".join(f"{s:.2f}" for s in samples[name]))
        print(f"added: {median_on - median_off:+.2f} s ({median_on / median_off:.2f}x); the gate's "
              f"own measurement: median {statistics.median(gate_ms):.0f} ms; runs: "
              + ", ".join(f"{m:.0f}" for m in gate_ms))
        print(f"load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
        platform.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
