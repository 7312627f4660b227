"""The v1 search answer cache keys a non-open dataset's answers by the caller's audience:
what one principal may be told (its grant's fields, rows and aggregation threshold) is
never served to another from the cache."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.api import deps
from belfort.api.ods import v1
from belfort.platform import Platform
from belfort.policy.principals import Kind, Principal, Role

SEARCH = "/api/records/1.0/search/"


def v1_keys(platform: Platform) -> list[tuple[Any, ...]]:
    return [
        k for k in list(platform.cache._entries) if isinstance(k, tuple) and k[0] == "v1-search"
    ]


def as_caller(principal: Principal) -> Any:
    def override() -> Principal:
        return principal

    return override


@pytest.mark.parametrize("public", [True, False])
def test_answers_cached_per_audience_unless_open(
    client: TestClient, ghent: Platform, monkeypatch: pytest.MonkeyPatch, public: bool
) -> None:
    real = v1.readable
    monkeypatch.setattr(v1, "readable", lambda *a, **kw: replace(real(*a, **kw), public=public))
    callers = [
        Principal(role=Role.READ, kind=Kind.KEY, key_id=str(i), name=f"key {i}") for i in (1, 2)
    ]
    params = {"dataset": "fietstelpalen-gent", "rows": 1}
    for caller in callers:
        client.app.dependency_overrides[deps.get_principal] = as_caller(caller)  # type: ignore[attr-defined]
        assert client.get(SEARCH, params=params).status_code == 200
    client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    keys = v1_keys(ghent)
    assert len(keys) == (1 if public else 2)
