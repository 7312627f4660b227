"""Issue 14, item 4: the leak matrix's live push (Server-Sent Events). Every event stream
route (``STREAMS`` in tests/policy/test_leak_matrix.py) × every kind of principal, over real
HTTP (uvicorn): a dashboard whose tiles read every restricted dataset, the restricted sensor
(a number, a line) and every sensor (a table); while the streams are open the sensor
observes a new value (``456789``). No principal's events show a marker it may not see; the
admin's (and a staff member's portal stream) show them all, the new value included — so the
streams do carry the data and the test can fail.

The portal's stream reads the portal's session cookie only: a bearer token there is the
public, which is what its rows check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from tests.api.test_dashboards import Events
from tests.helpers import live_server, staff_session
from tests.policy import test_leak_matrix as matrix
from tests.policy.test_leak_matrix import (
    AGGREGATED,
    LIVE_MARKERS,
    RESTRICTED,
    SECRET_VALUE,
    SENSOR,
    STREAMS,
    observe,
)

# the matrix's fixtures: its platform, principals and OpenID Connect provider
idp, settings, sensor_credential = matrix.idp, matrix.settings, matrix.sensor_credential
restricted, principals = matrix.restricted, matrix.principals

NEW_VALUE = 0.456789
NEW_MARKER = "456789"
DASHBOARD = "qzvlive"


def spec() -> str:
    tiles = [
        f"  - {{id: teller, type: kpi, title: T, stream: {SENSOR}}}",
        f"  - {{id: lijn, type: line, title: L, stream: {SENSOR}}}",
        "  - {id: sensoren, type: table, title: S, sensors: '*'}",
        f"  - {{id: groepen, type: table, title: G, dataset: {AGGREGATED}, query: "
        "{select: 'telpunt, count(*) as n, sum(aantal) as s', group_by: telpunt}}",
    ]
    for number, dataset_id in enumerate([*RESTRICTED, "open-data"]):
        tiles.append(f"  - {{id: d{number}, type: table, title: D, dataset: {dataset_id}, "
                     "query: {limit: 50}}")
    return "title: {nl: Proef, en: Trial}\ntiles:\n" + "\n".join(tiles) + "\n"


@pytest.fixture
def site(restricted: Platform) -> Iterator[str]:
    with restricted.db.session() as session:
        save_dashboard(session, DASHBOARD, spec())
    configured = restricted.settings
    configured.dashboard_heartbeat_seconds = 1.0
    configured.dashboard_min_interval_seconds = 0.2
    configured.dashboard_max_streams = 100
    configured.quota_per_address = configured.quota_per_key = 0
    with live_server(restricted) as url:
        yield url


def _text(stream: Events) -> str:
    return json.dumps([data for _, data, _ in stream.events], ensure_ascii=False).lower()


def test_no_event_stream_shows_what_its_reader_may_not_see(
        site: str, restricted: Platform, sensor_credential: str, admin_key: str,
        principals: dict[str, tuple[dict[str, str], set[str]]]) -> None:
    staff = {"Cookie": f"belfort_staff={staff_session(restricted, admin_key)}"}
    admin = {"Authorization": f"Bearer {admin_key}"}
    # beside the matrix's rows, the restricted sensor's own (valid) device credential
    rows = {**principals, "sensor": ({"Authorization": f"Bearer {sensor_credential}"},
                                     principals["device"][1])}
    streams: dict[tuple[str, str], Events] = {}
    try:
        for route, template in STREAMS.items():
            url = site + template.format(id=DASHBOARD)
            for who in rows:
                streams[who, route] = Events(url, rows[who][0])
            streams["admin", route] = Events(url, staff if route.startswith("/dashboards")
                                             else admin)
        for (who, route), stream in streams.items():
            if stream.status in (401, 403) and who in ("device", "sensor"):
                continue  # a device's credential reads nothing: refused
            assert stream.status == 200, f"{who} {route}: {stream.status}"
            stream.wait_for(lambda e: e[0] == "tiles", timeout=30)
        observe(restricted, sensor_credential, NEW_VALUE)  # the live dataset changes
        for route in STREAMS:  # the control reads the change in every stream …
            streams["admin", route].wait_for(lambda e: NEW_MARKER in json.dumps(e[1]),
                                             timeout=30)
        time.sleep(1.0)  # … and the others had the same time to (wrongly) show it
    finally:
        for stream in streams.values():
            stream.close()
    problems = []
    for (who, route), stream in streams.items():
        if who == "admin":
            continue
        hidden = rows[who][1] | {NEW_MARKER}
        leaked = sorted(m for m in hidden if m.lower() in _text(stream))
        if leaked:
            problems.append(f"{who} on {route}: {leaked}")
    assert not problems, "\n".join(problems)
    expected = ({f"v{d}" for d in RESTRICTED} | {f"x{d}" for d in RESTRICTED} | LIVE_MARKERS
                | {NEW_MARKER, SECRET_VALUE}) - {"rqzvlive"}  # tiles show no reasons
    for route in STREAMS:
        seen = _text(streams["admin", route])
        missing = sorted(m for m in expected if m.lower() not in seen)
        assert not missing, f"the admin's {route} stream lacks {missing}: the matrix is blind"
