"""Ghent's widgets' calls, made with ``fetch`` by a page on ANOTHER origin in Chromium:
Belfort on one port, the widget page served by ``http.server`` on another."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv, free_port, live_server
from tests.portal.conftest import chromium  # noqa: F401  (Debian's Chromium through Playwright)

WIDGET_PAGE = "<!doctype html><html lang='en'><head><title>widget</title></head><body>crowd gauge</body></html>"


@pytest.fixture
def served(platform: Platform, tmp_path: Path, admin_key: str) -> Iterator[tuple[str, str, str]]:
    """(Belfort's URL, the widget page's URL on another port, an admin key)."""
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "drukte", csv, metadata={"title_nl": "Drukte"})
    ingest_file(platform, CLI_ADMIN, "intern", csv, metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
    site = tmp_path / "site"
    site.mkdir()
    (site / "widget.html").write_text(WIDGET_PAGE)
    handler = functools.partial(_QuietHandler, directory=str(site))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        with live_server(platform) as belfort:
            yield belfort, f"http://127.0.0.1:{other.server_address[1]}/widget.html", admin_key
    finally:
        other.shutdown()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


FETCH = """async ([url, headers]) => {
  try {
    const r = await fetch(url, {headers});
    const text = await r.text();
    return {ok: true, status: r.status, body: text,
            remaining: r.headers.get('X-RateLimit-Remaining'), disposition: r.headers.get('Content-Disposition')};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}"""


def _fetch(page: Any, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return page.evaluate(FETCH, [url, headers or {}])  # type: ignore[no-any-return]


def test_widgets_on_another_origin_read_the_apis(chromium: Any, served: tuple[str, str, str]) -> None:  # noqa: F811
    import json

    belfort, widget, key = served
    assert widget.split("/")[2] != belfort.split("/")[2]  # really another origin
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(widget)
        assert page.evaluate("location.origin") != belfort

        # the crowd gauge: the newest record
        gauge = _fetch(page, f"{belfort}/api/records/1.0/search/?dataset=drukte&q=&sort=tijdstip&rows=1")
        assert gauge["ok"] and gauge["status"] == 200, gauge
        body = json.loads(gauge["body"])
        assert body["nhits"] == 5 and body["records"][0]["fields"]["tijdstip"].startswith("2024-03-01T13:00")

        # Explore v2.1 records with where=, and facets
        records = _fetch(page, f"{belfort}/api/explore/v2.1/catalog/datasets/drukte/records?where=aantal%3E100")
        assert records["ok"] and json.loads(records["body"])["total_count"] == 2, records
        facets = _fetch(page, f"{belfort}/api/explore/v2.1/catalog/datasets/drukte/facets?facet=telpunt")
        assert facets["ok"], facets
        names = {f["name"] for f in json.loads(facets["body"])["facets"][0]["facets"]}
        assert names == {"Korenmarkt", "Veldstraat", "Graslei"}

        # an export: the file name header is readable
        export = _fetch(page, f"{belfort}/explore/dataset/drukte/download/?format=csv")
        assert export["ok"] and export["disposition"] == 'attachment; filename="drukte.csv"', export

        # an error is readable too
        error = _fetch(page, f"{belfort}/api/explore/v2.1/catalog/datasets/drukte/records?where=(((")
        assert error["ok"] and error["status"] == 400 and "ODSQLError" in error["body"], error

        # a key in the Authorization header forces a preflight; it passes and the key counts
        keyed = _fetch(page, f"{belfort}/api/explore/v2.1/catalog/datasets/intern/records?limit=1",
                       {"Authorization": f"Bearer {key}"})
        assert keyed["ok"] and keyed["status"] == 200, keyed
        assert json.loads(keyed["body"])["total_count"] == 5
        anonymous = _fetch(page, f"{belfort}/api/explore/v2.1/catalog/datasets/intern/records?limit=1")
        assert anonymous["ok"] and anonymous["status"] == 404

        # the staff pages are not readable from another origin
        staff = _fetch(page, f"{belfort}/staff")
        assert not staff["ok"] and "Failed to fetch" in staff["error"], staff
        portal = _fetch(page, f"{belfort}/datasets/drukte/map.geojson")
        assert not portal["ok"], portal
    finally:
        context.close()
