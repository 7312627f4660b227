"""The server's secret: the setting when given, else generated once into the data directory."""

from __future__ import annotations

import stat
from pathlib import Path

from belfort.policy.server_secret import FILE_NAME, server_secret


def test_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    first = server_secret(None, tmp_path / "a")
    assert len(first) == 32
    path = tmp_path / "a" / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    server_secret.cache_clear()  # a restart, or another worker
    assert server_secret(None, tmp_path / "a") == first
    assert server_secret(None, tmp_path / "b") != first  # another data directory, another secret
    assert [p.name for p in (tmp_path / "a").iterdir()] == [FILE_NAME]  # no temporary left


def test_the_setting_wins(tmp_path: Path) -> None:
    assert server_secret("shared between servers", tmp_path) == b"shared between servers"
    assert not (tmp_path / FILE_NAME).exists()
