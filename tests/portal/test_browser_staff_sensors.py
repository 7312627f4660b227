"""The staff page "Sensoren" in Debian's Chromium: the list (with refusals), a refused "add"
with its error summary, the credential page and the revoke confirmation have no axe-core
WCAG 2.1 A/AA violation at 1280 and 390 px, in Dutch and English, and do not scroll sideways
on a phone; a steward adds a sensor, copies its credential and revokes it in the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.errors import DeviceRefused
from belfort.platform import Platform
from belfort.portal.render import STAFF_COOKIE
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from tests.helpers import staff_session
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    PHONE,
    LiveDemo,
    axe_violations,
    chromium,
    describe_violations,
    guarded_context,
    live_staff_site,
)
from tests.portal.test_browser import _sideways


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("sensors-browser")
    with live_staff_site(root, "sensors browser test") as (live, key, platform):
        with platform.db.session() as session:
            for n, name in enumerate(("Korenmarkt", "Graslei", "Vrijdagmarkt")):
                register_sensor(session, SensorSpec(
                    f"teller-{n}", name, "passantenteller", "count",
                    longitude=3.72, latitude=51.05))
        with pytest.raises(DeviceRefused):  # a refusal to list
            devices(platform).authenticate("bfd_wrong", "teller-9", "http")
        yield live, staff_session(platform, key), platform


def _check(page: Any, where: str, phone: bool) -> list[str]:
    problems = []
    if phone and (sideways := _sideways(page)):
        problems.append(f"{where}: {sideways}")
    if violations := axe_violations(page):
        problems.append(f"{where}: axe-core violations:\n{describe_violations(violations)}")
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sensor_pages_have_no_axe_violations(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    lang: str,
    viewport: dict[str, int],
) -> None:
    demo, token, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(
        chromium, demo, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    problems: list[str] = []
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        listed = page.goto(f"{demo.url}/staff/sensors?lang={lang}", wait_until="load")
        assert listed is not None and listed.status == 200
        assert page.locator("section[aria-labelledby=sensors-list-title] tbody tr").count() >= 3
        assert page.locator("section[aria-labelledby=sensors-refusals-title] tbody tr").count() >= 1
        problems += _check(page, "sensors list", phone)
        page.fill("#sensor-id", "bad id!")
        page.fill("#sensor-name", "Sint-Baafsplein")
        page.fill("#sensor-longitude", "oost")
        page.click("form.stack button[type=submit]")
        page.wait_for_selector(".error-summary")
        assert page.input_value("#sensor-name") == "Sint-Baafsplein"  # typed input kept
        assert page.get_attribute("#sensor-id", "aria-invalid") == "true"
        assert page.get_attribute("#sensor-longitude", "aria-invalid") == "true"
        problems += _check(page, "sensors list with problems", phone)
        confirm = page.goto(f"{demo.url}/staff/sensors/teller-0/revoke", wait_until="load")
        assert confirm is not None and confirm.status == 200
        problems += _check(page, "revoke confirmation", phone)
        page.goto(f"{demo.url}/staff/sensors?lang={lang}", wait_until="load")
        new_id = f"extra-{lang}-{viewport['width']}"
        page.fill("#sensor-id", new_id)
        page.fill("#sensor-name", "Extra")
        page.fill("#sensor-kind", "teller")
        page.click("form.stack button[type=submit]")
        page.wait_for_selector("#credential")
        problems += _check(page, "credential page", phone)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not guard.blocked, guard.blocked


def test_a_steward_adds_and_revokes_a_sensor_in_the_browser(
    chromium: Any, site: tuple[LiveDemo, str, Platform]  # noqa: F811
) -> None:
    demo, token, platform = site
    context, _ = guarded_context(chromium, demo)
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff?lang=nl", wait_until="load")
        page.click("a[href='/staff/sensors']")
        page.fill("#sensor-id", "sint-baafs-1")
        page.fill("#sensor-name", "Sint-Baafsplein")
        page.fill("#sensor-kind", "passantenteller")
        page.fill("#sensor-longitude", "3,7267")
        page.fill("#sensor-latitude", "51,0530")
        page.click("form.stack button[type=submit]")
        credential = page.input_value("#credential")
        assert devices(platform).authenticate(credential, "sint-baafs-1", "http").id == (
            "sint-baafs-1")
        page.click("a[href='/staff/sensors']")
        page.click("a[href='/staff/sensors/sint-baafs-1/revoke']")
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/staff/sensors?revoked=sint-baafs-1")
        assert page.locator("p.notice[role=status]").count() == 1
        devices(platform).forget()
        with pytest.raises(DeviceRefused):
            devices(platform).authenticate(credential, "sint-baafs-1", "http")
    finally:
        context.close()
