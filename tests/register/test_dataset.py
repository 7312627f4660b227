"""The register as the dataset ``verwerkingsregister-stad-gent``: the processing-register
widget's Explore v2.1 calls, unchanged, over HTTP and with Opendatasoft's own JS client."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.register import service
from belfort.register.dataset import REGISTER_DATASET, publish_register_dataset
from belfort.register.demo import ACTIVITIES, load_demo_register
from tests.api.ods.test_js_client import JS_DIR, _node
from tests.register.serve import serve

REGISTER = f"/api/explore/v2.1/catalog/datasets/{REGISTER_DATASET}"
WIDGET_FACETS = (REGISTER + "/facets?facet=processor&facet=personaldata&facet=grantees&facet=type"
                 "&facet=formal_framework&facet=audience&refine=audience:burger")
CITIZEN_ACTIVITIES = [a for _, a in ACTIVITIES if a["audience"] == "burger"]


def widget_records(offset: int, word: str | None = None) -> str:
    url = REGISTER + f"/records?limit=10&offset={offset}&order_by=name&refine=audience:burger"
    return url + (f'&where=search(name, "{word}")' if word else "")


@pytest.fixture
def register(platform: Platform) -> Platform:
    list(load_demo_register(platform, CLI_ADMIN))
    return platform


def counts(field: str) -> Counter[str]:
    """How many citizens' entries name each value (what a multivalued facet counts)."""
    found: Counter[str] = Counter()
    for activity in CITIZEN_ACTIVITIES:
        if field == "personaldata":
            values = {p["type"] for p in activity["personal_data"] + activity.get("sensitive_personal_data", [])}
        elif field == "grantees":
            values = set(activity["grantees"])
        else:
            values = {activity[{"type": "category", "formal_framework": "legal_basis"}.get(field, field)]}
        found.update(values)
    return found


def test_widget_facets_call(client: TestClient, register: Platform) -> None:
    r = client.get(WIDGET_FACETS)
    assert r.status_code == 200, r.text
    groups = {g["name"]: g["facets"] for g in r.json()["facets"]}
    assert list(groups) == ["processor", "personaldata", "grantees", "type", "formal_framework", "audience"]
    assert groups["audience"] == [{"name": "burger", "value": "burger", "state": "refined",
                                   "count": len(CITIZEN_ACTIVITIES)}]
    for name in ("processor", "personaldata", "grantees", "type", "formal_framework"):
        got = {f["name"]: f["count"] for f in groups[name]}
        assert got == dict(counts(name)), name
        assert [f["count"] for f in groups[name]] == sorted(got.values(), reverse=True)
    # multivalued: one entry names several recipients, each counted once per entry
    assert sum(f["count"] for f in groups["grantees"]) > len(CITIZEN_ACTIVITIES)
    assert "Dienst HR" not in {f["name"] for f in groups["processor"]}  # staff entries stay out


def test_widget_records_call_pages_and_searches(client: TestClient, register: Platform) -> None:
    first = client.get(widget_records(0)).json()
    assert first["total_count"] == len(CITIZEN_ACTIVITIES) and len(first["results"]) == 10
    names = [r["name"] for r in first["results"]]
    assert names == sorted(a["name"] for a in CITIZEN_ACTIVITIES)
    second = client.get(widget_records(5)).json()
    assert [r["name"] for r in second["results"]] == names[5:]
    row = first["results"][0]
    assert {"id", "name", "processor", "type", "formal_framework", "audience"} <= set(row)
    activity = dict(ACTIVITIES)[row["id"]]
    assert row["grantees"] == activity["grantees"]  # multivalued fields come back as arrays
    assert row["personaldata"] == [p["type"] for p in activity["personal_data"]
                                   + activity.get("sensitive_personal_data", [])]
    found = client.get(widget_records(0, "bibliotheek")).json()
    assert [r["name"] for r in found["results"]] == ["Uitlenen in de bibliotheek"]
    assert client.get(widget_records(0, "loonadministratie")).json()["total_count"] == 0  # staff only


def test_multivalued_refine_exclude_and_disjunctive_facets(client: TestClient, register: Platform) -> None:
    refined = client.get(REGISTER + "/records", params={"refine": "grantees:Stad Gent", "limit": 100}).json()
    expected = {a["name"] for _, a in ACTIVITIES if "Stad Gent" in a["grantees"]}
    assert {r["name"] for r in refined["results"]} == expected and len(expected) > 1
    excluded = client.get(REGISTER + "/records", params={"exclude": "grantees:Stad Gent", "limit": 100}).json()
    assert excluded["total_count"] == len(ACTIVITIES) - len(expected)
    body = client.get(REGISTER + "/facets", params=[("facet", 'facet(name="grantees", disjunctive=true)'),
                                                     ("refine", "grantees:IVAGO")]).json()
    states = {f["name"]: f["state"] for f in body["facets"][0]["facets"]}
    assert states["IVAGO"] == "refined" and states["Stad Gent"] == "displayed"
    v1 = client.get("/api/records/1.0/search/", params={"dataset": REGISTER_DATASET, "facet": "grantees",
                                                        "refine.grantees": "IVAGO"}).json()
    assert v1["nhits"] == sum(1 for _, a in ACTIVITIES if "IVAGO" in a["grantees"])
    v1_values = {f["name"] for f in v1["facet_groups"][0]["facets"]}
    assert "IVAGO" in v1_values and not any(";" in v for v in v1_values)


