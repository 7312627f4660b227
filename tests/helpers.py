"""Small builders shared by tests (files written by the tests themselves)."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from belfort.platform import Platform

COUNTS_CSV = (
    "telpunt;tijdstip;aantal;bezettingsgraad;open\n"
    "Korenmarkt;2024-03-01 13:00:00;120;0,75;ja\n"
    "Korenmarkt;2024-03-01 14:00:00;180;0,9;ja\n"
    "Veldstraat;2024-03-01 13:00:00;80;0,4;nee\n"
    "Veldstraat;2024-03-01 14:00:00;95;0,5;ja\n"
    "Graslei;2024-03-01 13:00:00;;0,1;nee\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def counts_csv(directory: Path, name: str = "tellingen.csv") -> Path:
    return write(directory / name, COUNTS_CSV)


def api_routes() -> list[tuple[str, str]]:
    """(METHOD, path) of every HTTP endpoint, read from the app's OpenAPI document.

    (FastAPI includes routers lazily, so ``app.routes`` does not list them all.)
    """
    from belfort.app import create_app

    paths = create_app(platform=None).openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() for method in ops)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until a ``belfort serve`` subprocess answers ``/health``; fail with its output
    (when piped) if it exits or does not answer within ``timeout`` seconds."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        output = proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
        assert proc.poll() is None, f"server exited: {output}"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


@contextmanager
def live_server(platform: Platform) -> Iterator[str]:
    """``platform`` served over real HTTP (uvicorn in a thread) on a free local port, for
    Node clients, browsers and harvesters; yields the base URL."""
    import uvicorn

    from belfort.app import create_app

    port = free_port()
    # named after the address it serves on, as `belfort serve` is (its links must lead here)
    settings = platform.settings
    before = settings.public_url, settings.host, settings.port
    settings.public_url, settings.host, settings.port = None, "127.0.0.1", port
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        settings.public_url, settings.host, settings.port = before


def staff_session(platform: Platform, key: str) -> str:
    """The staff cookie's value after signing in with ``key`` (a session token, not the key)."""
    from belfort.policy.keys import authenticate
    from belfort.policy.sessions import start_session

    with platform.db.session() as session:
        principal = authenticate(session, key)
        assert principal is not None and principal.is_admin
        return start_session(session, principal, 3600)


def add_organisations(platform: Platform, *names: str) -> None:
    """Put publishing organisations on the catalogue's list (datasets may only name listed
    ones, docs/metadata.md); a name already listed is left alone."""
    from belfort.catalog import organisations
    from belfort.linked.vocabularies import slug

    with platform.db.session() as session:
        for name in names:
            if organisations.find_organisation(session, name) is None:
                organisations.add_organisation(session, slug(name) or "organisation", {"name_nl": name})
