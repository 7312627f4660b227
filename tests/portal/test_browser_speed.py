"""Fast and light: the bytes a page load transfers in Chromium (without the map library)
stay under 250 KB for every page type, and the server's median time for a dataset page is
under 50 ms.

Both are checks with generous, stated bounds (the pages measure a fraction of them), so
they hold on a busy two-core machine: the server time is taken inside the server (from
the request reaching the app to the last body byte handed to uvicorn), not by a client
that shares the CPU with Chromium.
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx
import pytest

from tests.portal.conftest import (
    MAP_DATASET,
    MAP_PAGES,
    PAGES,
    TABLE_DATASET,
    LiveDemo,
    guarded_context,
    open_page,
)

PAGE_WEIGHT_LIMIT = 250_000  # bytes transferred, the map library excepted
MAP_LIBRARY = "/static/vendor/leaflet/"
SERVER_P50_LIMIT = 0.050  # seconds
LOADS = 21


@pytest.mark.parametrize("name", [n for n in PAGES if n not in {"dataset-empty-preview", "search-none"}])
def test_page_weight(chromium: Any, demo_server: LiveDemo, name: str) -> None:
    """Every request of a cold page load (empty cache, the page's scripts run, the map
    drawn, until the network is idle), response headers and body as transferred."""
    context, _guard = guarded_context(chromium, demo_server)
    finished: list[Any] = []
    failed: list[str] = []
    try:
        page = context.new_page()
        page.on("requestfinished", lambda r: finished.append(r))
        page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
        open_page(page, demo_server, name)
        page.wait_for_load_state("networkidle")
        sizes = []
        for request in finished:
            s = request.sizes()
            sizes.append((request.url.removeprefix(demo_server.url),
                          s["responseHeadersSize"] + s["responseBodySize"]))
    finally:
        context.close()
    assert not failed, f"{PAGES[name]}: failed requests {failed}"
    counted = [(u, n) for u, n in sizes if MAP_LIBRARY not in u]
    total = sum(n for _, n in counted)
    library = sum(n for u, n in sizes if MAP_LIBRARY in u)
    print(f"\npage weight {name:<22} {total / 1000:7.1f} kB in {len(counted)} requests"
          + (f" (+ map library {library / 1000:.1f} kB)" if library else ""))
    if name in MAP_PAGES:
        assert library > 0, "the map page did not load Leaflet: is it really the map page?"
    assert total <= PAGE_WEIGHT_LIMIT, (
        f"{PAGES[name]} transfers {total:,} bytes without the map library (limit {PAGE_WEIGHT_LIMIT:,}): "
        + ", ".join(f"{u} {n:,}" for u, n in sorted(counted, key=lambda x: -x[1])))


@pytest.mark.parametrize("dataset", [TABLE_DATASET, MAP_DATASET, "passantentellingen-auckland"])
def test_dataset_page_server_time(demo_server: LiveDemo, dataset: str) -> None:
    """21 sequential loads of the dataset page's HTML over HTTP after one warm-up; the
    median of the server-side times is asserted, the client-side times are shown."""
    path = f"/datasets/{dataset}"
    with httpx.Client(base_url=demo_server.url, timeout=30) as client:
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        first = time.perf_counter() - started
        mark = demo_server.timer.mark()
        client_times = []
        for _ in range(LOADS):
            started = time.perf_counter()
            response = client.get(path)
            client_times.append(time.perf_counter() - started)
            assert response.status_code == 200 and "<table" in response.text
    server_times = [t for p, t in demo_server.timer.since(mark) if p == path]
    assert len(server_times) == LOADS
    p50 = statistics.median(server_times)
    print(f"\nserver time {path}: p50 {p50 * 1000:.1f} ms, max {max(server_times) * 1000:.1f} ms "
          f"(client p50 {statistics.median(client_times) * 1000:.1f} ms; first load {first * 1000:.0f} ms)")
    assert p50 <= SERVER_P50_LIMIT, (
        f"{path}: median server time {p50 * 1000:.1f} ms over {LOADS} loads exceeds "
        f"{SERVER_P50_LIMIT * 1000:.0f} ms; all: {[round(t * 1000, 1) for t in server_times]}")
