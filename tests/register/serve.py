"""A Belfort served over real HTTP on a free local port (for Node clients and browsers)."""

from __future__ import annotations

from collections.abc import Iterator

from belfort.platform import Platform
from tests.helpers import live_server


def serve(platform: Platform) -> Iterator[str]:
    with live_server(platform) as base:
        yield base
