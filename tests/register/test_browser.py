"""The register's staff pages in Debian's Chromium: axe-core finds no WCAG 2.1 A/AA
violation (the public register pages are in the portal's page list, tests/portal)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.register.demo import ACTIVITIES, load_demo_register
from belfort.settings import Settings
from tests.helpers import staff_session
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    PHONE,
    LiveDemo,
    axe_violations,
    chromium,
    describe_violations,
    guarded_context,
)
from tests.register.serve import serve

STAFF_PAGES = {
    "list": "/staff/verwerkingsregister",
    "new": "/staff/verwerkingsregister/new",
    "entry": f"/staff/verwerkingsregister/{ACTIVITIES[1][0]}",
}


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root: Path = tmp_path_factory.mktemp("register-staff")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.sqlite'}",
                                 quota_per_address=0, quota_per_key=0))
    list(load_demo_register(platform, CLI_ADMIN))
    with platform.db.session() as session:
        key = create_key(session, "browser test").secret
    token = staff_session(platform, key)
    try:
        for url in serve(platform):
            yield LiveDemo(url, None, 0.0), token  # type: ignore[arg-type]
    finally:
        platform.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_staff_register_pages_pass_axe(chromium: Any, staff_server: tuple[LiveDemo, str],  # noqa: F811
                                       name: str, lang: str) -> None:
    demo, key = staff_server
    problems = []
    for viewport in (None, PHONE):
        context, guard = guarded_context(chromium, demo, **({"viewport": viewport} if viewport else {}))
        try:
            context.add_cookies([{"name": STAFF_COOKIE, "value": key, "url": demo.url}])
            page = context.new_page()
            response = page.goto(f"{demo.url}{STAFF_PAGES[name]}?lang={lang}", wait_until="load")
            assert response is not None and response.status == 200, STAFF_PAGES[name]
            assert page.locator("input[type=password]").count() == 0  # signed in, not the sign-in form
            violations = axe_violations(page)
            if violations:
                problems.append(f"at {viewport or 'desktop'}:\n{describe_violations(violations)}")
            assert not guard.blocked, guard.blocked
        finally:
            context.close()
    assert not problems, f"{STAFF_PAGES[name]}: " + "\n".join(problems)
