"""Zones and crowding over HTTP: public reads, admin writes, clear 4xx for bad input, and
the crowd gauge's own call answering from the crowding dataset."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.streams.model import now_us
from tests.twin.conftest import MINUTE, box, feed, make_sensor

ZONES = "/api/belfort/v1/zones"
GAUGE_CALL = ("/api/records/1.0/search/?dataset=druktebarometer-info&q="
              "&sort=tijd_van_voltooien&rows=1")
ORIGIN = {"Origin": "https://stad.gent"}


def _zone(**changes: Any) -> dict[str, Any]:
    return {"id": "korenmarkt", "name": "Korenmarkt", "geometry": box(), "area_m2": 1000,
            "centre": True, **changes}


def test_admins_define_zones_and_anyone_reads_them(
        client: TestClient, admin_headers: dict[str, str], platform: Platform) -> None:
    made = client.post(ZONES, json=_zone(), headers=admin_headers)
    assert made.status_code == 201, made.text
    assert made.json()["capacity"] == 2000 and made.json()["centre"] is True
    feature = {"type": "Feature", "geometry": box(side_m=50),
               "properties": {"id": "graslei", "name": "Graslei"}}
    assert client.post(ZONES, json=feature, headers=admin_headers).status_code == 201
    listing = client.get(ZONES).json()["zones"]
    assert [z["id"] for z in listing] == ["graslei", "korenmarkt"]
    assert listing[0]["area_computed"] and abs(listing[0]["area_m2"] - 2500) < 25
    assert client.get(f"{ZONES}/korenmarkt").json()["geometry"] == box()
    extra = {**box(), "crs": {"junk": "\x00<script>"}, "bbox": [0, 0, 1, 1]}
    made = client.post(ZONES, json=_zone(id="kouter", geometry=extra), headers=admin_headers)
    assert made.status_code == 201 and made.json()["geometry"] == box()
    assert client.delete(f"{ZONES}/graslei", headers=admin_headers).status_code == 204
    assert client.get(f"{ZONES}/graslei").status_code == 404


def test_writes_need_an_admin_key(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.post(ZONES, json=_zone()).status_code == 401
    assert client.post(ZONES, json=_zone(), headers={"Authorization": "Bearer nope"}
                       ).status_code == 401
    client.post(ZONES, json=_zone(), headers=admin_headers)
    assert client.delete(f"{ZONES}/korenmarkt").status_code == 401
    assert client.get(f"{ZONES}/korenmarkt").status_code == 200


def test_bad_input_is_a_clear_4xx_and_nothing_is_kept(
        client: TestClient, admin_headers: dict[str, str]) -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.06], [3.73, 51.05],
                                                   [3.72, 51.06], [3.72, 51.05]]]}
    huge = {"type": "Polygon", "coordinates": [[[2.5, 50.5], [6.0, 50.5], [6.0, 51.5],
                                                [2.5, 51.5], [2.5, 50.5]]]}
    many = [[3.72 + 0.001 * math.cos(a / 2000 * 6.28), 51.05 + 0.001 * math.sin(a / 2000 * 6.28)]
            for a in range(2000)]
    cases: list[tuple[bytes, int, str]] = [
        (b"{not json", 400, "invalid_request"),
        (b"[1, 2]", 400, "invalid_request"),
        (json.dumps(_zone(geometry=bow_tie)).encode(), 422, "zone_invalid"),
        (json.dumps(_zone(geometry=huge)).encode(), 422, "zone_invalid"),
        (json.dumps(_zone(geometry={"type": "Polygon",
                                    "coordinates": [many + [many[0]]]})).encode(),
         422, "zone_invalid"),
        (b'{"id": "korenmarkt", "name": "K", "area_m2": NaN, "geometry": '
         + json.dumps(box()).encode() + b"}", 422, "zone_invalid"),
        (json.dumps(_zone(id="<script>alert(1)</script>")).encode(), 422, "zone_invalid"),
        (json.dumps(_zone(name="Korenmarkt\x00")).encode(), 422, "zone_invalid"),
        (json.dumps(_zone(extra="x")).encode(), 422, "zone_invalid"),
        (b'{"id": "' + b"a" * 5_000_000 + b'"}', 413, "payload_too_large"),
    ]
    for body, status, code in cases:
        answer = client.post(ZONES, content=body, headers=admin_headers)
        assert (answer.status_code, answer.json()["error"]) == (status, code), body[:80]
    assert client.get(ZONES).json()["zones"] == []
    assert client.get(f"{ZONES}/nope").json()["error"] == "zone_not_found"
    assert client.get(f"{ZONES}/nope/crowding").status_code == 404
    for hostile in ("%00", "a%00b", "x" * 5000, "%3Cscript%3E", "..%2F..%2Fetc"):
        assert client.get(f"{ZONES}/{hostile}").status_code == 404, hostile
        assert client.delete(f"{ZONES}/{hostile}", headers=admin_headers).status_code == 404
    assert client.delete(f"{ZONES}/nope", headers=admin_headers).status_code == 404
    assert client.post(ZONES, json=_zone(), headers=admin_headers).status_code == 201
    assert client.post(ZONES, json=_zone(), headers=admin_headers).status_code == 409


def test_a_name_with_markup_is_data_not_html(
        client: TestClient, admin_headers: dict[str, str]) -> None:
    name = '<img src=x onerror="alert(1)">'
    assert client.post(ZONES, json=_zone(name=name), headers=admin_headers).status_code == 201
    answer = client.get(f"{ZONES}/korenmarkt")
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["name"] == name


def test_crowding_now_and_the_gauge_call(
        client: TestClient, admin_headers: dict[str, str], platform: Platform) -> None:
    assert client.post(ZONES, json=_zone(), headers=admin_headers).status_code == 201
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 100.0) for k in range(15)])
    crowding = client.get("/api/belfort/v1/crowding").json()
    assert crowding["centre"] == {"score": 50, "label": "druk", "weighted_score": 50,
                                  "busiest_zone": "korenmarkt"}
    zone = client.get(f"{ZONES}/korenmarkt/crowding").json()
    assert (zone["score"], zone["occupancy"], zone["method"]) == (50, 1000.0, "passages")
    # the catalogue entry made with the first zone answers Ghent's crowd gauge call, CORS too
    gauge = client.get(GAUGE_CALL, headers=ORIGIN)
    assert gauge.status_code == 200, gauge.text
    assert gauge.headers["access-control-allow-origin"] in ("*", ORIGIN["Origin"])
    fields = gauge.json()["records"][0]["fields"]
    assert set(fields) == {"status_druktemeter", "toelichting_drukte", "tijd_van_voltooien"}
    assert 0 <= fields["status_druktemeter"] <= 100
