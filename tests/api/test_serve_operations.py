"""``belfort serve --workers 2`` as operators run it: ``/metrics`` adds up both workers'
figures whichever worker answers the scrape, and ``BELFORT_LOG_FORMAT=json`` writes JSON
access lines that carry the request id and never a key in clear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from belfort.api.log_redaction import REDACTED
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.settings import Settings
from tests.helpers import free_port, wait_until_serving

TOKEN = "scrape-token-0123456789abcdef"


def _native_gets(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "belfort_http_requests_total" and sample.labels == {
                    "family": "native", "method": "GET", "status": "2xx"}:
                return sample.value
    return 0.0


def _access_lines(log: Path) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "uvicorn.access"]


def test_two_workers_metrics_add_up_and_json_access_log(tmp_path: Path) -> None:
    """On SQLite: the figures and the log lines do not depend on the database."""
    settings = Settings(data_dir=tmp_path / "data")
    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            key = create_key(session, "ops test").secret
    finally:
        platform.close()
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "BELFORT_LOG_FORMAT": "json", "BELFORT_METRICS_TOKEN": TOKEN}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port), "--workers", "2",
             "--data-dir", str(settings.data_dir)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, proc)
            sent = 0
            # new connections until both workers have answered some (the kernel chooses)
            while sent < 400:
                for _ in range(10):
                    answer = httpx.get(f"{base}/api/belfort/v1/datasets?apikey={key}",
                                       headers={"X-Request-ID": f"ops-test-{sent}"}, timeout=30)
                    assert answer.status_code == 200
                    assert answer.headers["x-request-id"] == f"ops-test-{sent}"
                    sent += 1
                pids = {line["pid"] for line in _access_lines(log)}
                if len(pids) >= 2:
                    break
            assert len(pids) == 2, "both workers answered requests"
            scraped = set()
            for _ in range(12):  # scrapes land on either worker: each sees the whole node
                answer = httpx.get(f"{base}/metrics", timeout=30,
                                   headers={"Authorization": f"Bearer {TOKEN}"})
                assert answer.status_code == 200
                scraped.add(_native_gets(answer.text))
            assert scraped == {float(sent)}
            assert httpx.get(f"{base}/metrics", timeout=30).status_code == 401
            assert httpx.get(f"{base}/ready", timeout=30).json()["status"] == "ready"
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log.read_text()
    assert key not in text
    access = _access_lines(log)
    ours = [line for line in access if str(line.get("request_id", "")).startswith("ops-test-")]
    assert len(ours) == sent
    first = next(line for line in ours if line["request_id"] == "ops-test-0")
    assert first["path"] == f"/api/belfort/v1/datasets?apikey={REDACTED}"
    assert first["status"] == 200 and first["method"] == "GET"
