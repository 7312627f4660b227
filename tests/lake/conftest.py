"""One SeaweedFS for the lake's object-store tests (``tests/lake/seaweedfs.py``), shared by
the session; each test gets a prefix of its own in one bucket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.lake.seaweedfs import SeaweedS3


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def one_bucket(seaweed: SeaweedS3) -> str:
    return seaweed.create_bucket("belfort-tests")


@pytest.fixture
def bucket(one_bucket: str) -> str:
    """A test's own place: ``<bucket>/<prefix>`` (one bucket: each costs the store volumes)."""
    return f"{one_bucket}/t-{uuid.uuid4().hex[:12]}"
