"""The register's portal pages (list with search and filters, one page per entry, both
languages, markup escaped) and the staff pages (create, edit, publish, archive, link
datasets) with their CSRF defence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.catalog import store as catalog_store
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.register import service, store
from belfort.register.demo import ACTIVITIES, load_demo_register
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of

GUID, ACTIVITY = ACTIVITIES[1]  # every field filled, sensitive data included
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def demo(platform: Platform) -> Platform:
    list(load_demo_register(platform, CLI_ADMIN))
    return platform


@pytest.fixture
def staff(client: TestClient, admin_key: str) -> TestClient:
    token = csrf_of(client.get("/staff").text)
    client.post("/staff/sign-in", data={"csrf": token, "key": admin_key}, follow_redirects=False)
    return client


def state_of(platform: Platform, guid: str) -> str:
    with platform.db.session() as session:
        return store.get_activity(session, guid).state


def names_on(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/verwerkingsregister/[0-9a-f-]+">([^<]+)</a>', html)


def test_list_search_and_filters(client: TestClient, demo: Platform) -> None:
    page = client.get("/verwerkingsregister")
    assert page.status_code == 200 and page.headers["content-language"] == "nl"
    assert names_on(page.text) == sorted(a["name"] for _, a in ACTIVITIES)
    assert f"{len(ACTIVITIES)} van {len(ACTIVITIES)} verwerkingen" in page.text
    citizens = names_on(client.get("/verwerkingsregister", params={"audience": "burger"}).text)
    assert citizens == sorted(a["name"] for _, a in ACTIVITIES if a["audience"] == "burger")
    by_processor = names_on(client.get("/verwerkingsregister", params={"processor": "Burgerzaken"}).text)
    assert by_processor == ["Registers van de burgerlijke stand"]
    by_category = names_on(client.get("/verwerkingsregister", params={"category": "Veiligheid"}).text)
    assert len(by_category) == 2
    assert names_on(client.get("/verwerkingsregister", params={"q": "CAMERA pleinen"}).text) == [
        "Cameratoezicht op openbaar domein"]
    none = client.get("/verwerkingsregister", params={"q": "zzqxv", "audience": "<b>"})
    assert none.status_code == 200 and "Geen verwerkingen gevonden." in none.text and "<b>" not in none.text
    english = client.get("/verwerkingsregister", params={"lang": "en"}).text
    assert "Processing register" in english and "city staff" in english
    huge = client.get("/verwerkingsregister", params={"q": "x" * 60_000})
    assert huge.status_code == 200


def test_entry_page_shows_every_field(client: TestClient, demo: Platform) -> None:
    html = client.get(f"/verwerkingsregister/{GUID}").text
    for value in (ACTIVITY["name"], ACTIVITY["processor"], ACTIVITY["category"], ACTIVITY["legal_basis"],
                  ACTIVITY["legal_basis_explained"], ACTIVITY["formal_framework"], ACTIVITY["retention"],
                  ACTIVITY["security_measures"], ACTIVITY["third_country_transfers"], "burgers",
                  *ACTIVITY["purposes"], *ACTIVITY["data_subjects"], *ACTIVITY["grantees"],
                  *(p["type"] for p in ACTIVITY["personal_data"]),
                  *(p["description"] for p in ACTIVITY["sensitive_personal_data"]),
                  f"https://stad.gent/id/data-processing/activities/{GUID}"):
        assert value in html, value
    for term in ("toestemming:verwerker", "gdv:grantee", "dpv:hasPurpose", "schema:audience"):
        assert term in html
    english = client.get(f"/verwerkingsregister/{GUID}", params={"lang": "en"}).text
    assert "Which sensitive personal data?" in english and "Retention period" in english
    assert client.get("/verwerkingsregister/not-a-guid").status_code == 404
    assert client.get("/verwerkingsregister/00000000-0000-4000-8000-000000000000").status_code == 404


def test_markup_in_entries_is_escaped(client: TestClient, platform: Platform) -> None:
    created = service.create_activity(platform, CLI_ADMIN, {
        **ACTIVITY, "name": HOSTILE, "description": HOSTILE, "grantees": ["<i>ontvanger</i>"],
        "personal_data": [{"type": "<u>soort</u>", "description": HOSTILE}]}, state="published")
    for url in ("/verwerkingsregister", f"/verwerkingsregister/{created['id']}"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html and "<i>ontvanger" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_drafts_are_for_staff_only(client: TestClient, platform: Platform, admin_key: str) -> None:
    draft = service.create_activity(platform, CLI_ADMIN, {"name": "Geheim ontwerp"})
    assert client.get(f"/verwerkingsregister/{draft['id']}").status_code == 404
    assert "Geheim ontwerp" not in client.get("/verwerkingsregister").text
    assert client.get("/staff/verwerkingsregister").status_code == 404  # staff pages stay hidden
    token = csrf_of(client.get("/staff").text)
    client.post("/staff/sign-in", data={"csrf": token, "key": admin_key}, follow_redirects=False)
    assert "Geheim ontwerp" in client.get("/verwerkingsregister").text
    assert "niet openbaar" in client.get(f"/verwerkingsregister/{draft['id']}").text


def form_of(entry: dict[str, object]) -> dict[str, str]:
    def lines(items: object) -> str:
        return "\n".join(str(i) for i in items)  # type: ignore[attr-defined]

    data = {k: str(v) for k, v in entry.items() if isinstance(v, str)}
    for name in ("purposes", "data_subjects", "grantees"):
        data[name] = lines(entry.get(name, []))
    for name in ("personal_data", "sensitive_personal_data"):
        data[name] = lines(f"{p['type']}: {p['description']}" for p in entry.get(name, []))  # type: ignore[attr-defined]
    return data


def test_staff_create_publish_edit_and_archive(staff: TestClient, platform: Platform) -> None:
    page = staff.get("/staff/verwerkingsregister/new")
    assert page.status_code == 200
    token = csrf_of(page.text)
    r = staff.post("/staff/verwerkingsregister/new", data={"csrf": token, "name": "Alleen een naam", "publish": "yes"})
    assert r.status_code == 409 and "needs description" in r.text and 'value="Alleen een naam"' in r.text
    r = staff.post("/staff/verwerkingsregister/new", data={"csrf": token, **form_of(ACTIVITY), "publish": "yes"},
                   follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    guid = url.rsplit("/", 1)[1]
    entry = staff.get(f"/api/belfort/v1/processing-activities/{guid}").json()
    assert entry["state"] == "published" and entry["personal_data"] == ACTIVITY["personal_data"]
    assert entry["grantees"] == ACTIVITY["grantees"]
    edit = staff.get(url)
    token = csrf_of(edit.text)
    r = staff.post(url, data={"csrf": token, "action": "save", **form_of(ACTIVITY), "retention": "30 jaar"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert staff.get(f"/api/belfort/v1/processing-activities/{guid}").json()["retention"] == "30 jaar"
    r = staff.post(url, data={"csrf": token, "action": "save", **form_of(ACTIVITY), "grantees": "Politie, Parket"})
    assert r.status_code == 400 and "Politie, Parket" in r.text  # kept for correction
    assert "Ontvangers: zet elk item op een eigen regel" in r.text and "Value error" not in r.text
    r = staff.post(url, data={"csrf": token, "action": "state", "state": "archived"}, follow_redirects=False)
    assert r.status_code == 303
    assert state_of(platform, guid) == "archived"
    r = staff.post(url, data={"csrf": token, "action": "explode"})
    assert r.status_code == 400


def test_staff_forms_need_the_csrf_token(staff: TestClient, demo: Platform) -> None:
    url = f"/staff/verwerkingsregister/{GUID}"
    r = staff.post(url, data={"csrf": "0" * 32, "action": "state", "state": "archived"})
    assert r.status_code == 403
    r = staff.post("/staff/verwerkingsregister/new", data={"name": "x"})
    assert r.status_code == 403
    assert state_of(demo, GUID) == "published"


def test_staff_link_and_unlink_datasets(staff: TestClient, demo: Platform, tmp_path: Path) -> None:
    ingest_file(demo, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}, draft=True)
    url = f"/staff/verwerkingsregister/{GUID}"
    token = csrf_of(staff.get(url).text)
    r = staff.post(url, data={"csrf": token, "action": "link", "dataset": "tellingen", "personal_data": "yes"},
                   follow_redirects=False)
    assert r.status_code == 303
    with demo.db.session() as session:
        dataset = catalog_store.find_dataset(session, "tellingen")
        assert dataset is not None and dataset.personal_data and dataset.processing_activity == GUID
    r = staff.post("/staff/datasets/tellingen", data={"csrf": token, "action": "publish", "version": "1"},
                   follow_redirects=False)
    assert r.status_code == 303  # linked to a published entry: publishable
    page = staff.get(url).text
    assert "Tellingen" in page and "bevat persoonsgegevens" in page
    r = staff.post(url, data={"csrf": token, "action": "unlink", "dataset": "tellingen"})
    assert r.status_code == 409 and "Deze dataset bevat persoonsgegevens" in r.text
    r = staff.post(url, data={"csrf": token, "action": "state", "state": "archived"})
    assert r.status_code == 409 and "tellingen" in r.text
    r = staff.post(url, data={"csrf": token, "action": "link", "dataset": "bestaat-niet"})
    assert r.status_code == 404
    other = f"/staff/verwerkingsregister/{ACTIVITIES[0][0]}"  # a dataset is unlinked from its own entry only
    r = staff.post(other, data={"csrf": token, "action": "unlink", "dataset": "tellingen"})
    assert r.status_code == 400 and "is not linked" in r.text
    ingest_file(demo, CLI_ADMIN, "andere", counts_csv(tmp_path), metadata={"title_nl": "Andere"}, draft=True)
    staff.post(url, data={"csrf": token, "action": "link", "dataset": "andere"})
    r = staff.post(url, data={"csrf": token, "action": "unlink", "dataset": "andere"}, follow_redirects=False)
    assert r.status_code == 303
    with demo.db.session() as session:
        assert catalog_store.find_dataset(session, "andere").processing_activity is None  # type: ignore[union-attr]


def test_staff_dataset_page_shows_the_register_link(staff: TestClient, demo: Platform, tmp_path: Path) -> None:
    ingest_file(demo, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "personal_data": True}, draft=True)
    page = staff.get("/staff/datasets/tellingen").text
    assert "bevat persoonsgegevens" in page and "nog niet gekoppeld" in page
    service.link_dataset(demo, CLI_ADMIN, GUID, "tellingen")
    page = staff.get("/staff/datasets/tellingen", params={"lang": "en"}).text
    assert f'href="/staff/verwerkingsregister/{GUID}"' in page and "holds personal data" in page


def test_dataset_page_links_its_register_entry(client: TestClient, demo: Platform, tmp_path: Path) -> None:
    ingest_file(demo, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "personal_data": True, "processing_activity": GUID})
    page = client.get("/datasets/tellingen").text
    assert f'<a href="/verwerkingsregister/{GUID}">{ACTIVITY["name"]}</a>' in page
    assert "/verwerkingsregister/" not in client.get("/datasets/verwerkingsregister-stad-gent").text.split(
        "<dl")[1].split("</dl>")[0]  # a dataset without an entry shows none


def test_long_registers_are_paged(client: TestClient, platform: Platform) -> None:
    with platform.db.session() as session:
        for number in range(120):
            store.create_activity(session, "test", {**ACTIVITY, "name": f"Verwerking {number:03d}"}, state="published")
    first = client.get("/verwerkingsregister").text
    assert names_on(first) == [f"Verwerking {n:03d}" for n in range(50)]
    assert "120 van 120 verwerkingen" in first and 'rel="next" href="/verwerkingsregister?page=2"' in first
    last = client.get("/verwerkingsregister", params={"page": "3", "q": "verwerking"}).text
    assert names_on(last) == [f"Verwerking {n:03d}" for n in range(100, 120)] and 'rel="next"' not in last
    assert names_on(client.get("/verwerkingsregister", params={"page": "99"}).text)[0] == "Verwerking 100"
    assert client.get("/verwerkingsregister", params={"page": "x"}).status_code == 200


def test_entry_pages_answer_rdf_to_machines(client: TestClient, demo: Platform) -> None:
    from rdflib import Graph, URIRef

    uri = URIRef(f"https://stad.gent/id/data-processing/activities/{GUID}")
    for path, headers, parser in [
        (f"/verwerkingsregister/{GUID}", {"Accept": "text/turtle"}, "turtle"),
        (f"/verwerkingsregister/{GUID}", {"Accept": "application/ld+json"}, "json-ld"),
        (f"/verwerkingsregister/{GUID}.ttl", {}, "turtle"),
        (f"/verwerkingsregister/{GUID}.rdf", {}, "xml"),
        (f"/verwerkingsregister/{GUID}.nt", {}, "nt"),
    ]:
        r = client.get(path, headers=headers)
        assert r.status_code == 200 and r.headers["vary"] == "Accept", path
        assert r.headers["access-control-allow-origin"] == "*"
        graph = Graph().parse(data=r.content, format=parser)
        assert (uri, URIRef("http://purl.org/dc/terms/title"), None) in graph
        assert len(set(graph.subjects(URIRef("http://purl.org/dc/terms/identifier"), None))) == 1  # this entry only
    browser = client.get(f"/verwerkingsregister/{GUID}",
                         headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html")
    assert client.get(f"/verwerkingsregister/{GUID}").headers["content-type"].startswith("text/html")
    assert client.get(f"/verwerkingsregister/{GUID}.exe").status_code == 404
    draft = service.create_activity(demo, CLI_ADMIN, {"name": "Ontwerp"})
    assert client.get(f"/verwerkingsregister/{draft['id']}.ttl").status_code == 404
