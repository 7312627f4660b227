"""A platform with the small demo, its modelled profile and live indicators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.cijfers import hooks
from belfort.demo.loader import load_demo
from belfort.platform import Platform


@pytest.fixture
def demo_platform(platform: Platform) -> Platform:
    hooks.install(platform)  # as ``belfort`` commands and the server do
    for _line in load_demo(platform, size="small"):
        pass
    return platform


@pytest.fixture
def client_with_profile(demo_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(demo_platform)) as c:
        yield c
