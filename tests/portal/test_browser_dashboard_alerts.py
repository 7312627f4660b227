"""The crowding alerts' banner on the City Dashboard in Debian's Chromium: an alert raised
while the page is open appears within seconds (role=alert, in the page's language), its
advice to signed-in staff only, hostile advice shown as text, never as markup; cleared, the
banner goes; axe finds no WCAG violation with the banner shown, nor on the staff page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.settings import Settings
from belfort.streams.model import now_us
from belfort.twin.alerts import rules
from belfort.twin.alerts.evaluate import evaluate
from belfort.twin.occupancy import Estimate
from belfort.twin.score import Crowding, ZoneCrowding
from tests.helpers import live_server, staff_session
from tests.portal.conftest import (
    LiveDemo,
    ServerTimer,
    axe_violations,
    describe_violations,
    guarded_context,
)
from tests.twin.conftest import make_zone

HOSTILE = '<img src=x onerror="window.pwned=1">Sluit de ingang Veldstraat'


def _crowding(score: int) -> Crowding:
    at = now_us()
    zone = ZoneCrowding("korenmarkt", "Korenmarkt", True, 1000, 2000, "{}",
                        Estimate(score * 20.0, "passages", 3, at), None, score)
    return Crowding(at, [zone], score, score, zone, {})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, Platform]]:
    root: Path = tmp_path_factory.mktemp("dashboard-alerts")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}",
                                 map_tile_url=None, quota_per_address=0, quota_per_key=0,
                                 dashboard_min_interval_seconds=0.3, alerts_evaluate_seconds=0))
    make_zone(platform, "korenmarkt")
    spec = rules.spec_from_mapping({"zone": "korenmarkt", "kind": "score_above",
                                    "level": "critical", "threshold": 80, "clear_below": 60},
                                   platform.settings)
    with platform.db.session() as session:
        rules.add_rule(session, spec, "key:test")
        rules.set_advice(session, "korenmarkt", "critical",
                         {"nl": HOSTILE, "en": "Close the Veldstraat entrance"}, "key:test")
    try:
        with live_server(platform) as url:
            yield LiveDemo(url, ServerTimer(None), 0.0), platform
    finally:
        platform.close()


def test_an_alert_appears_live_with_advice_for_staff_and_goes_when_cleared(
        chromium: Any, site: tuple[LiveDemo, Platform]) -> None:
    demo, platform = site
    with platform.db.session() as session:
        key = create_key(session, "operator").secret
    token = staff_session(platform, key)
    staff, guard = guarded_context(chromium, demo)
    staff.add_cookies([{"name": "belfort_staff", "value": token, "url": demo.url}])
    public, public_guard = guarded_context(chromium, demo)
    try:
        page = staff.new_page()
        page.goto(demo.url + "/dashboards/gent")
        anonymous = public.new_page()
        anonymous.goto(demo.url + "/dashboards/gent?lang=en")
        page.wait_for_timeout(800)  # the first tiles are in: the stream is running
        assert page.locator("[data-alerts]").is_hidden()
        assert len(evaluate(platform, b"k", crowding=_crowding(95)).raised) == 1
        page.wait_for_selector("[data-alerts] [data-alert]", timeout=8000)
        banner = page.locator("[data-alerts]")
        assert banner.get_attribute("role") == "alert"
        text = banner.inner_text()
        assert "Drukte-alarm — Kritiek: Korenmarkt" in text
        assert "De drukte-score van Korenmarkt was 95" in text
        assert "Advies: " + HOSTILE in text  # shown as text: the markup is not a picture
        assert page.locator("[data-alerts] img").count() == 0
        assert page.evaluate("window.pwned") is None
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        anonymous.wait_for_selector("[data-alerts] [data-alert]", timeout=8000)
        public_text = anonymous.locator("[data-alerts]").inner_text()
        assert "Crowding alert — Critical: Korenmarkt" in public_text
        assert "Close the Veldstraat" not in public_text  # the advice is for staff
        # the staff page: the alert, its advice as text, and no WCAG violation
        staff_page = staff.new_page()
        staff_page.goto(demo.url + "/staff/alerts")
        assert HOSTILE in staff_page.inner_text("[data-alert] .alert-advice")
        violations = axe_violations(staff_page)
        assert not violations, describe_violations(violations)
        assert len(evaluate(platform, b"k", crowding=_crowding(40)).cleared) == 1
        page.wait_for_selector("[data-alerts]", state="hidden", timeout=8000)
    finally:
        staff.close()
        public.close()
    assert not guard.blocked and not public_guard.blocked
