"""The serving process's threads (belfort.api.threads): ``BELFORT_THREADS`` sizes the pool
that runs a request's blocking work, and waiting on another process takes a thread of its
own lane, never one of those."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import anyio.to_thread
from fastapi.testclient import TestClient

from belfort.api.threads import WAITING_THREADS, run_waiting, size_threads, waiting_lane
from belfort.app import create_app
from belfort.platform import Platform
from belfort.settings import Settings


def test_the_app_gives_the_request_threads_the_setting(tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path / "data", threads=3))
    try:
        with TestClient(create_app(platform)) as client:
            assert client.get("/api/belfort/v1/datasets").status_code == 200
            tokens = client.portal.call(
                lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
            lane = client.portal.call(lambda: waiting_lane().total_tokens)
    finally:
        platform.close()
    assert tokens == 3
    assert lane == WAITING_THREADS


def test_a_wait_on_another_process_does_not_take_a_request_thread() -> None:
    """With every request thread busy, work in the waiting lane still runs (and the
    request threads' work waits its turn, as it should)."""
    release = threading.Event()
    order: list[str] = []

    async def main() -> None:
        size_threads(1)
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, release.wait)  # holds the one thread
            await anyio.sleep(0.05)
            with anyio.fail_after(5):
                order.append(await run_waiting(lambda: "waiting lane"))
            with anyio.move_on_after(0.2):  # the request thread is still taken
                order.append(await anyio.to_thread.run_sync(lambda: "request thread"))
            release.set()
        order.append(await anyio.to_thread.run_sync(lambda: "request thread after"))

    anyio.run(main)
    assert order == ["waiting lane", "request thread after"]


def test_threads_is_bounded() -> None:
    for bad in (0, -1, 201):
        try:
            Settings(threads=bad)
        except ValueError:
            continue
        raise AssertionError(f"threads={bad} accepted")
