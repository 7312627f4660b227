"""The SensorThings API over raw HTTP: query options, links under the canonical base, and
every kind of bad input answered with a clear 4xx (never a 500), nothing half-stored."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from belfort.catalog.models import DeviceRefusal, Observation, StaThing
from belfort.platform import Platform
from tests.conftest import TEST_BASE

STA = "/sta/v1.1"
UTC = dt.timezone.utc


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def auth(admin_key: str) -> dict[str, str]:
    return basic("admin", admin_key)


def thing_body(name: str = "Korenmarkt", observations: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    datastream: dict[str, Any] = {
        "name": "passanten", "description": "per kwartier",
        "unitOfMeasurement": {"name": "count", "symbol": "#", "definition": ""},
        "Sensor": {"name": "teller", "description": "ir", "encodingType": "text/plain",
                   "metadata": ""},
        "ObservedProperty": {"name": "Pedestrians", "definition": "", "description": ""},
    }
    if observations is not None:
        datastream["Observations"] = observations
    return {"name": name, "description": "plein", "properties": {"zone": "centrum"},
            "Locations": [{"name": name, "description": "", "encodingType":
                           "application/geo+json",
                           "location": {"type": "Point", "coordinates": [3.72, 51.05]}}],
            "Datastreams": [datastream]}


def recent(minutes_ago: int) -> str:
    moment = dt.datetime.now(UTC).replace(second=0, microsecond=0)
    return (moment - dt.timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def loaded(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    """Two Things; the first one's Datastream has six Observations (results 0, 10, … 50)."""
    observations = [{"phenomenonTime": recent(60 - 10 * i), "result": 10 * i}
                    for i in range(6)]
    first = client.post(f"{STA}/Things", json=thing_body("Korenmarkt", observations),
                        headers=auth)
    assert first.status_code == 201, first.text
    second = client.post(f"{STA}/Things", json=thing_body("Vrijdagmarkt"), headers=auth)
    assert second.status_code == 201, second.text
    return {"first": first.json(), "second": second.json()}


