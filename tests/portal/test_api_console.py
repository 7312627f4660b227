"""The API console (/api/console): Swagger UI served by Belfort itself, in Chromium with
every request that leaves the test server blocked and written down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import REPO_ROOT
from tests.portal.conftest import TABLE_DATASET, LiveDemo, guarded_context

SWAGGER_JS = REPO_ROOT / "src" / "belfort" / "portal" / "static" / "vendor" / "swagger-ui" / "swagger-ui-bundle.js"


def test_the_api_page_links_the_console(client: TestClient) -> None:
    page = client.get("/api").text
    assert 'href="/api/console"' in page
    console = client.get("/api/console")
    assert console.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in console.text
    assert "/static/vendor/swagger-ui/swagger-ui.css" in console.text
    assert "http://" not in console.text.replace("http://www.w3.org", "") and "https://" not in console.text


def test_the_console_lists_the_operations_and_tries_one_out(chromium: Any, demo_server: LiveDemo) -> None:
    assert SWAGGER_JS.is_file(), f"Swagger UI is not vendored at {SWAGGER_JS}: run scripts/vendor-assets"
    context, guard = guarded_context(chromium, demo_server)
    try:
        page = context.new_page()
        response = page.goto(demo_server.url + "/api/console", wait_until="load")
        assert response is not None and response.status == 200
        page.wait_for_selector(".opblock-tag")  # the API families, closed: open three of them
        for tag in ("opendatasoft v1", "opendatasoft explore v2.1", "native"):
            page.locator(f".opblock-tag[data-tag='{tag}']").click()
        page.wait_for_selector(".opblock-summary-path[data-path='/api/belfort/v1/datasets/{dataset_id}/records']")
        assert page.locator(".opblock-tag").count() >= 15  # every family is listed
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        path_texts = {p.replace("\u200b", "").strip() for p in paths}
        for expected in ("/api/records/1.0/search/", "/api/explore/v2.1/catalog/datasets/{dataset_id}/records",
                         "/api/belfort/v1/datasets/{dataset_id}/records"):
            assert expected in path_texts, sorted(path_texts)[:20]

        # try it out: Explore v2.1 records of one dataset, limit 2
        operation = page.locator(".opblock-get").filter(has=page.locator(
            ".opblock-summary-path[data-path='/api/explore/v2.1/catalog/datasets/{dataset_id}/records']"))
        operation.locator(".opblock-summary").first.click()
        operation.locator("button.try-out__btn").click()
        operation.locator("tr[data-param-name='dataset_id'] input").fill(TABLE_DATASET)
        operation.locator("tr[data-param-name='limit'] input").fill("2")
        with page.expect_response(lambda r: "/catalog/datasets/" in r.url and "/records" in r.url) as answer:
            operation.locator("button.execute").click()
        assert answer.value.status == 200, answer.value.text()
        assert "limit=2" in answer.value.url
        body = answer.value.json()
        assert body["total_count"] > 2 and len(body["results"]) == 2
        status = operation.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip() == "200"
    finally:
        context.close()
    assert not guard.blocked, f"the console asked for something outside Belfort: {guard.blocked}"
    outside = [u for u in guard.requests if not demo_server.is_local(u)]
    assert not outside, outside
    assert any(u.endswith("/openapi.json") for u in guard.requests)


def test_vendor_script_is_not_committed() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text()
    assert "src/belfort/portal/static/vendor/" in ignored
    assert Path(REPO_ROOT / "src/belfort/portal/assets/package.json").read_text().count("swagger-ui-dist") == 1
