"""The pages work under their Content-Security-Policy in Debian's Chromium: no CSP violation
and no script error on any public page type, the API console, or the staff flow (sign in,
upload, review, check as draft, publish, sign out) — and a copied staff cookie stops working
at sign-out (issue 11, item 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from belfort.portal.render import STAFF_COOKIE
from tests.helpers import COUNTS_CSV
from tests.portal.conftest import (  # noqa: F401 (chromium and demo_server are fixtures)
    PAGES,
    LiveDemo,
    chromium,
    demo_server,
    guarded_context,
    live_staff_site,
    open_page,
)


def watch(page: Any) -> list[str]:
    """CSP refusals and script errors the page reports from now on."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" and "404" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    return problems


def test_public_pages_and_the_console_keep_their_csp(chromium: Any, demo_server: LiveDemo) -> None:  # noqa: F811
    # the SPARQL store is built on the first query (tens of seconds for the full demo on a
    # busy machine): built here, so the browser's page load timeout measures pages, not it
    httpx.get(demo_server.url + "/sparql", headers={"Accept": "text/html"}, timeout=300)
    context, _ = guarded_context(chromium, demo_server)
    try:
        page = context.new_page()
        problems = watch(page)
        for name in PAGES:
            open_page(page, demo_server, name)  # the map page waits until Leaflet drew the map
            assert page.evaluate("document.querySelector('meta[http-equiv]') === null")
            assert not problems, (name, problems)
        response = page.goto(demo_server.url + "/api/console", wait_until="load")
        assert (
            response is not None
            and "frame-ancestors 'none'" in response.headers["content-security-policy"]
        )
        page.locator(".opblock-tag[data-tag='native']").click()  # families start closed
        page.wait_for_selector(".opblock-summary-path")  # Swagger UI rendered under the CSP
        assert not problems, ("console", problems)
    finally:
        context.close()


@pytest.fixture(scope="module")
def staff_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root = tmp_path_factory.mktemp("staff-csp")
    with live_staff_site(root, "browser csp test") as (live, key, _):
        yield live, key


def test_the_staff_flow_works_under_its_csp_and_sign_out_ends_the_session(
    chromium: Any,  # noqa: F811
    staff_site: tuple[LiveDemo, str],
    tmp_path: Path,
) -> None:
    site, key = staff_site
    context, _ = guarded_context(chromium, site)
    try:
        page = context.new_page()
        problems = watch(page)
        page.goto(site.url + "/staff")
        page.fill("#key", key)
        page.click("form[action='/staff/sign-in'] button")
        page.wait_for_selector("form[action='/staff/uploads']")
        cookie = next(c for c in context.cookies() if c["name"] == STAFF_COOKIE)
        assert key not in cookie["value"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        source = tmp_path / "tellingen.csv"
        source.write_text(COUNTS_CSV)
        page.fill("#dataset", "tellingen")
        page.set_input_files("#file", str(source))
        page.click("form[action='/staff/uploads'] button")
        page.wait_for_selector("form[action^='/staff/uploads/'] button")
        page.fill("input[name=title_nl]", "Tellingen")
        page.click("form[action^='/staff/uploads/'] button[type=submit]")
        page.wait_for_selector("form[action='/staff/datasets/tellingen'] button")
        page.click("form[action='/staff/datasets/tellingen'] button")
        page.wait_for_url("**/staff/datasets/tellingen?saved=publish")
        for path in ("/staff/verwerkingsregister", "/staff/verwerkingsregister/new"):
            response = page.goto(site.url + path, wait_until="load")
            assert response is not None and response.status == 200, path
        assert not problems, problems
        page.goto(site.url + "/staff")
        page.click("form[action='/staff/sign-out'] button")
        page.wait_for_url(site.url + "/")
        assert not any(c["name"] == STAFF_COOKIE for c in context.cookies())
    finally:
        context.close()
    replay, _ = guarded_context(chromium, site)  # whoever copied the cookie
    try:
        replay.add_cookies([{"name": STAFF_COOKIE, "value": cookie["value"], "url": site.url}])
        page = replay.new_page()
        page.goto(site.url + "/staff")
        assert page.locator("input[type=password]").count() == 1  # the sign-in form: not staff
    finally:
        replay.close()
