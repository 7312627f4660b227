"""Metadata quality (MQA) benchmark: what scoring costs, and what the DQV measurements add to
the DCAT catalogue.

    .venv/bin/python bench/mqa_bench.py                 # 1,000 datasets, 3 rounds
    .venv/bin/python bench/mqa_bench.py --datasets 200  # quicker

Writes bench/out/results-mqa.json. The catalogue is the portal benchmark's generated one
(``portal_bench._catalogue``: rows written straight into a fresh SQLite catalogue, each with
one small version), as an administrator sees it. Timed, in-process, per round:

- scoring one description (``belfort.mqa.scoring.score_description``), in µs;
- building one dataset's DCAT fragment (Turtle) with and without its DQV measurements, in
  µs, and the fragment's size;
- the whole catalogue's scores (``belfort.mqa.service.score_rows``) cold — a new process's
  checker: the official shapes parsed and pySHACL run in batches of 200 — and warm (results
  remembered per catalogue row), and without shapes (dcatApCompliance not checked).

The shapes are read from ../shared/standards/dcat-ap-3.0.1 (never copied into the
repository); without them the cold/warm rows are skipped. The machine is shared: read
medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info  # noqa: E402
from portal_bench import _catalogue  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SHAPES = Path(__file__).resolve().parents[2] / "shared" / "standards" / "dcat-ap-3.0.1"


def _per_call_us(fn: Any, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def _round(data_dir: Path, shapes: Path | None) -> dict[str, float]:
    from belfort.linked import fragments
    from belfort.linked.dcat import DcatBuilder
    from belfort.mqa import scoring, service
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.settings import Settings

    out: dict[str, float] = {}
    settings = Settings(data_dir=data_dir, public_url="http://bench.example", mqa_shapes_dir=shapes)
    platform = Platform(settings)
    try:
        rows = list(service.visible_rows(platform, CLI_ADMIN))
        row = rows[0]
        builder = DcatBuilder(settings.canonical_base_url)
        builder.dataset(row)
        uri = builder.dataset_uri(row.id)
        def own(url: str) -> bool | None:
            return scoring.own_url_ok(url, builder.base, row.id, True)

        def fragment() -> Any:
            return fragments.build_fragment(builder.base_url, row, "ttl")

        out["score_one_us"] = _per_call_us(
            lambda: scoring.score_description(builder.doc, uri, own, None), 500)
        out["fragment_us"] = _per_call_us(fragment, 300)
        out["fragment_bytes"] = len(fragment().body)
        original = DcatBuilder._quality
        DcatBuilder._quality = lambda self, row, d: None  # type: ignore[method-assign]
        try:
            out["fragment_without_dqv_us"] = _per_call_us(fragment, 300)
            out["fragment_without_dqv_bytes"] = len(fragment().body)
        finally:
            DcatBuilder._quality = original  # type: ignore[method-assign]
        t0 = time.perf_counter()
        service.score_rows(platform, rows)
        out["catalogue_cold_s" if shapes else "catalogue_no_shapes_s"] = time.perf_counter() - t0
        if shapes:
            t0 = time.perf_counter()
            service.score_rows(platform, rows)
            out["catalogue_warm_s"] = time.perf_counter() - t0
        out["datasets"] = len(rows)
    finally:
        platform.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    shapes = SHAPES if (SHAPES / "shapes.ttl").is_file() else None
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="belfort-mqa-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        _catalogue(data_dir, args.datasets)
        for _ in range(args.rounds):
            for with_shapes in ((shapes, None) if shapes else (None,)):
                rounds.append(_round(data_dir, with_shapes))
    keys = sorted({k for r in rounds for k in r})
    medians = {k: statistics.median(r[k] for r in rounds if k in r) for k in keys}
    result = {"machine": machine_info(), "datasets": args.datasets, "rounds": args.rounds,
              "shapes": str(shapes) if shapes else None, "medians": medians, "all": rounds}
    OUT.mkdir(exist_ok=True)
    (OUT / "results-mqa.json").write_text(json.dumps(result, indent=2))
    for key in keys:
        print(f"{key:32} {medians[key]:12.3f}")


if __name__ == "__main__":
    main()
