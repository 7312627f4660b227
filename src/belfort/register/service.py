"""What staff do with the register, the same for the JSON API and the staff pages:
rights check, the change and its audit event in one transaction, then — when the
public register changed — a new version of the register dataset.

The catalogue generation is bumped after every change, so the portal's pages and the
SPARQL graph (built from the database by ``belfort.register.linked``) follow at once.
"""

from __future__ import annotations

from typing import Any

from belfort.catalog.models import ProcessingActivity
from belfort.catalog.store import find_dataset
from belfort.errors import BelfortError, InvalidRequest
from belfort.platform import Platform
from belfort.policy.gate import require_write
from belfort.policy.principals import Principal
from belfort.publishing import update_dataset_metadata
from belfort.register import store
from belfort.register.dataset import publish_register_dataset
from belfort.register.model import ActivityState, check_guid

PUBLISHED = ActivityState.PUBLISHED.value


def _after(platform: Platform, principal: Principal, public_change: bool) -> None:
    platform.generation.bump()
    if public_change:
        publish_register_dataset(platform, principal)


def create_activity(
    platform: Platform, principal: Principal, changes: dict[str, Any], *, state: str = "draft",
    activity_id: str | None = None,
) -> dict[str, Any]:
    require_write(principal)
    with platform.db.session() as session:
        activity = store.create_activity(session, principal.actor, changes, state=state, activity_id=activity_id)
        result = store.activity_to_dict(activity)
    _after(platform, principal, result["state"] == PUBLISHED)
    return result


def update_activity(
    platform: Platform, principal: Principal, activity_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    require_write(principal)
    with platform.db.session() as session:
        activity = store.update_activity(session, principal.actor, store.get_activity(session, activity_id), changes)
        result = store.activity_to_dict(activity)
    _after(platform, principal, result["state"] == PUBLISHED)
    return result


def change_activity_state(
    platform: Platform, principal: Principal, activity_id: str, state: str
) -> dict[str, Any]:
    require_write(principal)
    with platform.db.session() as session:
        activity = store.get_activity(session, activity_id)
        before = activity.state
        store.change_activity_state(session, principal.actor, activity, state)
        result = store.activity_to_dict(activity)
    _after(platform, principal, PUBLISHED in (before, result["state"]) and before != result["state"])
    return result


def link_dataset(
    platform: Platform, principal: Principal, activity_id: str, dataset_id: str, *, personal_data: bool = True
) -> dict[str, Any]:
    """Point a dataset at the entry (and say whether it holds personal data)."""
    require_write(principal)
    key = check_guid(activity_id)
    with platform.db.session() as session:
        store.get_activity(session, key)
    return update_dataset_metadata(
        platform, principal, dataset_id, {"processing_activity": key, "personal_data": personal_data}
    )


def unlink_dataset(platform: Platform, principal: Principal, activity_id: str, dataset_id: str) -> dict[str, Any]:
    """Remove a dataset's link to the entry (refused while it is published with personal data)."""
    require_write(principal)
    key = check_guid(activity_id)
    with platform.db.session() as session:
        dataset = find_dataset(session, dataset_id)
        if dataset is None or dataset.processing_activity != key:
            raise InvalidRequest(f"dataset {dataset_id[:100]!r} is not linked to processing activity {key!r}")
    return update_dataset_metadata(platform, principal, dataset_id, {"processing_activity": None})


MAX_IMPORT = 10_000


def import_activities(platform: Platform, principal: Principal, items: Any) -> tuple[int, int]:
    """Create or update many entries at once (a register moved from elsewhere): a JSON
    array of entries, each with the fields, optionally ``id`` (a GUID: updated when it
    exists) and ``state`` (default published). All or nothing: one bad entry stores
    none, and the error names it. The register dataset is published once afterwards.
    Returns (created, updated)."""
    require_write(principal)
    if not isinstance(items, list) or not items:
        raise InvalidRequest("a register import is a non-empty JSON array of entries")
    if len(items) > MAX_IMPORT:
        raise InvalidRequest(f"a register import holds at most {MAX_IMPORT:,} entries")
    created = updated = 0
    with platform.db.session() as session:
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise InvalidRequest(f"entry {number}: not a JSON object")
            fields = dict(item)
            state = fields.pop("state", ActivityState.PUBLISHED.value)
            key = fields.pop("id", None)
            try:
                if not isinstance(state, str) or (key is not None and not isinstance(key, str)):
                    raise InvalidRequest("state and id are text")
                existing = session.get(ProcessingActivity, check_guid(key)) if key else None
                if existing is None:
                    store.create_activity(session, principal.actor, fields, state=state, activity_id=key)
                    created += 1
                else:
                    store.update_activity(session, principal.actor, existing, fields)
                    store.change_activity_state(session, principal.actor, existing, state)
                    updated += 1
            except BelfortError as exc:
                raise type(exc)(f"entry {number}: {exc.message}", details=exc.details) from None
    _after(platform, principal, True)
    return created, updated
