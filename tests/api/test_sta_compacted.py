"""SensorThings Observations after compaction moved the older ones from the hot store into
the lake: the same Observations, ids, filters, order, paging and navigation as before."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from belfort.catalog.models import Observation
from belfort.platform import Platform
from belfort.streams.compaction import compact
from tests.api.test_sta_http import STA, basic, recent, thing_body


def _listing(client: TestClient, auth: dict[str, str], query: str) -> list[dict[str, Any]]:
    answer = client.get(f"{STA}/Datastreams(1)/Observations?{query}", headers=auth)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["value"])


def test_compacted_observations_stay_readable(client: TestClient, platform: Platform,
                                              admin_key: str) -> None:
    auth = basic("admin", admin_key)
    # six hours old to ten minutes old: the older ones leave the hot store (2 hours)
    observations = [{"phenomenonTime": recent(minutes), "result": result}
                    for result, minutes in enumerate((360, 300, 240, 180, 30, 10))]
    created = client.post(f"{STA}/Things", json=thing_body("Korenmarkt", observations),
                          headers=auth)
    assert created.status_code == 201, created.text
    client.post(f"{STA}/Things", json=thing_body("Vrijdagmarkt"), headers=auth)
    before = _listing(client, auth, "$orderby=phenomenonTime asc")

    report = compact(platform)
    assert report.compacted_rows == 4
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 2

    after = _listing(client, auth, "$orderby=phenomenonTime asc")
    assert after == before  # the same Observations, ids and links
    assert [o["result"] for o in after] == [0, 1, 2, 3, 4, 5]
    assert [o["result"] for o in _listing(
        client, auth, "$filter=result ge 2 and result lt 5&$orderby=result desc")] == [4, 3, 2]
    assert [o["result"] for o in _listing(
        client, auth, f"$filter=phenomenonTime lt {recent(200)}")] == [0, 1, 2]
    page = client.get(f"{STA}/Datastreams(1)/Observations?$top=4&$count=true",
                      headers=auth).json()
    assert page["@iot.count"] == 6 and len(page["value"]) == 4 and "@iot.nextLink" in page
    assert _listing(client, auth, "$top=4&$skip=4") == after[4:]
    assert _listing(client, auth, "$filter=result eq 0")[0]["@iot.id"] == after[0]["@iot.id"]

    oldest = after[0]["@iot.id"]
    one = client.get(f"{STA}/Observations({oldest})?$expand=Datastream", headers=auth)
    assert one.status_code == 200 and one.json()["Datastream"]["@iot.id"] == 1
    its = client.get(f"{STA}/Observations({oldest})/Datastream", headers=auth)
    assert its.status_code == 200 and its.json()["@iot.id"] == 1
    everything = client.get(f"{STA}/Observations?$count=true", headers=auth).json()
    assert everything["@iot.count"] == 6
    # the other Datastream has none (its sensor shares the dataset and its parts)
    assert client.get(f"{STA}/Datastreams(2)/Observations",
                      headers=auth).json()["value"] == []

    # a resend of a compacted observation is not a second one
    again = client.post(f"{STA}/Datastreams(1)/Observations", headers=auth,
                        json=observations[0])
    assert again.status_code == 201
    assert [o["@iot.id"] for o in _listing(client, auth, "$orderby=phenomenonTime asc")] == [
        o["@iot.id"] for o in after]