def test_created_entities_answer_with_links_under_the_canonical_base(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any]) -> None:
    created = loaded["first"]
    assert created["@iot.selfLink"] == f"{TEST_BASE}{STA}/Things({created['@iot.id']})"
    credentials = created["belfort:credentials"]  # shown once, for the new sensor
    assert list(credentials) == ["sta-1"] and credentials["sta-1"].startswith("bfd_")
    # a Host header changes no link
    answer = client.get(f"{STA}/Things", headers={**auth, "Host": "evil.example"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, no-store"
    thing = answer.json()["value"][0]
    assert thing["@iot.selfLink"].startswith(f"{TEST_BASE}{STA}/Things(")
    assert thing["Datastreams@iot.navigationLink"] == f"{thing['@iot.selfLink']}/Datastreams"
    root = client.get(f"{STA}/", headers=auth).json()
    assert {"name": "Things", "url": f"{TEST_BASE}{STA}/Things"} in root["value"]


def test_query_options(client: TestClient, auth: dict[str, str], loaded: dict[str, Any]
                       ) -> None:
    def results(query: str) -> list[Any]:
        answer = client.get(f"{STA}/Datastreams(1)/Observations?{query}", headers=auth)
        assert answer.status_code == 200, answer.text
        return [o["result"] for o in answer.json()["value"]]

    assert results("$orderby=result desc&$top=3") == [50, 40, 30]
    assert results("$filter=result ge 20 and result le 30") == [20, 30]
    assert results("$filter=result eq 0 or result eq 50&$orderby=result desc") == [50, 0]
    assert results("$filter=not (result lt 40)") == [40, 50]
    assert results("$filter=result ne 10 and result lt 30") == [0, 20]
    assert results(f"$filter=phenomenonTime gt {recent(25)}") == [40, 50]
    assert results(f"$filter=phenomenonTime le '{recent(50)}'") == [0, 10]
    assert results("$skip=4") == [40, 50]
    only_count = client.get(f"{STA}/Observations?$top=0&$count=true", headers=auth).json()
    assert only_count == {"@iot.count": 6, "value": []}
    counted = client.get(f"{STA}/Observations?$count=true&$top=2", headers=auth).json()
    assert counted["@iot.count"] == 6 and len(counted["value"]) == 2
    assert counted["@iot.nextLink"].startswith(f"{TEST_BASE}{STA}/Observations?")
    assert "%24skip=2" in counted["@iot.nextLink"]
    selected = client.get(f"{STA}/Things?$select=id,name", headers=auth).json()["value"]
    assert selected == [{"@iot.id": 1, "name": "Korenmarkt"},
                        {"@iot.id": 2, "name": "Vrijdagmarkt"}]
    found = client.get(f"{STA}/Things?$filter=startswith(name, 'Vrij')", headers=auth).json()
    assert [t["name"] for t in found["value"]] == ["Vrijdagmarkt"]
    expanded = client.get(f"{STA}/Things(1)?$expand=Locations,Datastreams($expand=Sensor,"
                          "ObservedProperty;$select=name)", headers=auth).json()
    assert expanded["Locations"][0]["location"]["coordinates"] == [3.72, 51.05]
    assert expanded["Datastreams"][0]["name"] == "passanten"
    assert expanded["Datastreams"][0]["ObservedProperty"]["name"] == "Pedestrians"
    assert "description" not in expanded["Datastreams"][0]
    single = client.get(f"{STA}/Observations(1)/Datastream", headers=auth).json()
    assert single["@iot.id"] == 1 and single["properties"]["belfort:sensor"] == "sta-1"


@pytest.mark.parametrize("query", ["$expand=Gizmos", "$select=colour", "$orderby=colour",
                                   "$expand=Datastreams($select=colour)"])
def test_a_wrong_option_is_400_even_when_nothing_matches(
        client: TestClient, auth: dict[str, str], query: str) -> None:
    answer = client.get(f"{STA}/Things?{query}", headers=auth)  # no Things at all
    assert answer.status_code == 400, answer.text


def test_posting_under_a_parent_links_to_it(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any]) -> None:
    location = {"name": "hoek", "location": {"type": "Feature", "geometry": {
        "type": "Polygon", "coordinates": [[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]]}}}
    answer = client.post(f"{STA}/Things(2)/Locations", json=location, headers=auth)
    assert answer.status_code == 201, answer.text
    listed = client.get(f"{STA}/Things(2)/Locations", headers=auth).json()["value"]
    assert [loc["location"]["type"] for loc in listed] == ["Point", "Polygon"]
    assert client.post(f"{STA}/Things(99)/Locations", json=location,
                       headers=auth).status_code == 404
    assert client.post(f"{STA}/Things(1)", json=location, headers=auth).status_code == 400


def test_a_quote_in_a_filter_is_a_value_never_sql(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any]) -> None:
    hostile = "$filter=name eq 'x'' or 1 eq 1 --'"
    answer = client.get(f"{STA}/Things?{hostile}", headers=auth)
    assert answer.status_code == 200 and answer.json()["value"] == []
    answer = client.get(f"{STA}/Things?$filter=substringof('%25', name)", headers=auth)
    assert answer.status_code == 200 and answer.json()["value"] == []


@pytest.mark.parametrize("joiner", [" and ", " or "])
def test_the_longest_filter_allowed_runs(client: TestClient, auth: dict[str, str],
                                         loaded: dict[str, Any], joiner: str) -> None:
    text = joiner.join(["result ne 7"] * 97 + ["not (result eq 8)"])
    answer = client.get(f"{STA}/Datastreams(1)/Observations?$filter={text}", headers=auth)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["value"]) == 6


def test_top_is_capped(platform: Platform, client: TestClient, auth: dict[str, str],
                       loaded: dict[str, Any]) -> None:
    platform.settings.sta_max_top = 4
    answer = client.get(f"{STA}/Observations?$top=100000", headers=auth).json()
    assert len(answer["value"]) == 4 and "@iot.nextLink" in answer


