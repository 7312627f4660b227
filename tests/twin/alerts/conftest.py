"""Alert tests: the local webhook receivers and SMTP server are on 127.0.0.1, which the
webhook policy refuses unless allowed; retries wait a few milliseconds only."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from belfort.settings import Settings
from tests.conftest import TEST_BASE


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    alerts_webhook_allow_hosts="127.0.0.1", alerts_webhook_backoff_seconds=0.01,
                    alerts_webhook_timeout_seconds=1.0, alerts_webhook_secret="s3cret",
                    alerts_evaluate_seconds=0)


@dataclass
class Receiver:
    """A local HTTP server that answers POSTs with ``statuses`` in turn (then 200)."""

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            if state.delay:
                threading.Event().wait(state.delay)
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
