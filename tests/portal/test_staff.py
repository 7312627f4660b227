"""Staff pages: sign in, upload → review → check as draft → publish, edit metadata and
state; CSRF and bad input; nothing published by accident."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import COUNTS_CSV, counts_csv


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


@pytest.fixture
def staff(client: TestClient, admin_key: str) -> TestClient:
    token = csrf_of(client.get("/staff").text)
    response = client.post("/staff/sign-in", data={"csrf": token, "key": admin_key}, follow_redirects=False)
    assert response.status_code == 303 and "HttpOnly" in response.headers["set-cookie"]
    assert "SameSite=strict" in response.headers["set-cookie"]
    return client


def upload(staff: TestClient, dataset: str, name: str, content: bytes) -> str:
    token = csrf_of(staff.get("/staff").text)
    response = staff.post("/staff/uploads", data={"csrf": token, "dataset": dataset},
                          files={"file": (name, content, "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


def test_sign_in_needs_a_valid_admin_key_and_a_csrf_token(client: TestClient, admin_key: str) -> None:
    page = client.get("/staff")
    assert page.status_code == 200 and 'type="password"' in page.text
    assert client.post("/staff/sign-in", data={"csrf": "0" * 32, "key": admin_key}).status_code == 403
    token = csrf_of(page.text)
    refused = client.post("/staff/sign-in", data={"csrf": token, "key": "bfk_wrong"})
    assert refused.status_code == 401 and "geen geldige beheerderssleutel" in refused.text
    assert client.post("/staff/uploads", data={"csrf": token, "dataset": "x"}).status_code == 404


def test_upload_review_check_and_publish(staff: TestClient, platform: Platform) -> None:
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    review = staff.get(review_url).text
    assert re.search(r'<select id="type-\d+" name="type:aantal">.*?<option value="integer" selected>', review, re.S)
    assert "scheidingsteken" in review and "<code>;</code>" in review
    checked = staff.post(review_url, data={"csrf": csrf_of(review), "title_nl": "Tellingen", "organisation": "Stad Gent",
                                           "type:aantal": "number", "keywords": "fiets, drukte"})
    assert checked.status_code == 200 and "Versie 1 is opgeslagen als ontwerp: 5 rijen" in checked.text
    staff.cookies.clear()  # the public: a draft is not visible
    assert staff.get("/datasets/tellingen").status_code == 404
    with platform.db.session() as session:
        from belfort.catalog.models import Dataset

        dataset = session.get(Dataset, "tellingen")
        assert dataset is not None and dataset.published_version is None and dataset.keywords == ["fiets", "drukte"]


def test_publishing_from_the_review_page(staff: TestClient, admin_key: str) -> None:
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    checked = staff.post(review_url, data={"csrf": csrf_of(staff.get(review_url).text), "title_nl": "Tellingen"})
    published = staff.post("/staff/datasets/tellingen", data={
        "csrf": csrf_of(checked.text), "action": "publish", "version": "1"}, follow_redirects=False)
    assert published.status_code == 303
    staff.cookies.clear()
    page = staff.get("/datasets/tellingen")
    assert page.status_code == 200 and "aantal" in page.text


def test_publishing_a_version_that_does_not_exist_is_shown_on_the_page(staff: TestClient) -> None:
    """A missing version is a problem with the form (VersionNotFound), not a missing page."""
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    checked = staff.post(review_url, data={"csrf": csrf_of(staff.get(review_url).text), "title_nl": "Tellingen"})
    refused = staff.post("/staff/datasets/tellingen", data={
        "csrf": csrf_of(checked.text), "action": "publish", "version": "9"}, follow_redirects=False)
    assert refused.status_code == 404 and "Deze dataset heeft geen versie 9." in refused.text
    assert 'name="csrf"' in refused.text and "has no version" not in refused.text
    missing = staff.post("/staff/datasets/nope", data={
        "csrf": csrf_of(checked.text), "action": "publish", "version": "1"}, follow_redirects=False)
    assert missing.status_code == 404 and "geen versie" not in missing.text


def test_a_type_that_does_not_fit_shows_the_report_and_publishes_nothing(staff: TestClient) -> None:
    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    refused = staff.post(review_url, data={"csrf": csrf_of(staff.get(review_url).text), "title_nl": "T",
                                           "type:telpunt": "integer"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "<code>telpunt</code>" in refused.text and "Korenmarkt" in refused.text
    assert "Versie 1" not in refused.text


@pytest.mark.parametrize("dataset,name,content,status", [
    ("tellingen", "leeg.csv", b"", 400),
    ("Bad Id!", "t.csv", COUNTS_CSV.encode(), 400),
    ("../../etc", "t.csv", COUNTS_CSV.encode(), 400),
])
def test_bad_uploads_are_refused_clearly(staff: TestClient, dataset: str, name: str, content: bytes,
                                         status: int) -> None:
    token = csrf_of(staff.get("/staff").text)
    response = staff.post("/staff/uploads", data={"csrf": token, "dataset": dataset},
                          files={"file": (name, content, "text/csv")})
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")


def test_oversized_upload_is_refused(staff: TestClient, platform: Platform) -> None:
    platform.settings.max_upload_bytes = 100
    token = csrf_of(staff.get("/staff").text)
    response = staff.post("/staff/uploads", data={"csrf": token, "dataset": "groot"},
                          files={"file": ("groot.csv", b"a,b\n" + b"1,2\n" * 100, "text/csv")})
    assert response.status_code == 400 and "ten hoogste 100 bytes" in response.text
    assert not any((platform.lake.root / "uploads").glob("*/groot.csv"))


@pytest.mark.parametrize("token", ["..%2F..%2Fcatalog", "%2E%2E", "0" * 32, "x" * 5000])
def test_unknown_upload_tokens_are_404(staff: TestClient, token: str) -> None:
    assert staff.get(f"/staff/uploads/{token}").status_code == 404


def test_a_garbage_file_is_reported_not_crashed(staff: TestClient) -> None:
    review_url = upload(staff, "rommel", "rommel.xlsx", b"\x00\x01PK garbage" * 50)
    response = staff.get(review_url)
    assert response.status_code == 400 and 'role="alert"' in response.text


def test_edit_metadata_and_state(staff: TestClient, platform: Platform, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"})
    page = staff.get("/staff/datasets/tellingen").text
    saved = staff.post("/staff/datasets/tellingen", data={"csrf": csrf_of(page), "action": "metadata",
                                                           "title_nl": "Passanten", "licence": "CC0-1.0"},
                       follow_redirects=False)
    assert saved.status_code == 303
    deprecated = staff.post("/staff/datasets/tellingen", data={"csrf": csrf_of(page), "action": "state",
                                                                "state": "deprecated", "confirm": "yes"})
    assert deprecated.status_code == 200 and "De status van Passanten is nu &#39;verouderd&#39;." in deprecated.text
    bad = staff.post("/staff/datasets/tellingen", data={"csrf": csrf_of(page), "action": "state", "state": "draft"})
    assert bad.status_code == 409 and 'role="alert"' in bad.text
    assert staff.post("/staff/datasets/tellingen", data={"action": "metadata", "title_nl": "x"}).status_code == 403
    staff.cookies.clear()
    text = staff.get("/datasets/tellingen").text
    assert "Passanten" in text and "Creative Commons Zero-verklaring" in text and "niet meer bijgewerkt" in text


def test_unreviewed_uploads_are_collected_after_a_week(staff: TestClient, platform: Platform) -> None:
    import os
    import time

    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    folder = platform.lake.uploads_dir / review_url.rsplit("/", 1)[1]
    assert platform.collect_garbage(min_age_seconds=0) == []  # a fresh upload stays
    week_ago = time.time() - 8 * 86400
    os.utime(folder, (week_ago, week_ago))
    assert platform.collect_garbage(min_age_seconds=0) == [f"uploads/{folder.name}"]
    assert staff.get(review_url).status_code == 404


def _first_time(platform: Platform, dataset_id: str, version: int) -> object:
    import pyarrow.parquet as pq

    from belfort.catalog.models import Version

    with platform.db.session() as session:
        row = session.query(Version).filter_by(dataset_id=dataset_id, number=version).one()
        path, zone = platform.lake.absolute(row.path), row.source_details["timezone"]
    return pq.read_table(path).column("tijdstip")[0].as_py(), zone


def test_the_source_time_zone_from_the_review_and_edit_pages(staff: TestClient, platform: Platform) -> None:
    import datetime as dt

    review_url = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    review = staff.get(review_url).text
    assert 'name="timezone"' in review and '<option value="Europe/London">' in review
    assert "Tijdzone van de bron" in review
    checked = staff.post(review_url, data={"csrf": csrf_of(review), "title_nl": "Tellingen",
                                           "timezone": "Europe/London"})
    assert checked.status_code == 200 and "Versie 1 is opgeslagen als ontwerp" in checked.text
    # 2024-03-01 13:00 in London (GMT) is 13:00 UTC; in Brussels it would have been 12:00
    assert _first_time(platform, "tellingen", 1) == (dt.datetime(2024, 3, 1, 13, tzinfo=dt.UTC), "Europe/London")
    page = staff.get("/staff/datasets/tellingen").text
    assert 'value="Europe/London"' in page
    saved = staff.post("/staff/datasets/tellingen", data={"csrf": csrf_of(page), "action": "metadata",
                                                           "timezone": "Europe/Brussels"}, follow_redirects=False)
    assert saved.status_code == 303
    with platform.db.session() as session:
        from belfort.catalog.models import Dataset

        assert session.get(Dataset, "tellingen").timezone == "Europe/Brussels"  # type: ignore[union-attr]
    # the old version keeps the zone it was read in; the next upload uses the new one
    assert _first_time(platform, "tellingen", 1)[1] == "Europe/London"
    shown = staff.get("/datasets/tellingen").text  # staff see the draft's page
    assert "Tijdzone van de bron" in shown and "<code>Europe/Brussels</code>" in shown
    assert "de getoonde versie is ingelezen in Europe/London" in shown
    again = upload(staff, "tellingen", "tellingen.csv", COUNTS_CSV.encode())
    staff.post(again, data={"csrf": csrf_of(staff.get(again).text)})
    assert _first_time(platform, "tellingen", 2) == (dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC), "Europe/Brussels")
    english = staff.get("/datasets/tellingen", params={"lang": "en"}).text
    assert "Source time zone" in english


@pytest.mark.parametrize("zone", ["Mars/Olympus", "x" * 10_000, "../../etc", "Europe/Brussels\n/etc"])
def test_bad_time_zones_on_the_staff_pages_are_400(staff: TestClient, platform: Platform, tmp_path: Path,
                                                   zone: str) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"})
    page = staff.get("/staff/datasets/tellingen").text
    saved = staff.post("/staff/datasets/tellingen", data={"csrf": csrf_of(page), "action": "metadata",
                                                           "timezone": zone})
    assert saved.status_code == 400 and 'role="alert"' in saved.text and "onbekende tijdzone" in saved.text
    review_url = upload(staff, "nieuw", "tellingen.csv", COUNTS_CSV.encode())
    checked = staff.post(review_url, data={"csrf": csrf_of(staff.get(review_url).text), "timezone": zone})
    assert checked.status_code == 400 and "onbekende tijdzone" in checked.text
    with platform.db.session() as session:
        from belfort.catalog.models import Dataset

        assert session.get(Dataset, "tellingen").timezone == "Europe/Brussels"  # type: ignore[union-attr]
        assert session.get(Dataset, "nieuw") is None


def test_the_web_upload_infers_types_from_the_whole_file(staff: TestClient) -> None:
    """As the CLI does: a code that turns up after 10,000 whole numbers makes the column text."""
    rows = "".join(f"{i};{i % 97}\n" for i in range(12_000)) + "12000;FT03\n"
    review_url = upload(staff, "lang-bestand", "lang.csv", ("nr;telpaal\n" + rows).encode())
    page = staff.get(review_url).text
    assert "soorten afgeleid uit alle 12.001 rijen" in page
    chosen = re.search(r'name="type:telpaal">(.*?)</select>', page, re.S)
    assert chosen is not None and re.search(r'<option value="string" selected>', chosen.group(1))


def test_the_versions_on_the_staff_page_show_ghent_time(staff: TestClient) -> None:
    review_url = upload(staff, "tijden", "tijden.csv", b"telpaal;aantal\nFT01;3\nFT02;4\n")
    review = staff.get(review_url).text
    staff.post(review_url, data={"csrf": csrf_of(review), "title_nl": "Tijden"})
    page = staff.get("/staff/datasets/tijden").text
    shown = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert shown is not None and re.fullmatch(r"\w\w \d{1,2} \w+ \d{4} \d\d:\d\d(:\d\d)?", shown[2])