def test_register_changes_publish_a_new_version(client: TestClient, register: Platform) -> None:
    def version() -> int:
        return client.get(f"/api/belfort/v1/datasets/{REGISTER_DATASET}").json()["published_version"]

    first = version()
    guid, activity = ACTIVITIES[0]
    service.update_activity(register, CLI_ADMIN, guid, {"grantees": [*activity["grantees"], "Politiezone Gent"]})
    assert version() == first + 1
    row = client.get(REGISTER + "/records", params={"where": f'id = "{guid}"'}).json()["results"][0]
    assert row["grantees"][-1] == "Politiezone Gent"
    service.create_activity(register, CLI_ADMIN, {"name": "Een ontwerp"})  # drafts are not public
    assert version() == first + 1
    service.change_activity_state(register, CLI_ADMIN, guid, "archived")
    assert version() == first + 2
    names = {r["name"] for r in client.get(REGISTER + "/records", params={"limit": 100}).json()["results"]}
    assert activity["name"] not in names and "Een ontwerp" not in names
    assert len(names) == len(ACTIVITIES) - 1


def test_an_empty_register_is_an_empty_dataset(client: TestClient, platform: Platform) -> None:
    publish_register_dataset(platform, CLI_ADMIN)
    assert client.get(widget_records(0)).json() == {"total_count": 0, "results": []}
    groups = client.get(WIDGET_FACETS).json()["facets"]
    assert [g["name"] for g in groups][:2] == ["processor", "personaldata"]
    assert all(g["facets"] == [] or g["name"] == "audience" for g in groups)


@pytest.fixture
def live_register(register: Platform) -> Iterator[str]:
    yield from serve(register)


def test_widget_calls_with_the_opendatasoft_js_client(live_register: str) -> None:
    run = subprocess.run([_node(), str(JS_DIR / "register_widget.mjs"), live_register, "camera"],
                         capture_output=True, text=True, timeout=120, cwd=JS_DIR)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    groups = {g["name"]: g["facets"] for g in out["facets"]["facets"]}
    assert {f["name"]: f["count"] for f in groups["grantees"]} == dict(counts("grantees"))
    first, second = out["pages"]
    assert first["total_count"] == len(CITIZEN_ACTIVITIES)
    assert [r["name"] for r in second["results"]] == [r["name"] for r in first["results"]][5:]
    assert [r["name"] for r in out["search"]["results"]] == ["Cameratoezicht op openbaar domein"]
    assert all("Stad Gent" in r["grantees"] for r in out["grantee"]["results"])


def test_concurrent_changes_end_in_the_newest_register(client: TestClient, register: Platform) -> None:
    import threading

    changes = {guid: f"{n} jaar (gelijktijdig)" for n, (guid, _) in enumerate(ACTIVITIES[:4], 1)}
    errors: list[BaseException] = []

    def change(guid: str, retention: str) -> None:
        try:
            service.update_activity(register, CLI_ADMIN, guid, {"retention": retention})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=item) for item in changes.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    rows = client.get(REGISTER + "/records", params={"limit": 100, "select": "id,retention"}).json()["results"]
    assert {r["id"]: r["retention"] for r in rows if r["id"] in changes} == changes


def test_v1_records_give_multivalued_fields_as_lists(client: TestClient, register: Platform) -> None:
    guid, activity = ACTIVITIES[0]
    body = client.get("/api/records/1.0/search/", params={"dataset": REGISTER_DATASET, "q": f'id:"{guid}"'}).json()
    (record,) = body["records"]
    assert record["fields"]["grantees"] == activity["grantees"]
    assert record["fields"]["name"] == activity["name"]


def test_json_exports_give_multivalued_fields_as_arrays(client: TestClient, register: Platform) -> None:
    guid, activity = ACTIVITIES[0]
    exported = client.get(REGISTER + "/exports/json", params={"where": f'id = "{guid}"'}).json()
    assert exported[0]["grantees"] == activity["grantees"]
    lines = client.get(REGISTER + "/exports/jsonl", params={"select": "grantees", "where": f'id = "{guid}"'}).text
    assert json.loads(lines.splitlines()[0]) == {"grantees": activity["grantees"]}
    csv_text = client.get(REGISTER + "/exports/csv", params={"select": "grantees", "where": f'id = "{guid}"'}).text
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["grantees"] and rows[1] == [",".join(activity["grantees"])]  # list_separator "," by default
    piped = client.get(REGISTER + "/exports/csv", params={"select": "grantees", "where": f'id = "{guid}"',
                                                           "list_separator": " | "}).text
    assert list(csv.reader(io.StringIO(piped), delimiter=";"))[1] == [" | ".join(activity["grantees"])]


def test_odsql_equality_on_a_multivalued_field_matches_any_value(client: TestClient, register: Platform) -> None:
    def names(where: str) -> set[str]:
        body = client.get(REGISTER + "/records", params={"where": where, "limit": 100}).json()
        return {r["name"] for r in body["results"]}

    naming = {a["name"] for _, a in ACTIVITIES if "IVAGO" in a["grantees"]}
    assert names('grantees = "IVAGO"') == naming and len(naming) == 2
    assert names('grantees != "IVAGO"') == {a["name"] for _, a in ACTIVITIES} - naming
    assert names('name = "Loonadministratie" and grantees = "RSZ"') == {"Loonadministratie"}
    assert names('grantees = "IVAGO;Stad Gent"') == set()  # the separator is no value


def test_widget_calls_with_an_empty_apikey(client: TestClient, register: Platform) -> None:
    """The widget appends apikey=<its attribute>; left empty, the calls are anonymous."""
    assert client.get(WIDGET_FACETS + "&apikey=").status_code == 200
    assert client.get(widget_records(0) + "&apikey=").json()["total_count"] == len(CITIZEN_ACTIVITIES)
    assert client.get(widget_records(0) + "&apikey=c5e39099e6c0c9d23041ef66b64cf82df92f31f27291836b97d57204"
                      ).status_code == 401  # a key Belfort does not know
