"""Graceful shutdown of a node: what the live streams need to know when SIGTERM arrives.

uvicorn already stops accepting connections on SIGTERM and lets requests in flight finish,
up to ``BELFORT_SHUTDOWN_GRACE_SECONDS`` (``belfort serve`` passes it as uvicorn's
``timeout_graceful_shutdown``). A server-sent event stream never finishes by itself, so it
would hold the node for the whole grace and then be cut off. :func:`install` chains a handler
in front of uvicorn's for SIGTERM and SIGINT that only sets a flag; the streams
(``belfort.api.dashboards``) look at :func:`requested` between their events and, once it is
set, send ``retry:`` with a short delay and an ``event: reconnect`` and end — the browser's
``EventSource`` reconnects, through the load balancer, to a node that is still up.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

RECONNECT_MS = 1000  # the reconnection delay the streams ask for on shutdown
RECONNECT_EVENT = (f"retry: {RECONNECT_MS}\nevent: reconnect\n"
                   'data: {"reason": "server shutting down"}\n\n').encode()

_requested = threading.Event()
_installed = threading.Lock()
_state = {"installed": False}


def requested() -> bool:
    """A SIGTERM (or SIGINT) has reached this process: finish, do not start anything long."""
    return _requested.is_set()


def install() -> None:
    """Chain the flag-setting handler in front of the handlers in place (uvicorn's, which
    installs its own before it builds the app). Only from the main thread, once per process;
    a no-op elsewhere (tests that build the app in a thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    with _installed:
        if _state["installed"]:
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            signal.signal(sig, _chained(previous))
        _state["installed"] = True


def _chained(previous: Any) -> Any:
    def handle(sig: int, frame: FrameType | None) -> None:
        _requested.set()
        if callable(previous):
            previous(sig, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)
    return handle
