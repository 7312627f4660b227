"""Settings that would only fail later are refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from belfort.settings import Settings


def test_missing_synonyms_file_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        Settings(search_synonyms_file=tmp_path / "missing.txt")
    assert Settings(search_synonyms_file="").search_synonyms_file is None  # empty: the built-in list
    own = tmp_path / "synoniemen.txt"
    own.write_text("fiets, velo\n")
    assert Settings(search_synonyms_file=own).search_synonyms_file == own
