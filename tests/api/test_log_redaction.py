"""API keys sent as ``?apikey=`` never appear in clear in the access log (issue 11, item 12)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from belfort.api.log_redaction import REDACTED, RedactKeys, redact_url
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv, free_port, wait_until_serving


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/a?apikey=bfk_secret&rows=1", f"/a?apikey={REDACTED}&rows=1"),
        (
            "/a?rows=1&%61pikey=bfk_secret",
            f"/a?rows=1&%61pikey={REDACTED}",
        ),  # as the key reader decodes it
        ("/a?apikey=&apikey=bfk_secret", f"/a?apikey=&apikey={REDACTED}"),
        ("/a?q=apikey%3Dx", "/a?q=apikey%3Dx"),  # a search for the word is not a key
        ("/a/apikey=x", "/a/apikey=x"),
        ("/iot/json?k=bfd_secret&i=teller-1", f"/iot/json?k={REDACTED}&i=teller-1"),  # FIWARE
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/x?apikey=bfk_secret", "1.1", 200),
        None,
    )
    assert RedactKeys().filter(record) and "bfk_secret" not in record.getMessage()


def test_belfort_serve_access_log_has_no_keys(settings: Settings, tmp_path: Path) -> None:
    """The probe: the real access log of ``belfort serve`` printed ``?apikey=`` in clear."""
    key = subprocess.run(
        [
            sys.executable,
            "-m",
            "belfort.cli",
            "keys",
            "create",
            "log test",
            "--data-dir",
            str(settings.data_dir),
            "--database-url",
            str(settings.database_url),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "belfort.cli",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(settings.data_dir),
                "--database-url",
                str(settings.database_url),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, proc)
            assert (
                httpx.get(f"{base}/api/belfort/v1/datasets?apikey={key}", timeout=30).status_code
                == 200
            )
            junk = "bfk_junkSecretValue"
            assert httpx.get(
                f"{base}/api/belfort/v1/datasets?rows=1&%61pikey={junk}", timeout=30
            ).status_code in (400, 401)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    text = log.read_text()
    assert "/api/belfort/v1/datasets" in text, text  # the access log is on
    assert key not in text and junk not in text
    assert f"apikey={REDACTED}" in text


def test_a_source_url_with_a_key_is_stored_and_served_redacted(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    """A sibling: a harvested download URL carrying ``?apikey=`` was kept as the version's
    source and shown in the public dataset description."""
    url = "https://data.example.org/explore/dataset/x/exports/csv?apikey=bfk_harvestSecret&delimiter=%3B"
    ingest_file(
        platform,
        CLI_ADMIN,
        "tellingen",
        counts_csv(tmp_path),
        metadata={"title_nl": "T"},
        source_name=url,
    )
    text = client.get("/api/belfort/v1/datasets/tellingen").text
    assert "bfk_harvestSecret" not in text and f"apikey={REDACTED}&delimiter" in text
