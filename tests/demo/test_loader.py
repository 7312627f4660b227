"""``belfort demo``: the demo catalogue loads offline, shows what anonymous users may see,
and loading it twice changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from belfort.demo.loader import load_demo
from belfort.platform import Platform
from belfort.register.demo import MELDINGEN


def test_demo_loads_and_respects_classification(platform: Platform, client: TestClient, admin_headers: dict[str, str]) -> None:
    lines = list(load_demo(platform, size="small"))
    assert len(lines) == 11 and all("rows" in line for line in lines[:9])
    assert all(line.startswith("gent in cijfers: ") for line in lines[9:])  # docs/gent-in-cijfers.md
    public = {d["id"] for d in client.get("/api/belfort/v1/datasets", params={"limit": 100}).json()["datasets"]}
    assert "meldingen-openbaar-domein-intern" not in public
    assert "luchtkwaliteit-sensoren-demo" not in public
    assert {"passantentellingen-auckland", "stadswijken-gent-demo", "bezetting-parkeergarages-demo"} <= public
    everything = client.get("/api/belfort/v1/datasets", params={"limit": 100}, headers=admin_headers).json()
    assert everything["total_count"] == 10  # with gent-in-cijfers (the indicators' values)
    assert "gent-in-cijfers" in public
    assert "verwerkingsregister-stad-gent" in public
    meldingen = client.get("/api/belfort/v1/datasets/meldingen-openbaar-domein-intern", headers=admin_headers).json()
    assert meldingen["personal_data"] is True and meldingen["processing_activity"] == MELDINGEN
    for dataset_id in public:
        r = client.get(f"/api/belfort/v1/datasets/{dataset_id}/records", params={"limit": 3})
        assert r.status_code == 200 and r.json()["total_count"] > 0, dataset_id
    wijken = client.get("/api/belfort/v1/datasets/stadswijken-gent-demo").json()
    types = {f["name"]: f["type"] for f in wijken["versions"][0]["schema"]["fields"]}
    assert "geometry" in types.values()
    garages = client.get(
        "/api/belfort/v1/datasets/bezetting-parkeergarages-demo/records",
        params={"select": "garage,max(bezettingsgraad)", "group_by": "garage"},
    ).json()
    assert garages["total_count"] >= 10
    assert all(0 <= r["max(bezettingsgraad)"] <= 1 for r in garages["records"])


def test_demo_is_idempotent(platform: Platform) -> None:
    list(load_demo(platform, size="small"))
    again = list(load_demo(platform, size="small"))
    assert all("already loaded" in line for line in again)


def test_demo_command_load_only(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "belfort.cli", "demo", "--small", "--load-only", "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "passantentellingen-gent-demo" in r.stdout
    assert (tmp_path / "d" / "catalog.sqlite").exists()
