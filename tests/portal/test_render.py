"""The portal's template environment (belfort.portal.render)."""

from __future__ import annotations

import os.path

import pytest

from belfort.portal.render import environment


def test_a_compiled_template_is_not_checked_on_the_disk_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Templates are part of the installed package: once compiled, a render asks the file
    system nothing (Jinja's default asked whether each template of a page had changed)."""
    environment().get_template("base.html")
    looked: list[str] = []
    real = os.path.getmtime

    def counting(path: str) -> float:
        looked.append(path)
        return real(path)

    monkeypatch.setattr(os.path, "getmtime", counting)
    for _ in range(3):
        environment().get_template("base.html")
    assert looked == []
