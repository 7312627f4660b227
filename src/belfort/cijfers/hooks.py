"""Keeping indicators in step: after a dataset publishes a new version, the indicators
computed from it are computed again (``belfort.publishing.after_publish``); a failure is
recorded on the indicator (``last_error``), never raised into the write path."""

from __future__ import annotations

from belfort.cijfers.compute import recompute_for_dataset
from belfort.cijfers.geography import geography_of
from belfort.platform import Platform
from belfort.publishing import after_publish


def _recompute(platform: Platform, dataset_id: str) -> None:
    recompute_for_dataset(platform, geography_of(platform), dataset_id)


def install(platform: Platform) -> None:
    """Follow publications on this platform (idempotent)."""
    hooks = after_publish(platform)
    if _recompute not in hooks:
        hooks.append(_recompute)