@pytest.mark.parametrize("headers", [
    {}, basic("admin", "bfk_not-a-key"), basic("sta-1", "bfd_wrong"), basic("x", ""),
    {"Authorization": "Basic !!!"}, {"Authorization": "Bearer bfk_nope"},
])
def test_no_or_wrong_credentials_are_401(client: TestClient, platform: Platform,
                                         headers: dict[str, str]) -> None:
    for method, path in (("get", f"{STA}/Things"), ("post", f"{STA}/Observations")):
        answer = client.request(method, path, headers=headers, json={"result": 1})
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["message"]
        if not headers:
            assert answer.headers["www-authenticate"].startswith("Basic")


def test_a_refused_device_is_recorded(client: TestClient, platform: Platform) -> None:
    answer = client.post(f"{STA}/Observations", headers=basic("sta-9", "bfd_guess"),
                         json={"result": 1, "Datastream": {"@iot.id": 1}})
    assert answer.status_code == 401
    with platform.db.session() as session:
        rows = session.scalars(select(DeviceRefusal)).all()
        assert [(r.device, r.channel) for r in rows] == [("sta-9", "sta")]


def test_bearer_admin_key_reads_too(client: TestClient, admin_headers: dict[str, str],
                                    loaded: dict[str, Any]) -> None:
    assert client.get(f"{STA}/Things(1)", headers=admin_headers).json()["name"] == "Korenmarkt"


@pytest.mark.parametrize("path", [
    "Things(999)", "Things(999)/Datastreams", "Things('abc')", "Things(-1)", "Gizmos",
    "Datastreams(77)/Thing", "Observations(123456)", "Things(1)/Gizmos",
])
def test_unknown_entities_are_404(client: TestClient, auth: dict[str, str],
                                  loaded: dict[str, Any], path: str) -> None:
    answer = client.get(f"{STA}/{path}", headers=auth)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("query", [
    "$filter=result gt", "$filter=name eq 'open", "$filter=nosuch eq 1",
    "$filter=" + "(" * 40 + "result eq 1" + ")" * 40, "$filter=" + "result eq 1 and " * 300,
    "$filter=result eq 'ten'", "$filter=phenomenonTime gt 'yesterday'",
    "$filter=length(name) eq 3", "$filter=result eq 1 ; drop table things",
    "$orderby=result sideways", "$top=ten", "$skip=-1", "$count=maybe", "$nosuch=1",
    "$expand=Gizmos", "$expand=Datastreams($nosuch=1)", "$select=nosuch",
    "$expand=Datastreams/Observations/Datastream/Thing", "$filter=name eq '%00'",
])
def test_malformed_query_options_are_400_with_a_message(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any], query: str) -> None:
    on_things = "name" in query or "Datastreams" in query
    path = "Things" if on_things else "Datastreams(1)/Observations"
    answer = client.get(f"{STA}/{path}?{query}", headers=auth)
    assert answer.status_code == 400, (query, answer.status_code, answer.text)
    assert answer.json()["message"]


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"[1, 2]", b'{"name": NaN}', b"[" * 100_000 + b"]" * 100_000,
    b'{"name": "x\\u0000y", "description": ""}', b'{"name": "x\\ud800y"}',
    b'{"name": "x", "properties": {"k": "\\udfff"}}', b'{"description": "no name"}',
    b'{"name": "x", "colour": "red"}', b'{"name": 5}', b"\xff\xfe",
    b'{"name": "x", "Locations": [{"name": "l", "location": {"type": "Point", '
    b'"coordinates": [500, 1]}}]}',
    b'{"name": "x", "Datastreams": [{"name": "d", "unitOfMeasurement": {}}]}',
    b'{"name": "x", "Datastreams": [{"name": "d", "unitOfMeasurement": {}, "Sensor": '
    b'{"@iot.id": "one"}, "ObservedProperty": {"name": "p"}}]}',
])
def test_malformed_bodies_are_400_and_store_nothing(
        client: TestClient, auth: dict[str, str], platform: Platform, body: bytes) -> None:
    answer = client.post(f"{STA}/Things", content=body,
                         headers={**auth, "Content-Type": "application/json"})
    assert answer.status_code == 400, (body[:60], answer.status_code, answer.text)
    assert answer.json()["message"]
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StaThing)) == 0


def test_html_is_kept_as_text_in_json(client: TestClient, auth: dict[str, str]) -> None:
    name = "<script>alert(1)</script>"
    created = client.post(f"{STA}/Things", json={"name": name, "description": "<b>x</b>"},
                          headers=auth)
    assert created.status_code == 201
    answer = client.get(created.headers["location"].removeprefix(TEST_BASE), headers=auth)
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["name"] == name


