"""The users' environment: Belfort installed exactly as ``scripts/start`` installs it.

The rest of the suite runs in the larger test environment (``scripts/setup test,bench``),
so a runtime dependency that only an extra happens to bring in (``python-multipart`` for
the staff pages' form posts was one) goes unnoticed there. This test builds a fresh
virtual environment with ``scripts/setup`` and no extras (``BELFORT_VENV`` points it at
a temporary directory; pip's cache makes that about a minute), checks that it lacks the
test extras and that every ``belfort`` module imports in it, starts ``belfort demo`` from
it as a separate process and drives it over HTTP from here: the staff sign-in, an
upload, a metadata edit, the register's staff pages, and at least one request to every
family of routes the app declares. A route of a new family that no request reaches
fails the test, so a new surface cannot skip it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.helpers import COUNTS_CSV, free_port

pytestmark = pytest.mark.slow

SETUP_TIMEOUT = 900  # a cold pip cache downloads every dependency
START_TIMEOUT = 180

# Each route family: a name and the test of its path template. The first match wins, so
# the more specific families come first. A route no family claims fails the test.
FAMILIES: list[tuple[str, Callable[[str], bool]]] = [
    ("exports", lambda p: "/exports/" in p or p.startswith("/api/records/1.0/download")),
    (
        "register",
        lambda p: p.startswith(("/api/belfort/v1/processing-activities", "/verwerkingsregister")),
    ),
    ("staff register", lambda p: p.startswith("/staff/verwerkingsregister")),
    ("staff", lambda p: p.startswith("/staff")),
    ("native", lambda p: p.startswith("/api/belfort/v1/")),
    ("ods v1", lambda p: p.startswith(("/api/records/1.0/", "/api/datasets/1.0/"))),
    ("ods v2.1", lambda p: p.startswith("/api/explore/v2.1/")),
    ("dcat", lambda p: p == "/catalog" or p.startswith(("/catalog/", "/catalog."))),
    ("sparql", lambda p: p.startswith("/sparql")),
    (
        "ldes",
        lambda p: p.startswith("/ldes/") or re.fullmatch(r"/id/[^/]+/[^/]+/[^/]+", p) is not None,
    ),
    ("records /id", lambda p: p.startswith(("/id/", "/def/"))),
    ("explore downloads", lambda p: p.startswith("/explore/") and "/download" in p),
    ("explore pages", lambda p: p == "/explore" or p.startswith("/explore/")),
    ("api console", lambda p: p == "/api/console"),
    ("static", lambda p: p.startswith("/static")),
    ("maps", lambda p: p.startswith("/maps/")),
    ("dashboards", lambda p: p == "/dashboards" or p.startswith("/dashboards/")),
    ("sensorthings", lambda p: p.startswith("/sta/")),
    ("fiware", lambda p: p.startswith("/iot/")),
    ("transparency", lambda p: p == "/transparantie"),
    ("quality dashboards", lambda p: p == "/datakwaliteit" or p.endswith("/datakwaliteit")),
    ("access requests", lambda p: p.startswith("/toegangsaanvragen")),
    ("scenarios", lambda p: p == "/scenarios" or p.startswith("/scenarios/")),
    ("forecasts", lambda p: p == "/voorspellingen" or p.startswith("/voorspellingen/")),
    ("gent in cijfers (pages)", lambda p: p == "/cijfers" or p.startswith("/cijfers/")),
    (
        "gent in cijfers (swing)",
        lambda p: p.startswith(("/jive/", "/jiveservices/", "/viewerservices/")),
    ),
    ("operations", lambda p: p in {"/health", "/ready", "/metrics", "/api/", "/openapi.json"}),
    (
        "portal pages",
        lambda p: (
            p == "/"
            or p.startswith(("/datasets", "/organisations", "/about", "/security", "/.well-known/"))
            or p == "/api"
        ),
    ),
]


def family_of(path: str) -> str | None:
    return next((name for name, claims in FAMILIES if claims(path)), None)


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]
    pattern: re.Pattern[str]

    def serves(self, method: str, path: str) -> bool:
        method = "GET" if method == "HEAD" else method
        return (not self.methods or method in self.methods) and self.pattern.fullmatch(
            path
        ) is not None


def declared_routes() -> list[Route]:
    """Every route of the app, hidden ones (staff pages) and mounts included.

    FastAPI includes routers lazily (``app.routes`` lists the included routers, each
    holding its original router), so the tree is walked.
    """
    from belfort.app import create_app

    found: list[Route] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = getattr(route, "include_context", None)
                walk(included.routes, prefix + (getattr(context, "prefix", "") or ""))
                continue
            path = getattr(route, "path", None)
            if path is None:
                continue
            full = prefix + path
            if hasattr(route, "app") and not hasattr(
                route, "endpoint"
            ):  # a mount: everything below it
                pattern = re.compile(re.escape(full) + r"(/.*)?")
            else:
                pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(full)))
            found.append(Route(full, frozenset(getattr(route, "methods", None) or ()), pattern))

    walk(create_app(platform=None).routes, "")
    return found


@dataclass
class Visit:
    method: str
    path: str
    status: int


@dataclass
class Session:
    """An httpx client against the served process that records every request."""

    client: httpx.Client
    visits: list[Visit] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)
        self.visits.append(Visit(method, httpx.URL(url).path, response.status_code))
        assert response.status_code < 500, (
            f"{method} {url} → {response.status_code}: {response.text[:2000]}"
        )
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def _clean_environment(venv: Path) -> dict[str, str]:
    """The process environment of a user's shell: nothing of this test run's Python
    environment or Belfort settings leaks into the fresh one."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BELFORT_", "PYTHON", "PYTEST", "VIRTUAL_ENV", "COV_"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return env


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    env = _clean_environment(venv) | {"BELFORT_VENV": str(venv)}
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "setup")],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
    )
    assert done.returncode == 0, f"scripts/setup failed:\n{done.stdout}\n{done.stderr}"
    assert (venv / "bin" / "belfort").exists()
    return venv


