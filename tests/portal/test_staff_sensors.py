"""The staff page "Sensoren": staff only, CSRF protected; adding a sensor shows its credential
once (never in a URL, never again), every problem is named next to its field in the page's
language with the typed input kept; revoking asks for a confirmation first; the recent
refusals are listed."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import Sensor
from belfort.errors import DeviceRefused
from belfort.platform import Platform
from belfort.streams.sensors import devices, hash_credential
from tests.portal.test_staff import csrf_of

LIST = "/staff/sensors"


@pytest.fixture
def staff(client: TestClient, staff_token: str) -> TestClient:
    client.cookies.set("belfort_staff", staff_token)
    return client


def _add(staff: TestClient, lang: str = "nl", **values: str) -> object:
    page = staff.get(LIST, params={"lang": lang}).text
    return staff.post(LIST, data={"csrf": csrf_of(page), **values}, follow_redirects=False)


def _credential(html: str) -> str:
    found = re.search(r'id="credential"[^>]* value="([^"]+)"', html)
    assert found, html[:2000]
    return htmllib.unescape(found.group(1))


def test_the_page_is_for_staff_only(client: TestClient) -> None:
    assert client.get(LIST).status_code == 404
    assert client.post(LIST, data={"id": "x"}).status_code in (403, 404)
    assert client.get(LIST + "/x/revoke").status_code == 404


def test_adding_a_sensor_shows_its_credential_once(
        staff: TestClient, platform: Platform) -> None:
    answer = _add(staff, id="korenmarkt-1", name="Korenmarkt <b>noord</b>",
                  kind="passantenteller", longitude="3,7209", latitude="51.0545")
    assert answer.status_code == 201  # type: ignore[attr-defined]
    page = answer.text  # type: ignore[attr-defined]
    assert "private" in answer.headers["cache-control"]  # type: ignore[attr-defined]
    credential = _credential(page)
    assert credential.startswith("bfd_")
    with platform.db.session() as session:
        sensor = session.scalars(select(Sensor)).one()
        assert sensor.credential_hash == hash_credential(credential)
        assert (sensor.longitude, sensor.latitude, sensor.observed_property) == (
            3.7209, 51.0545, "count")
        assert sensor.name == "Korenmarkt <b>noord</b>"
    assert devices(platform).authenticate(credential, "korenmarkt-1", "http").id == "korenmarkt-1"
    listing = staff.get(LIST).text
    assert "korenmarkt-1" in listing and credential not in listing
    assert "<b>noord</b>" not in listing and "&lt;b&gt;noord&lt;/b&gt;" in listing


@pytest.mark.parametrize("lang,expected", [("nl", "er bestaat al een sensor"),
                                           ("en", "a sensor with this code exists")])
def test_a_taken_id_is_named_in_the_pages_language(
        staff: TestClient, lang: str, expected: str) -> None:
    assert _add(staff, id="k1", name="K", kind="teller").status_code == 201  # type: ignore
    again = _add(staff, lang, id="k1", name="Ander", kind="teller")
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert expected in again.text  # type: ignore[attr-defined]
    assert 'value="Ander"' in again.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("values,invalid", [
    ({"id": "", "name": "", "kind": ""}, {"sensor-id", "sensor-name", "sensor-kind"}),
    ({"id": "bad id!", "name": "x", "kind": "y"}, {"sensor-id"}),
    ({"id": "a\x00b", "name": "x", "kind": "y"}, {"sensor-id"}),
    ({"id": "ok", "name": "x" * 5000, "kind": "y"}, {"sensor-name"}),
    ({"id": "ok", "name": "x", "kind": "y", "longitude": "oost", "latitude": "51"},
     {"sensor-longitude"}),
    ({"id": "ok", "name": "x", "kind": "y", "longitude": "3.7"},
     {"sensor-longitude", "sensor-latitude"}),
    ({"id": "ok", "name": "x", "kind": "y", "longitude": "1e999", "latitude": "1"},
     {"sensor-longitude"}),
    ({"id": "ok", "name": "x", "kind": "y", "observed_property": "<script>"},
     {"sensor-observed_property"}),
    ({"id": "ok", "name": "x", "kind": "y", "dataset_id": "Niet Goed"}, {"sensor-dataset_id"}),
])
def test_problems_are_named_next_to_their_fields(
        staff: TestClient, platform: Platform, values: dict[str, str], invalid: set[str]
) -> None:
    answer = _add(staff, **values)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    page = answer.text  # type: ignore[attr-defined]
    marked = set(re.findall(r'<input id="(sensor-[^"]+)"[^>]*aria-invalid="true"', page))
    assert marked == invalid
    assert "<script>" not in page.replace("<script src=", "")
    assert "\x00" not in page
    with platform.db.session() as session:
        assert session.scalars(select(Sensor)).first() is None


def test_a_form_without_its_token_is_refused(staff: TestClient, platform: Platform) -> None:
    answer = staff.post(LIST, data={"id": "k1", "name": "K", "kind": "teller", "csrf": "x"})
    assert answer.status_code == 403
    with platform.db.session() as session:
        assert session.scalars(select(Sensor)).first() is None


def test_revoking_asks_first_then_refuses_the_device(
        staff: TestClient, platform: Platform) -> None:
    credential = _credential(_add(staff, id="k1", name="K", kind="t").text)  # type: ignore
    confirm = staff.get(LIST + "/k1/revoke")
    assert confirm.status_code == 200 and 'action="/staff/sensors/k1/revoke"' in confirm.text
    with platform.db.session() as session:
        assert session.get(Sensor, "k1").active  # type: ignore[union-attr]
    no_token = staff.post(LIST + "/k1/revoke", data={"csrf": "forged"})
    assert no_token.status_code == 403
    done = staff.post(LIST + "/k1/revoke", data={"csrf": csrf_of(confirm.text)},
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == LIST + "?revoked=k1"
    with platform.db.session() as session:
        assert not session.get(Sensor, "k1").active  # type: ignore[union-attr]
    with pytest.raises(DeviceRefused):
        devices(platform).authenticate(credential, None, "http")
    page = staff.get(done.headers["location"]).text
    assert "k1" in page and "unknown_or_revoked" in page  # the refusal is listed
    assert staff.get(LIST + "/nope/revoke").status_code == 404
    assert staff.get(LIST + "/%00/revoke").status_code == 404
