"""Browser fixtures for the portal: the demo catalogue served over real HTTP, and Debian's
Chromium driven by Playwright (never Playwright's own browser download).

Nothing here skips: a missing Chromium or axe-core is a failure that says how to install
it (``scripts/test`` installs both).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT

CHROMIUM = Path(os.environ.get("BELFORT_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium calls Google hosts on start-up.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_JS = REPO_ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
LEAFLET_JS = REPO_ROOT / "src" / "belfort" / "portal" / "static" / "vendor" / "leaflet" / "leaflet.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The demo catalogue's datasets the browser tests look at (src/belfort/demo/sources.py).
TABLE_DATASET = "bezetting-parkeergarages-demo"  # many rows: preview paging, sorting, a chart
MAP_DATASET = "telpunten-drukte-gent"  # a geopoint field: the dataset page has a map
ORGANISATION = "Mobiliteitsbedrijf Gent"
REGISTER_ENTRY = "1a7d5c2b-8e34-4f19-b6a0-3c9e2d8f5a71"  # src/belfort/register/demo.py: every field filled


class ServerTimer:
    """ASGI wrapper that records how long the server spends on each HTTP request, from
    the request reaching the app to the last byte of the response body being handed to
    the server (the client and the network are not in it)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        target = scope["path"] + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                with self._lock:
                    self.times.append((target, time.perf_counter() - start))

        await self.app(scope, receive, timed_send)

    def since(self, mark: int) -> list[tuple[str, float]]:
        with self._lock:
            return list(self.times[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.times)


@dataclass
class LiveDemo:
    url: str
    timer: ServerTimer
    load_seconds: float

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.url


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The full demo catalogue (as ``belfort demo`` loads it) on SQLite, served by uvicorn
    on a free local port in a thread. Loading takes about 5 s, so once per session."""
    import uvicorn

    from belfort.app import create_app
    from belfort.demo.loader import load_demo
    from belfort.platform import Platform
    from belfort.settings import Settings

    root = tmp_path_factory.mktemp("portal-demo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the address it serves on names its links (no BELFORT_PUBLIC_URL), as `belfort serve` does
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'catalog.sqlite'}",
                        map_tile_url=None, quota_per_address=0, quota_per_key=0,
                        host="127.0.0.1", port=port)
    platform = Platform(settings)
    started = time.perf_counter()
    for _line in load_demo(platform, size="full"):
        pass
    load_seconds = time.perf_counter() - started
    timer = ServerTimer(create_app(platform))
    server = uvicorn.Server(uvicorn.Config(timer, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "portal test server did not start"
        time.sleep(0.05)
    try:
        yield LiveDemo(f"http://127.0.0.1:{port}", timer, load_seconds)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        platform.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium (``apt-get install -y chromium``), headless, through Playwright."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test (it installs Debian's "
                    "chromium), or `apt-get install -y chromium`", pytrace=False)
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `npm ci` in tests/js (scripts/test does)",
                    pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: scripts/setup test (the test extra) installs it",
                    pytrace=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Guard:
    """Every request the pages of one browser context made, and those that were refused
    because they left Belfort."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def guarded_context(chromium: Any, demo: LiveDemo, **options: Any) -> tuple[Any, Guard]:
    """A fresh browser context in which every request that is not to the test server is
    aborted and written down (fonts, scripts, tiles, analytics: nothing may leave)."""
    context = chromium.new_context(**{"viewport": DESKTOP, **options})
    context.set_default_timeout(15_000)
    guard = Guard()

    def route(route: Any) -> None:
        url = route.request.url
        if demo.is_local(url):
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    context.on("request", lambda request: guard.requests.append(request.url))
    return context, guard


@pytest.fixture
def portal_page(chromium: Any, demo_server: LiveDemo) -> Iterator[Any]:
    """A page at desktop size in a fresh guarded context; afterwards, nothing it loaded
    may have come from outside Belfort."""
    ctx, guard = guarded_context(chromium, demo_server)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()
    outside = [u for u in guard.requests if not demo_server.is_local(u)]
    assert not outside, f"pages asked for something outside Belfort: {outside}"


# --- the page types and how to open one -------------------------------------------------

# Every page type of the portal, in the state a visitor usually sees it (name -> path).
PAGES = {
    "home": "/",
    "search": "/datasets",
    "search-query": "/datasets?q=parkeren",
    "search-facets": "/datasets?theme=TRAN&organisation=Mobiliteitsbedrijf+Gent",
    "search-none": "/datasets?q=zzqxv",
    "dataset": f"/datasets/{TABLE_DATASET}",
    "dataset-filtered": f"/datasets/{TABLE_DATASET}?p_q=Kouter&p_sort=-bezet#preview",
    "dataset-empty-preview": f"/datasets/{TABLE_DATASET}?p_q=zzqxv#preview",
    "map": f"/datasets/{MAP_DATASET}",
    "organisations": "/organisations",
    "organisation": "/organisations/Mobiliteitsbedrijf%20Gent",
    "api": "/api",
    "about": "/about",
    "security": "/security",
    "record": "/id/telpunten-drukte-gent/TP01",  # a counting point (rows as linked data)
    "sparql": "/sparql",  # the SPARQL endpoint's form
    "not-found": "/no-such-page",
    "dataset-not-found": "/datasets/no-such-dataset",
    "register": "/verwerkingsregister",
    "register-filtered": "/verwerkingsregister?audience=burger&q=parkeer",
    "register-none": "/verwerkingsregister?q=zzqxv",
    "register-entry": f"/verwerkingsregister/{REGISTER_ENTRY}",
}
NOT_FOUND = {"not-found", "dataset-not-found"}
MAP_PAGES = {"map"}
LANGS = ("nl", "en")


def with_lang(path: str, lang: str) -> str:
    """``path`` in ``lang`` (Dutch is the default, English by ``?lang=en``)."""
    if lang == "nl":
        return path
    base, _, fragment = path.partition("#")
    base += ("&" if "?" in base else "?") + "lang=en"
    return base + (f"#{fragment}" if fragment else "")


def open_page(page: Any, demo: LiveDemo, name: str, lang: str = "nl", *, scripts: bool = True) -> None:
    """Load page type ``name`` and wait until its scripts have done their work (the map
    drawn by Leaflet). The status is checked: a page type that breaks is a failure here,
    not a puzzling axe result later."""
    response = page.goto(demo.url + with_lang(PAGES[name], lang), wait_until="load")
    assert response is not None
    expected = 404 if name in NOT_FOUND else 200
    assert response.status == expected, f"{PAGES[name]} answered {response.status}, not {expected}"
    if name in MAP_PAGES:
        assert page.locator("div.bf-map").count() == 1, (
            f"{PAGES[name]}: no map section (div.bf-map) on the page of a dataset with a geopoint field")
        if scripts:
            assert LEAFLET_JS.is_file(), f"Leaflet is not vendored at {LEAFLET_JS}: run scripts/vendor-assets"
            page.wait_for_selector(".bf-map[data-bf-map-ready='1']", state="attached")


def block_scripts(page: Any) -> None:
    """Serve the page without its scripts: what a browser without JavaScript renders
    (axe itself still needs JavaScript to run, so the page keeps it)."""
    page.route("**/*", lambda route: route.abort("blockedbyclient")
               if route.request.resource_type == "script" else route.fallback())


# --- axe-core ---------------------------------------------------------------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as it is now."""
    # evaluated, not added as an inline <script>: the pages' CSP refuses inline scripts
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                      summary: n.failureSummary}))}));
        }""",
        WCAG_TAGS,
    )


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['url']}]")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
            lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_axe_violations(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{where}: {describe_violations(violations)}"


@contextmanager
def live_staff_site(root: Path, name: str) -> Iterator[tuple[LiveDemo, str, Any]]:
    """A fresh Belfort (quotas off) served over real HTTP for staff pages in a browser:
    yields (the live server, an admin key, its platform) and closes it afterwards."""
    from belfort.platform import Platform
    from belfort.policy.keys import create_key
    from belfort.settings import Settings
    from tests.helpers import live_server

    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.sqlite'}",
                                 quota_per_address=0, quota_per_key=0))
    with platform.db.session() as session:
        key = create_key(session, name).secret
    try:
        with live_server(platform) as url:
            yield LiveDemo(url, None, 0.0), key, platform  # type: ignore[arg-type]
    finally:
        platform.close()


def sign_in_as_staff(page: Any, url: str, key: str) -> None:
    """Through the sign-in form, as a steward does; waits for the dashboard."""
    page.goto(url + "/staff")
    page.fill("#key", key)
    page.click("form[action='/staff/sign-in'] button")
    page.wait_for_selector("form[action='/staff/uploads']")
