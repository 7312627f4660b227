"""Graceful shutdown of a node (``belfort serve``) on SIGTERM: it stops accepting at once,
an export in flight is sent to its end, a live dashboard stream is told to reconnect
(``retry:`` and ``event: reconnect``) and ends, and the process exits — after at most
``BELFORT_SHUTDOWN_GRACE_SECONDS`` when a client never reads its answer."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.nodes import node

ROWS = 300_000
EXPORT = "/api/belfort/v1/datasets/groot/exports/csv"
EVENTS = "/api/belfort/v1/dashboards/gent/events"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """A data directory with a dataset large enough that its export is still being sent
    when the signal comes (a few MB, read slowly)."""
    data = tmp_path / "lake"
    csv = tmp_path / "groot.csv"
    with csv.open("w") as out:
        out.write("id;naam;waarde\n")
        for i in range(ROWS):
            out.write(f"{i};straat {i % 997};{i * 0.5}\n")
    subprocess.run([sys.executable, "-m", "belfort.cli", "ingest", str(csv), "--dataset", "groot",
                    "--title", "Groot", "--data-dir", str(data)], check=True, capture_output=True)
    return data


def _read_events(base: str, lines: list[tuple[float, str]], opened: threading.Event) -> None:
    with httpx.stream("GET", base + EVENTS, timeout=30) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            lines.append((time.monotonic(), line))
            if line.startswith("event: tiles"):
                opened.set()
    lines.append((time.monotonic(), "<end>"))


def test_sigterm_finishes_requests_in_flight_and_tells_streams_to_reconnect(
    lake: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{lake / 'catalog.sqlite'}"
    with node(lake, url, tmp_path / "node", BELFORT_SHUTDOWN_GRACE_SECONDS="30") as (base, proc):
        events: list[tuple[float, str]] = []
        opened = threading.Event()
        reader = threading.Thread(target=_read_events, args=(base, events, opened))
        reader.start()
        assert opened.wait(30), events
        with httpx.Client(timeout=60) as client, client.stream("GET", base + EXPORT) as export:
            assert export.status_code == 200
            chunks = export.iter_raw(64 * 1024)
            body = [next(chunks)]  # the export is under way …
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            time.sleep(1.0)
            with pytest.raises(httpx.TransportError):  # … the node accepts nothing new …
                httpx.get(base + "/health", timeout=2)
            for chunk in chunks:  # … and sends the export to its end
                body.append(chunk)
                time.sleep(0.001)
        text = b"".join(body).decode()
        assert text.count("\n") == ROWS + 1 and text.rstrip().endswith(f"{(ROWS - 1) * 0.5}")
        reader.join(10)
        assert not reader.is_alive()
        after = [line for at, line in events if at >= signalled]
        assert "retry: 1000" in after and "event: reconnect" in after, events[-5:]
        assert after[-1] == "<end>"
        ended = events[-1][0] - signalled
        assert ended < 3, f"the live stream ended {ended:.2f} s after SIGTERM"
        # a clean exit, after the node's own clean-up (the upkeep process stopped)
        assert proc.wait(timeout=30) == 0
    log = (tmp_path / "node" / "stderr.log").read_text()
    assert "Finished server process" in log and "Cancel " not in log  # nothing cut off
    assert log.rstrip().endswith("Belfort stopped"), log[-500:]


def test_a_client_that_never_reads_holds_the_node_only_for_the_grace(
    lake: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{lake / 'catalog.sqlite'}"
    with node(lake, url, tmp_path / "node", BELFORT_SHUTDOWN_GRACE_SECONDS="2") as (base, proc):
        port = int(base.rsplit(":", 1)[1])
        with socket.socket() as stuck:
            stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a tiny window …
            stuck.connect(("127.0.0.1", port))
            stuck.sendall(f"GET {EXPORT} HTTP/1.1\r\nHost: node\r\n\r\n".encode())
            assert stuck.recv(1024).startswith(b"HTTP/1.1 200")  # … and then never read again
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            proc.wait(timeout=30)
            stopped = time.monotonic() - signalled
        assert 1.5 < stopped < 8, f"the node stopped {stopped:.2f} s after SIGTERM (grace 2 s)"
    assert "timeout graceful shutdown exceeded" in (tmp_path / "node" / "stderr.log").read_text()