@dataclass
class Served:
    base: str
    data_dir: Path
    venv: Path
    env: dict[str, str] = field(repr=False)


@pytest.fixture(scope="module")
def served(fresh_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("fresh-serve")
    data_dir = work / "data"
    port = free_port()
    env = _clean_environment(fresh_venv)
    log = (work / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(fresh_venv / "bin" / "belfort"),
            "demo",
            "--small",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (
                f"belfort demo exited:\n{(work / 'server.log').read_text()}"
            )
            assert time.monotonic() < deadline, (
                f"belfort demo did not start:\n{(work / 'server.log').read_text()}"
            )
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield Served(base, data_dir, fresh_venv, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _run_in_venv(venv: Path, env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        env=env,
        cwd=venv.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_fresh_environment_lacks_the_extras(fresh_venv: Path) -> None:
    """The environment is the users' one: none of the test or bench extras are in it."""
    env = _clean_environment(fresh_venv)
    for module in (
        "pytest",
        "hypothesis",
        "playwright",
        "datasette",
        "sqlite_utils",
        "ruff",
        "mypy",
    ):
        done = _run_in_venv(
            fresh_venv,
            env,
            f"import importlib.util, sys; "
            f"sys.exit(0 if importlib.util.find_spec({module!r}) is None else 1)",
        )
        assert done.returncode == 0, (
            f"{module} is importable in the environment scripts/start builds"
        )
    assert sys.prefix != str(fresh_venv)


IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, traceback
import belfort
failed = {}
names = ["belfort"] + [m.name for m in pkgutil.walk_packages(belfort.__path__, "belfort.")]
for name in names:
    try:
        importlib.import_module(name)
    except BaseException:
        failed[name] = traceback.format_exc(limit=3)
print(json.dumps({"modules": len(names), "failed": failed}))
"""


def test_every_module_imports_without_the_extras(fresh_venv: Path) -> None:
    """Nothing in ``belfort`` needs, at runtime, a package only the extras install."""
    done = _run_in_venv(fresh_venv, _clean_environment(fresh_venv), IMPORT_EVERY_MODULE)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["modules"] > 50
    assert not outcome["failed"], "\n".join(f"{k}:\n{v}" for k, v in outcome["failed"].items())


def _csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{32})"', page.text)
    assert match, f"no CSRF token on {page.request.url}"
    return match.group(1)


def _admin_key(served: Served) -> str:
    done = subprocess.run(
        [
            str(served.venv / "bin" / "belfort"),
            "keys",
            "create",
            "fresh install test",
            "--data-dir",
            str(served.data_dir),
        ],
        env=served.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].strip()


def _staff_flow(s: Session, key: str) -> None:
    """Sign in, upload, check as a draft, edit metadata, and the register's staff pages:
    every form post the staff make, parsed by the fresh environment."""
    sign_in = s.get("/staff")
    assert sign_in.status_code == 200
    r = s.post("/staff/sign-in", data={"csrf": _csrf(sign_in), "key": "wrong"})
    assert r.status_code == 401
    r = s.post("/staff/sign-in", data={"csrf": _csrf(sign_in), "key": key})
    assert r.status_code == 303 and r.headers["location"] == "/staff", r.text
    dashboard = s.get("/staff")
    assert dashboard.status_code == 200 and "passantentellingen-gent-demo" in dashboard.text
    token = _csrf(dashboard)

    r = s.post(
        "/staff/uploads",
        data={"csrf": token, "dataset": "verse-tellingen"},
        files={"file": ("tellingen.csv", COUNTS_CSV.encode(), "text/csv")},
    )
    assert r.status_code == 303, r.text
    review_url = r.headers["location"]
    review = s.get(review_url)
    assert review.status_code == 200 and "telpunt" in review.text
    r = s.post(
        review_url,
        data={
            "csrf": token,
            "title_nl": "Verse tellingen",
            "organisation": "Stad Gent",
            "licence": "CC0-1.0",
        },
    )
    assert r.status_code == 200, r.text

    edit = s.get("/staff/datasets/verse-tellingen")
    assert edit.status_code == 200
    r = s.post(
        "/staff/datasets/verse-tellingen",
        data={"csrf": token, "action": "metadata", "title_nl": "Verse tellingen (nagekeken)"},
    )
    assert r.status_code == 303, r.text
    r = s.post(
        "/staff/datasets/verse-tellingen", data={"csrf": token, "action": "publish", "version": "1"}
    )
    assert r.status_code == 303, r.text
    public = s.get("/api/belfort/v1/datasets/verse-tellingen")
    assert public.status_code == 200 and public.json()["title_nl"] == "Verse tellingen (nagekeken)"

    register = s.get("/staff/verwerkingsregister")
    assert register.status_code == 200
    new = s.get("/staff/verwerkingsregister/new")
    assert new.status_code == 200
    r = s.post(
        "/staff/verwerkingsregister/new",
        data={"csrf": _csrf(new), "name": "Proef vanuit een verse installatie"},
    )
    assert r.status_code == 303, r.text
    entry_url = r.headers["location"].split("?")[0]
    entry = s.get(entry_url)
    assert entry.status_code == 200 and "Proef vanuit een verse installatie" in entry.text
    r = s.post(entry_url, data={"csrf": token, "action": "save", "name": "Proef (bewerkt)"})
    assert r.status_code == 303, r.text
    r = s.post("/staff/sign-out", data={"csrf": token})
    assert r.status_code == 303 and s.get("/staff/verwerkingsregister").status_code == 404

    # the API's own upload (the raw file as the body) and metadata edit, with the key
    auth = {"Authorization": f"Bearer {key}"}
    things = s.get("/sta/v1.1/Things", headers=auth)  # SensorThings, with the admin key
    assert things.status_code == 200 and "value" in things.json(), things.text[:200]
    r = s.post(
        "/api/belfort/v1/datasets/api-tellingen/ingest",
        content=COUNTS_CSV.encode(),
        params={"title_nl": "Tellingen via de API", "filename": "tellingen.csv"},
        headers={**auth, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201 and r.json()["row_count"] == 5, r.text
    r = s.request(
        "PATCH",
        "/api/belfort/v1/datasets/api-tellingen",
        json={"title_en": "Counts via the API"},
        headers=auth,
    )
    assert r.status_code == 200 and r.json()["title_en"] == "Counts via the API", r.text


def _public_flow(s: Session) -> None:
    """At least one request to every public family, from a client without a sign-in."""
    ds = "passantentellingen-gent-demo"
    datasets = s.get("/api/belfort/v1/datasets")
    assert datasets.status_code == 200 and ds in datasets.text
    assert s.get(f"/api/belfort/v1/datasets/{ds}/records", params={"limit": 2}).status_code == 200
    assert s.get(f"/api/belfort/v1/datasets/{ds}/exports/csv").status_code == 200
    assert s.get("/api/records/1.0/search/", params={"dataset": ds, "rows": 1}).status_code == 200
    assert s.get("/api/datasets/1.0/search/", params={"q": "tellingen"}).status_code == 200
    records = s.get(f"/api/explore/v2.1/catalog/datasets/{ds}/records", params={"limit": 1})
    assert records.status_code == 200 and records.json()["total_count"] > 0
    assert s.get("/api/explore/v2.1/catalog/datasets", params={"limit": 5}).status_code == 200
    assert (
        s.get(
            f"/api/explore/v2.1/catalog/datasets/{ds}/exports/json", params={"limit": 3}
        ).status_code
        == 200
    )
    assert s.get("/catalog", headers={"Accept": "text/turtle"}).status_code == 200
    # the demo lists its internal dataset on the transparency page; its rows stay closed
    transparency = s.get("/transparantie")
    assert transparency.status_code == 200 and "Meldingen" in transparency.text
    assert s.get("/api/belfort/v1/datasets/meldingen-openbaar-domein-intern/records"
                 ).status_code == 404
    # its request-access button leads to the form, which asks a visitor to sign in first
    assert "/toegangsaanvragen/nieuw/meldingen-openbaar-domein-intern" in transparency.text
    form = s.get("/toegangsaanvragen/nieuw/meldingen-openbaar-domein-intern")
    assert form.status_code == 200 and 'name="purpose_text"' not in form.text
    # the quality dashboards: city-wide and of one organisation (public datasets only)
    quality = s.get("/datakwaliteit")
    assert quality.status_code == 200 and "meldingen-openbaar-domein-intern" not in quality.text
    assert s.get("/organisations/mobiliteitsbedrijf-gent/datakwaliteit").status_code == 200
    # the twin's what-if scenarios: the demo's street links and the comparison page
    links = s.get("/api/belfort/v1/zone-links")
    assert links.status_code == 200 and "korenmarkt" in links.text, links.text[:300]
    assert s.get("/scenarios").status_code == 200
    # the twin's forecasts: the page (no model trained in a fresh install: it says so) and
    # the zone forecast API
    forecasts = s.get("/voorspellingen")
    assert forecasts.status_code == 200 and "Drukteverwachting" in forecasts.text
    assert s.get("/api/belfort/v1/zones/korenmarkt/forecast").status_code == 200
    # Gent in Cijfers: the Swing-compatible OData the stadincijfers client reads
    levels = s.get("/jiveservices/odata/GeoLevels")
    assert levels.status_code == 200 and "wijk" in levels.text, levels.text[:300]
    # and its pages: a wijk's profile with the demo's modelled figures
    profile = s.get("/cijfers/wijken/1")
    assert profile.status_code == 200 and "Binnenstad" in profile.text, profile.text[:300]
    sparql = s.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert sparql.status_code == 200 and "boolean" in sparql.text
    stream = s.get(f"/ldes/{ds}", headers={"Accept": "text/turtle"})
    assert stream.status_code == 200
    assert s.get(f"/def/{ds}", headers={"Accept": "text/turtle"}).status_code == 200
    record_id = s.get("/api/records/1.0/search/", params={"dataset": ds, "rows": 1}).json()[
        "records"
    ][0]["recordid"]
    assert s.get(f"/id/{ds}/{record_id}", headers={"Accept": "text/turtle"}).status_code == 200
    assert s.get("/verwerkingsregister").status_code == 200
    assert s.get("/api/belfort/v1/processing-activities").status_code == 200
    home = s.get("/")
    assert home.status_code == 200
    assert s.get("/datasets", params={"q": "parking"}).status_code == 200
    assert s.get(f"/datasets/{ds}").status_code == 200
    base = s.get("/maps/base.geojson")  # the demo's wijken under every map
    assert base.status_code == 200 and base.json()["features"], base.text[:200]
    sensors = s.get("/api/belfort/v1/sensors")  # the living demo's counters
    assert sensors.status_code == 200 and "TP01" in sensors.text, sensors.text[:200]
    gauge = s.get("/api/records/1.0/search/", params={  # Ghent's crowd gauge, as it calls
        "dataset": "druktebarometer-info", "q": "", "sort": "tijd_van_voltooien", "rows": 1})
    assert gauge.status_code == 200 and gauge.json()["nhits"] >= 1, gauge.text[:300]
    unknown_device = s.post("/iot/json", params={"k": "made-up", "i": "TP01"},
                            json={"count": 3})  # the FIWARE form refuses an unknown apikey
    assert unknown_device.status_code == 401, unknown_device.text[:200]
    gent = s.get("/dashboards/gent")  # the default Ghent dashboard, made at start-up
    assert gent.status_code == 200 and "Gent nu" in gent.text
    old_page = s.get(f"/explore/dataset/{ds}/")  # data.stad.gent's URL: sent to Belfort's page
    assert old_page.status_code in {301, 302, 303, 307, 308}
    download = s.get(f"/explore/dataset/{ds}/download/",
                     params={"format": "csv", "csv_separator": ";"})
    assert download.status_code == 200 and ";" in download.text.splitlines()[0]
    static = re.search(r'(/static/[^"\']+)', home.text)
    assert static, "the home page links no static file"
    assert s.get(static.group(1)).status_code == 200
    console = s.get("/api/console")
    assert console.status_code == 200 and "/openapi.json" in console.text
    assert s.get("/health").status_code == 200
    assert s.get("/openapi.json").status_code == 200


def test_staff_and_every_route_family_answer_in_the_fresh_environment(served: Served) -> None:
    with httpx.Client(base_url=served.base, timeout=60, follow_redirects=False) as public_client:
        public = Session(public_client)
        _public_flow(public)
    with httpx.Client(base_url=served.base, timeout=120, follow_redirects=False) as staff_client:
        staff = Session(staff_client)
        _staff_flow(staff, _admin_key(served))

    routes = declared_routes()
    unclaimed = sorted({r.path for r in routes if family_of(r.path) is None})
    assert not unclaimed, (
        f"routes of no family (add one to FAMILIES and a request for it): {unclaimed}"
    )
    visits = public.visits + staff.visits
    families = {family_of(r.path) for r in routes}
    missed = []
    for family in sorted(f for f in families if f is not None):
        members = [r for r in routes if family_of(r.path) == family]
        if not any(r.serves(v.method, v.path) and v.status < 500 for r in members for v in visits):
            missed.append(f"{family}: {sorted(r.path for r in members)}")
    assert not missed, "route families no request reached:\n" + "\n".join(missed)
