"""The publishing rule on every path: a dataset holding personal data is published only
linked to a published processing register entry (store, ingest, CLI, native API, staff
pages), and an entry cannot be withdrawn while published datasets rely on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.catalog import store as catalog_store
from belfort.errors import Conflict, InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import (
    change_dataset_state,
    ingest_file,
    publish_dataset_version,
    update_dataset_metadata,
)
from belfort.register import service
from belfort.register.demo import ACTIVITIES
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of

GUID, ACTIVITY = ACTIVITIES[0]
PERSONAL = {"title_nl": "Tellingen", "personal_data": True}
NEEDS_ENTRY = "holds personal data and cannot be published"


@pytest.fixture
def entry(platform: Platform) -> str:
    """A published register entry."""
    return str(service.create_activity(platform, CLI_ADMIN, ACTIVITY, state="published", activity_id=GUID)["id"])


@pytest.fixture
def draft_entry(platform: Platform) -> str:
    return str(service.create_activity(platform, CLI_ADMIN, {"name": "Nog niet klaar"})["id"])


def drafted(platform: Platform, tmp_path: Path, metadata: dict[str, object]) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata=metadata, draft=True)


def state_of(platform: Platform, dataset_id: str = "tellingen") -> tuple[str, int | None]:
    with platform.db.session() as session:
        dataset = catalog_store.find_dataset(session, dataset_id)
        assert dataset is not None
        return dataset.state, dataset.published_version


# -- write path (publishing / catalogue store) --------------------------------------------------


def test_ingest_and_publish_refused_without_a_link(platform: Platform, tmp_path: Path) -> None:
    with pytest.raises(Conflict, match=NEEDS_ENTRY):
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata=PERSONAL)
    with platform.db.session() as session:
        assert catalog_store.find_dataset(session, "tellingen") is None  # refused before reading data
    drafted(platform, tmp_path, PERSONAL)  # a draft is fine
    with pytest.raises(Conflict, match="set processing_activity"):
        publish_dataset_version(platform, CLI_ADMIN, "tellingen", 1)
    with pytest.raises(Conflict, match=NEEDS_ENTRY):
        change_dataset_state(platform, CLI_ADMIN, "tellingen", "published")
    assert state_of(platform) == ("draft", None)


def test_a_draft_or_archived_entry_is_not_enough(platform: Platform, tmp_path: Path, draft_entry: str) -> None:
    drafted(platform, tmp_path, {**PERSONAL, "processing_activity": draft_entry})
    with pytest.raises(Conflict, match="is draft; publish the entry first"):
        publish_dataset_version(platform, CLI_ADMIN, "tellingen", 1)
    with pytest.raises(Conflict, match="is draft"):
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path))
    assert state_of(platform) == ("draft", None)


def test_publishing_with_a_published_entry(platform: Platform, tmp_path: Path, entry: str) -> None:
    outcome = ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                          metadata={**PERSONAL, "processing_activity": entry.upper()})  # any case
    assert outcome.published and state_of(platform) == ("published", 1)
    with platform.db.session() as session:
        assert catalog_store.find_dataset(session, "tellingen").processing_activity == entry  # type: ignore[union-attr]
    # the link cannot be dropped, nor the flag set on another published dataset without one
    with pytest.raises(Conflict, match=NEEDS_ENTRY):
        update_dataset_metadata(platform, CLI_ADMIN, "tellingen", {"processing_activity": None})
    ingest_file(platform, CLI_ADMIN, "andere", counts_csv(tmp_path), metadata={"title_nl": "Andere"})
    with pytest.raises(Conflict, match=NEEDS_ENTRY):
        update_dataset_metadata(platform, CLI_ADMIN, "andere", {"personal_data": True})
    # …and the entry cannot be withdrawn while the dataset relies on it
    with pytest.raises(Conflict, match="tellingen"):
        service.change_activity_state(platform, CLI_ADMIN, entry, "archived")
    change_dataset_state(platform, CLI_ADMIN, "tellingen", "archived")
    assert service.change_activity_state(platform, CLI_ADMIN, entry, "archived")["state"] == "archived"
    with pytest.raises(Conflict, match="is archived"):  # restoring the dataset needs the entry again
        change_dataset_state(platform, CLI_ADMIN, "tellingen", "deprecated")


def test_a_link_must_name_an_existing_entry(platform: Platform, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="GUID"):
        drafted(platform, tmp_path, {**PERSONAL, "processing_activity": "../../etc/passwd"})
    with pytest.raises(InvalidRequest, match="no processing register entry"):
        drafted(platform, tmp_path, {**PERSONAL, "processing_activity": GUID})
    drafted(platform, tmp_path, {"title_nl": "Tellingen"})
    with pytest.raises(InvalidRequest, match="no processing register entry"):
        update_dataset_metadata(platform, CLI_ADMIN, "tellingen", {"processing_activity": GUID})


def test_datasets_without_personal_data_publish_as_before(platform: Platform, tmp_path: Path) -> None:
    assert ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path)).published


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_ingest_is_refused_with_the_rule(tmp_path: Path) -> None:
    data = tmp_path / "d"
    csv = counts_csv(tmp_path)
    r = subprocess.run([sys.executable, "-m", "belfort.cli", "ingest", str(csv), "--dataset", "tellingen",
                        "--title", "Tellingen", "--personal-data", "yes", "--data-dir", str(data)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == Conflict.exit_code, r.stderr
    assert NEEDS_ENTRY in r.stderr + r.stdout


# -- native API --------------------------------------------------------------------------------


def test_native_api_paths(client: TestClient, platform: Platform, admin_headers: dict[str, str],
                          tmp_path: Path, draft_entry: str) -> None:
    base = "/api/belfort/v1/datasets/tellingen"
    csv = counts_csv(tmp_path).read_bytes()
    r = client.post(base + "/ingest", params={"title": "Tellingen", "personal_data": "yes"}, content=csv,
                    headers={**admin_headers, "Content-Type": "text/csv"})
    assert r.status_code == 409 and NEEDS_ENTRY in r.json()["message"]
    r = client.post(base + "/ingest", params={"personal_data": "yes", "processing_activity": draft_entry},
                    content=csv, headers={**admin_headers, "Content-Type": "text/csv"})
    assert r.status_code == 409 and "is draft" in r.json()["message"]
    drafted(platform, tmp_path, PERSONAL)
    r = client.post(base + "/versions/1/publish", headers=admin_headers)
    assert r.status_code == 409 and NEEDS_ENTRY in r.json()["message"]
    r = client.post(base + "/state", json={"state": "published"}, headers=admin_headers)
    assert r.status_code == 409 and NEEDS_ENTRY in r.json()["message"]
    r = client.patch(base, json={"processing_activity": draft_entry}, headers=admin_headers)
    assert r.status_code == 200
    r = client.post(base + "/versions/1/publish", headers=admin_headers)
    assert r.status_code == 409 and "publish the entry first" in r.json()["message"]
    r = client.post(base + "/ingest", content=csv, headers={**admin_headers, "Content-Type": "text/csv"})
    assert r.status_code == 409 and "is draft" in r.json()["message"]
    r = client.patch(base, json={"processing_activity": "not-a-guid"}, headers=admin_headers)
    assert r.status_code == 400 and "GUID" in r.json()["message"]
    assert state_of(platform) == ("draft", None)


def test_native_api_publishes_once_linked(client: TestClient, platform: Platform, admin_headers: dict[str, str],
                                          tmp_path: Path, entry: str) -> None:
    drafted(platform, tmp_path, PERSONAL)
    base = "/api/belfort/v1/datasets/tellingen"
    assert client.patch(base, json={"processing_activity": entry}, headers=admin_headers).status_code == 200
    r = client.post(base + "/versions/1/publish", headers=admin_headers)
    assert r.status_code == 200 and r.json()["state"] == "published"


# -- staff pages -------------------------------------------------------------------------------


@pytest.fixture
def staff(client: TestClient, admin_key: str) -> TestClient:
    token = csrf_of(client.get("/staff").text)
    client.post("/staff/sign-in", data={"csrf": token, "key": admin_key}, follow_redirects=False)
    return client


def test_staff_pages_show_the_rule(staff: TestClient, platform: Platform, tmp_path: Path) -> None:
    drafted(platform, tmp_path, PERSONAL)
    page = staff.get("/staff/datasets/tellingen")
    token = csrf_of(page.text)
    said = "Deze dataset bevat persoonsgegevens: koppel ze eerst aan een gepubliceerde verwerking"
    r = staff.post("/staff/datasets/tellingen", data={"csrf": token, "action": "publish", "version": "1"})
    assert r.status_code == 409 and said in r.text and NEEDS_ENTRY not in r.text  # the page's language
    r = staff.post("/staff/datasets/tellingen", data={"csrf": token, "action": "state", "state": "published"})
    assert r.status_code == 409 and said in r.text
    assert state_of(platform) == ("draft", None)