def test_an_oversized_body_is_413_and_stores_nothing(
        client: TestClient, auth: dict[str, str], platform: Platform) -> None:
    platform.settings.sta_max_body_kb = 1
    body = {"name": "x", "description": "y" * 5000}
    answer = client.post(f"{STA}/Things", json=body, headers=auth)
    assert answer.status_code == 413, answer.text
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StaThing)) == 0


def test_bad_observations_are_refused_with_the_reason(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any],
        platform: Platform) -> None:
    future = (dt.datetime.now(UTC) + dt.timedelta(days=2)).isoformat()
    cases = [
        ({"result": 1, "phenomenonTime": future}, 400, "time_in_future"),
        ({"result": "many", "phenomenonTime": recent(1)}, 400, "not a number"),
        ({"result": {"a": 1}, "phenomenonTime": recent(1)}, 400, "number"),
        ({"phenomenonTime": recent(1)}, 400, "result is required"),
        ({"result": 1, "phenomenonTime": "yesterday"}, 400, "ISO 8601"),
        ({"result": 1, "phenomenonTime": recent(1), "FeatureOfInterest": {}}, 400, "unknown"),
    ]
    with platform.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Observation))
    for body, status, words in cases:
        answer = client.post(f"{STA}/Datastreams(1)/Observations", json=body, headers=auth)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["message"], answer.text
    answer = client.post(f"{STA}/Observations", json={"result": 1}, headers=auth)
    assert answer.status_code == 400  # no Datastream
    answer = client.post(f"{STA}/Observations", headers=auth,
                         json={"result": 1, "Datastream": {"@iot.id": 999}})
    assert answer.status_code == 404
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == before


def test_a_device_may_only_post_observations(client: TestClient, loaded: dict[str, Any],
                                             platform: Platform) -> None:
    device = basic("sta-1", loaded["first"]["belfort:credentials"]["sta-1"])
    answer = client.post(f"{STA}/Datastreams(1)/Observations", headers=device,
                         json={"result": 5, "phenomenonTime": recent(2)})
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].startswith(f"{TEST_BASE}{STA}/Observations(")
    assert client.post(f"{STA}/Things", json={"name": "x"}, headers=device).status_code == 403
    assert client.get(f"{STA}/Things", headers=device).status_code == 403
    other = client.post(f"{STA}/Datastreams(2)/Observations", headers=device,
                        json={"result": 5, "phenomenonTime": recent(2)})
    assert other.status_code == 403
    with platform.db.session() as session:
        reasons = {r.reason for r in session.scalars(select(DeviceRefusal))}
        assert reasons == {"other_datastream"}
    # the user name must be the sensor's id
    credential = loaded["first"]["belfort:credentials"]["sta-1"]
    wrong_user = client.post(f"{STA}/Datastreams(1)/Observations",
                             headers=basic("sta-2", credential),
                             json={"result": 5, "phenomenonTime": recent(3)})
    assert wrong_user.status_code == 401


def test_methods_it_does_not_offer_are_405_json(client: TestClient, auth: dict[str, str],
                                                loaded: dict[str, Any]) -> None:
    answer = client.delete(f"{STA}/Things(1)", headers=auth)
    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("application/json")


def test_one_datastream_per_sensor_and_property(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any]) -> None:
    body = {"name": "nog eens", "unitOfMeasurement": {"name": "count"},
            "Thing": {"@iot.id": 1}, "Sensor": {"@iot.id": 1},
            "ObservedProperty": {"@iot.id": 1}, "properties": {"belfort:sensor": "sta-1"}}
    answer = client.post(f"{STA}/Datastreams", json=body, headers=auth)
    assert answer.status_code == 409, answer.text
    body["properties"] = {"belfort:sensor": "no-such-sensor"}
    assert client.post(f"{STA}/Datastreams", json=body, headers=auth).status_code == 404
    del body["properties"]  # a new sensor of its own
    answer = client.post(f"{STA}/Datastreams", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    assert list(answer.json()["belfort:credentials"]) == [f"sta-{answer.json()['@iot.id']}"]


def test_a_revoked_sensor_takes_no_more_observations(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any],
        platform: Platform) -> None:
    from belfort.streams.sensors import devices, revoke_sensor

    with platform.db.session() as session:
        revoke_sensor(session, "sta-1")
    devices(platform).forget()
    body = {"result": 1, "phenomenonTime": recent(1)}
    answer = client.post(f"{STA}/Datastreams(1)/Observations", json=body, headers=auth)
    assert answer.status_code == 409, answer.text
    device = basic("sta-1", loaded["first"]["belfort:credentials"]["sta-1"])
    answer = client.post(f"{STA}/Datastreams(1)/Observations", json=body, headers=device)
    assert answer.status_code == 401, answer.text


