"""What-if scenarios over HTTP: links managed by admins (one by one or from a YAML/JSON file),
scenarios created by staff only, read, listed, exported and deleted; bad input a clear 4xx."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import Role
from belfort.twin.scenarios import store
from tests.twin.scenarios.helpers import MONDAY_9, WINDOW, diamond

LINKS = "/api/belfort/v1/zone-links"
SCENARIOS = "/api/belfort/v1/scenarios"


def _key(platform: Platform, role: Role) -> dict[str, str]:
    with platform.db.session() as session:
        return {"Authorization": f"Bearer {create_key(session, role.value, role).secret}"}


@pytest.fixture
def made(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    diamond(platform)
    real = store.run_scenario
    monkeypatch.setattr(store, "run_scenario",  # "now" a week after the counts, fixed
                        lambda p, s, n, until_us=None: real(p, s, n, MONDAY_9))


def _body(**changes: object) -> dict[str, object]:
    return {"name": "Korenmarkt dicht", "closures": [{"zone": "b"}], **WINDOW, **changes}


def test_staff_create_anyone_reads_lists_exports_and_staff_delete(
        client: TestClient, platform: Platform, made: None) -> None:
    assert client.post(SCENARIOS, json=_body()).status_code == 401
    assert client.post(SCENARIOS, json=_body(),
                       headers=_key(platform, Role.READ)).status_code == 403
    staff = _key(platform, Role.WRITE)
    created = client.post(SCENARIOS, json=_body(), headers=staff)
    assert created.status_code == 201, created.text
    found = created.json()
    assert found["flagged_zones"] == ["c"] and found["created_by"].startswith("key:")
    assert found["result"]["explanation"]["reliability"] == "indicative"  # 2 of 4 counted
    listing = client.get(SCENARIOS).json()["scenarios"]
    assert [s["id"] for s in listing] == [found["id"]] and "result" not in listing[0]
    # who made it (a key id, a person's subject) is for staff only
    assert listing[0]["created_by"] is None
    assert client.get(f"{SCENARIOS}/{found['id']}").json()["created_by"] is None
    assert client.get(SCENARIOS, headers=staff).json()["scenarios"][0]["created_by"] == \
        found["created_by"]
    one = client.get(f"{SCENARIOS}/{found['id']}").json()
    assert one["result"]["hours"][0]["zones"] == found["result"]["hours"][0]["zones"]
    exported = client.get(f"{SCENARIOS}/{found['id']}/export")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["zone"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[2]["scenario_label"] == "te druk" and rows[2]["crosses"] == "True"
    as_json = client.get(f"{SCENARIOS}/{found['id']}/export?format=json")
    assert json.loads(as_json.text)["result"]["flagged"] == found["result"]["flagged"]
    assert client.get(f"{SCENARIOS}/{found['id']}/export?format=xlsx").status_code == 400
    assert client.delete(f"{SCENARIOS}/{found['id']}").status_code == 401
    assert client.delete(f"{SCENARIOS}/{found['id']}", headers=staff).status_code == 204
    assert client.get(f"{SCENARIOS}/{found['id']}").status_code == 404


@pytest.mark.parametrize(("changes", "status"), [
    ({"closures": [{"zone": "korenmarkt"}]}, 422),
    ({"closures": [{"link": "<img src=x onerror=alert(1)>"}]}, 422),
    ({"end": WINDOW["start"]}, 422),
    ({"end": "2030-01-01T00:00:00Z"}, 422),
    ({"name": "nul\x00"}, 422),
    ({"closures": [{"zone": "b"}] * 101}, 422),
])
def test_bad_scenarios_are_a_clear_4xx_and_nothing_is_kept(
        client: TestClient, platform: Platform, made: None, changes: dict[str, object],
        status: int) -> None:
    answer = client.post(SCENARIOS, json=_body(**changes), headers=_key(platform, Role.ADMIN))
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == "scenario_invalid"
    assert client.get(SCENARIOS).json()["scenarios"] == []


def test_malformed_bodies_and_ids(client: TestClient, platform: Platform, made: None) -> None:
    admin = _key(platform, Role.ADMIN)
    for raw in (b"{", b"[]", b"\xff\xfe", b'"x"'):
        assert client.post(SCENARIOS, content=raw, headers=admin).status_code == 400
    assert client.post(SCENARIOS, content=b"{" + b" " * 70_000 + b"}",
                       headers=admin).status_code == 413
    for bad in ("nope", "0" * 16, "../../etc", "%00"):
        assert client.get(f"{SCENARIOS}/{bad}").status_code == 404
        assert client.get(f"{SCENARIOS}/{bad}/export").status_code == 404


def test_the_saved_scenarios_are_limited(client: TestClient, platform: Platform,
                                         made: None) -> None:
    platform.settings.twin_scenario_max_saved = 1
    admin = _key(platform, Role.ADMIN)
    assert client.post(SCENARIOS, json=_body(), headers=admin).status_code == 201
    assert client.post(SCENARIOS, json=_body(), headers=admin).status_code == 413


def test_admins_manage_links_one_by_one_and_from_a_file(
        client: TestClient, platform: Platform, made: None) -> None:
    admin = _key(platform, Role.ADMIN)
    assert [link["id"] for link in client.get(LINKS).json()["links"]] == ["ab", "ac", "bd",
                                                                          "cd"]
    link = {"id": "bc", "from": "b", "to": "c", "width_m": 3, "length_m": 40}
    assert client.post(LINKS, json=link).status_code == 401
    assert client.post(LINKS, json=link, headers=_key(platform, Role.WRITE)).status_code == 403
    added = client.post(LINKS, json=link, headers=admin)
    assert added.status_code == 201 and added.json()["capacity_per_hour"] == 3 * 49 * 60
    assert client.post(LINKS, json={**link, "id": "cb", "from": "c", "to": "b"},
                       headers=admin).status_code == 409  # the same pair again
    yaml_file = "links:\n  - {id: ab, from: a, to: b, width_m: 5, length_m: 100}\n"
    replaced = client.put(LINKS, content=yaml_file.encode(), headers=admin)
    assert replaced.status_code == 200 and replaced.json() == {"links": 1}
    json_file = json.dumps([{"id": "ad", "from": "a", "to": "d", "width_m": 5,
                             "length_m": 300}])
    assert client.put(LINKS, content=json_file.encode(), headers=admin).json() == {"links": 1}
    assert client.delete(f"{LINKS}/ad", headers=admin).status_code == 204
    assert client.delete(f"{LINKS}/ad", headers=admin).status_code == 404


@pytest.mark.parametrize(("body", "status", "problem"), [
    ('[{"id": "x", "from": "a", "to": "a", "width_m": 1, "length_m": 1}]', 422, "no loops"),
    ('[{"id": "x", "from": "a", "to": "nope", "width_m": 1, "length_m": 1}]', 422,
     "no zone 'nope'"),
    ('[{"id": "x", "from": "a", "to": "b", "width_m": -1, "length_m": 1e9}]', 422, "width_m"),
    ('[{"id": "x", "from": "a", "to": "b", "width_m": "wide", "length_m": 1}]', 422,
     "width_m"),
    ('[{"id": "<b>", "from": "a", "to": "b", "width_m": 1, "length_m": 1}]', 422, "id:"),
    ('[{"id": "x", "from": "a", "to": "b", "width_m": 1, "length_m": 1, "evil": 1}]', 422,
     "unknown field"),
    ("links: [1, 2", 422, "not readable"),
    ("!!python/object/apply:os.system ['true']", 422, "not readable"),
    ("just text", 422, "a list of links"),
    ('[{"id": "x"}]\x00', 422, "NUL"),
])
def test_bad_link_files_are_refused_whole(client: TestClient, platform: Platform, made: None,
                                          body: str, status: int, problem: str) -> None:
    answer = client.put(LINKS, content=body.encode(), headers=_key(platform, Role.ADMIN))
    assert answer.status_code == status, answer.text
    assert problem in json.dumps(answer.json()), answer.json()
    assert len(client.get(LINKS).json()["links"]) == 4  # nothing changed


def test_a_graph_of_ten_thousand_links_is_refused(client: TestClient, platform: Platform,
                                                  made: None) -> None:
    many = [{"id": f"l{n}", "from": "a", "to": "b", "width_m": 1, "length_m": 1}
            for n in range(10_000)]
    answer = client.put(LINKS, content=json.dumps(many).encode(),
                        headers=_key(platform, Role.ADMIN))
    assert answer.status_code == 413 and answer.json()["limit"] == 2000
    assert client.put(LINKS, content=b"\xff" * 10, headers=_key(platform, Role.ADMIN)
                      ).status_code == 400
