"""The table preview's JavaScript in Debian's Chromium: sorting, filtering and paging go
through the Opendatasoft v1 search API without reloading the page, and the address bar
keeps the same parameters the page understands without JavaScript."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import write


def wait_until(page: Any, condition: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression from Python: ``page.wait_for_function`` evaluates its
    string inside the page, which the pages' CSP (no ``unsafe-eval``) refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"not true after {timeout} s on {page.url}: {condition}"
        time.sleep(0.05)


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DATASET = "tellingen-preview"


@pytest.fixture
def page(ghent: Platform, live_ghent: str, tmp_path: Path) -> Iterator[object]:
    rows = "\n".join(f"{['Korenmarkt', 'Veldstraat', 'Graslei'][i % 3]},{i * 7 % 50},2024-03-01T{i % 24:02d}:00:00Z"
                      for i in range(45))
    ingest_file(ghent, CLI_ADMIN, DATASET, write(tmp_path / "t.csv", "telpunt,aantal,tijdstip\n" + rows + "\n"),
                metadata={"title_nl": "Tellingen"})
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_sort_filter_and_page_through_the_api(page, live_ghent: str) -> None:  # type: ignore[no-untyped-def]
    total = httpx.get(f"{live_ghent}/api/records/1.0/search/", params={"dataset": DATASET, "rows": 0}).json()["nhits"]
    assert total > 20, "the fixture dataset must span two preview pages"
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/records/1.0/search/" in r.url else None)
    page.goto(f"{live_ghent}/datasets/{DATASET}")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    def reloaded() -> bool:
        return not page.evaluate("window.__sameDocument === true")

    first_column = page.locator("#preview thead th").first
    name = first_column.get_attribute("data-field")  # the field id (the link shows its title)
    first_column.locator("a").click()
    wait_until(page, "document.querySelector('#preview thead th').getAttribute('aria-sort') === 'ascending'")
    assert api_calls and "sort=-" + name in api_calls[-1].replace("%2D", "-")
    assert f"p_sort={name}" in page.url and not reloaded()  # the address bar follows

    page.locator("#preview .pager a[rel=next]").click()
    wait_until(page, "document.querySelector('#preview caption').textContent.includes('21')")
    assert "start=20" in api_calls[-1] and "p_start=20" in page.url
    assert page.locator("#preview tbody tr").count() == min(20, total - 20)

    page.fill("#p_q", "zzzz-no-such-word")
    page.press("#p_q", "Enter")
    wait_until(page, "document.querySelector('#preview tbody').children.length === 0")
    assert "Geen rijen gevonden" in page.locator("#preview caption").inner_text()
    assert "q=zzzz-no-such-word" in api_calls[-1] and not reloaded()

    page.fill("#p_q", "aantal >= 'x'")  # a question the API refuses: its message, not a broken page
    page.press("#p_q", "Enter")
    page.wait_for_selector("#preview .preview-error[role=alert]")
    assert not reloaded()


def test_copy_buttons_appear_and_copy_with_javascript(page, live_ghent: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_ghent}/datasets/{DATASET}")
    button = page.locator("button[data-copy=snippet-curl]")
    button.focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('snippet-curl-status').textContent === 'Gekopieerd'")
    assert button.is_visible()