def test_a_flooding_device_is_told_to_wait(
        client: TestClient, loaded: dict[str, Any], platform: Platform) -> None:
    from belfort.streams.write import DeviceRates

    rates = platform.component(DeviceRates, DeviceRates)
    rates.rate, rates.burst = 0.1, 1.0  # a burst of one observation, then one per 10 s
    device = basic("sta-1", loaded["first"]["belfort:credentials"]["sta-1"])
    statuses = [client.post(f"{STA}/Datastreams(1)/Observations", headers=device,
                            json={"result": i, "phenomenonTime": recent(i + 1)}).status_code
                for i in range(3)]
    assert statuses[0] == 201 and statuses[-1] == 429


def test_create_observations_keeps_good_rows_and_names_bad_ones(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any],
        platform: Platform) -> None:
    future = (dt.datetime.now(UTC) + dt.timedelta(days=2)).isoformat()
    body = [{"Datastream": {"@iot.id": 2}, "components": ["phenomenonTime", "result"],
             "dataArray": [[recent(5), 1], [future, 2], [recent(4), "x"], [recent(3)],
                           [recent(2), 4]]}]
    answer = client.post(f"{STA}/CreateObservations", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    links = answer.json()
    assert links[0].startswith(f"{TEST_BASE}{STA}/Observations(")
    assert links[1].startswith("error: time_in_future")
    assert links[2].startswith("error: bad_value")
    assert links[3].startswith("error: bad_row")
    assert links[4].startswith(f"{TEST_BASE}{STA}/Observations(")
    results = client.get(f"{STA}/Datastreams(2)/Observations", headers=auth).json()["value"]
    assert [o["result"] for o in results] == [1, 4]


@pytest.mark.parametrize("body", [
    {}, [], [{"Datastream": {"@iot.id": 1}}], [{"Datastream": 1, "components": ["result"],
                                                "dataArray": []}],
    [{"Datastream": {"@iot.id": 1}, "components": ["result", "FeatureOfInterest/id"],
      "dataArray": []}],
    [{"Datastream": {"@iot.id": 1}, "components": ["result"], "dataArray": []}],
    [{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime", "result"],
      "dataArray": "x"}],
])
def test_create_observations_refuses_malformed_bodies(
        client: TestClient, auth: dict[str, str], loaded: dict[str, Any], body: Any) -> None:
    answer = client.post(f"{STA}/CreateObservations", json=body, headers=auth)
    assert answer.status_code == 400, answer.text


def test_create_observations_limits(client: TestClient, auth: dict[str, str],
                                    loaded: dict[str, Any], platform: Platform) -> None:
    row = [recent(1), 1]
    body = [{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime", "result"],
             "dataArray": [row] * 11}]
    platform.settings.stream_max_batch = 10
    assert client.post(f"{STA}/CreateObservations", json=body,
                       headers=auth).status_code == 413
    body[0]["Datastream"] = {"@iot.id": 404}
    body[0]["dataArray"] = [row]
    assert client.post(f"{STA}/CreateObservations", json=body,
                       headers=auth).status_code == 404
    device = basic("sta-1", loaded["first"]["belfort:credentials"]["sta-1"])
    body[0]["Datastream"] = {"@iot.id": 2}
    assert client.post(f"{STA}/CreateObservations", json=body,
                       headers=device).status_code == 403
    assert client.post(f"{STA}/CreateObservations", json=body).status_code == 401
