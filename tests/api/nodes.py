"""Real ``belfort serve`` nodes for the multi-node tests: each its own process, port and
working/temporary directory (its local caches), sharing what the test gives them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_until_serving


@pytest.fixture
def shared_database(postgres_url: str) -> str:
    """A schema of its own in the test cluster, for the nodes of one test."""
    return postgres_url


@contextmanager
def node(data_dir: Path, database_url: str, local_dir: Path,
         **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One node: ``belfort serve`` on a free port with ``local_dir`` as its working and
    temporary directory; ``env``: more ``BELFORT_*`` settings. SIGTERM at the end."""
    local_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {**os.environ, "TMPDIR": str(local_dir), **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port),
         "--data-dir", str(data_dir), "--database-url", database_url],
        stdout=subprocess.DEVNULL, stderr=open(local_dir / "stderr.log", "wb"),  # noqa: SIM115
        cwd=local_dir, env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def admin_key(data_dir: Path, database_url: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "belfort.cli", "keys", "create", "nodes-test",
         "--data-dir", str(data_dir), "--database-url", database_url],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
