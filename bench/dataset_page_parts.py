"""Where an anonymous visitor's dataset page spends its server time, part by part.

    .venv/bin/python bench/dataset_page_parts.py              # 10 rounds over the demo's pages
    .venv/bin/python bench/dataset_page_parts.py --rounds 30

Loads the demo catalogue (``belfort.demo``) into a fresh data directory under bench/out/,
asks every open, published dataset's page once (not counted), then ``--rounds`` times each, in
process over ASGI (no network), and prints the mean milliseconds per page of each part of
``belfort.portal.dataset_page.dataset_page`` (each part timed by wrapping the function the
page calls; a part called from another timed part is counted in both). Parts that call the
gate themselves (the data-quality report, the metadata-quality score, the governance block)
include their own gate check: ``gate.get_dataset`` is listed over all its callers as well.
The dataset page was 37-49 % of a loaded server's busy samples for a ninth of the soak's
requests (bench/README.md, "Request threads"); this says which parts to make cheaper.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import serve_demo_from  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _timing(spent: dict[str, float], owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``spent[label]``."""
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)

    from fastapi.testclient import TestClient

    from belfort.app import create_app
    from belfort.policy import gate
    from belfort.portal import dataset_page as page

    spent: dict[str, float] = collections.defaultdict(float)
    parts = [
        (page.catalogue, "snapshot", "catalogue snapshot"),
        (gate, "get_dataset", "gate.get_dataset (every caller)"),
        (page, "dataset_governance", "governance block"),
        (page, "readable", "readable (the version as the visitor may read it)"),
        (page, "_preview", "table preview (a query)"),
        (page.visuals, "chart_section", "chart"),
        (page.visuals, "map_section", "map"),
        (page, "_quality", "metadata-quality score"),
        (page.quality_pages, "dataset_data_quality", "data-quality report"),
        (page, "render", "template rendering"),
        (page, "_history", "version history"),
    ]
    for owner, name, label in parts:
        _timing(spent, owner, name, label)

    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        serve_demo_from(Path(tmp) / "demo")
        with TestClient(create_app()) as client:
            time.sleep(2)  # the chart renderer warms up in the background at start-up
            listed = client.get("/api/belfort/v1/datasets", params={"limit": 1000}).json()
            ids = sorted(d["id"] for d in listed["datasets"])  # what anyone may see
            for dataset_id in ids:
                client.get(f"/datasets/{dataset_id}")
            spent.clear()
            pages = 0
            start = time.perf_counter()
            for _ in range(args.rounds):
                for dataset_id in ids:
                    response = client.get(f"/datasets/{dataset_id}")
                    if response.status_code != 200:
                        raise SystemExit(f"/datasets/{dataset_id}: {response.status_code}")
                    pages += 1
            total_ms = (time.perf_counter() - start) * 1000 / pages
    print(f"{pages} dataset pages ({len(ids)} datasets × {args.rounds} rounds): "
          f"{total_ms:.2f} ms per page, request to response")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{seconds * 1000 / pages:8.2f} ms  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
