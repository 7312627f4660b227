"""Processing register entries in the catalogue database.

Functions take an open session; the caller owns the transaction and the rights check
(``belfort.register.service`` does both). Every change writes an audit event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.metadata import LifecycleState
from belfort.catalog.models import Dataset, ProcessingActivity
from belfort.catalog.store import record_audit
from belfort.errors import Conflict, InvalidRequest, NotFound
from belfort.policy.gate import visible_datasets
from belfort.policy.principals import ANONYMOUS
from belfort.register.model import (
    ActivityInput,
    ActivityState,
    check_guid,
    missing_for_publication,
    new_guid,
    validate_activity,
)

EDITABLE = tuple(ActivityInput.model_fields)


def input_of(activity: ProcessingActivity) -> ActivityInput:
    """The entry's fields as validated input (what forms and the API edit)."""
    return ActivityInput.model_validate({name: getattr(activity, name) for name in EDITABLE})


def _apply(activity: ProcessingActivity, data: ActivityInput) -> None:
    for name, value in data.model_dump(mode="json").items():
        setattr(activity, name, value)


def get_activity(session: Session, activity_id: str) -> ProcessingActivity:
    """The entry, or NotFound (also for an identifier that is no GUID)."""
    try:
        key = check_guid(activity_id)
    except InvalidRequest:
        raise NotFound(f"processing activity {activity_id[:60]!r} not found") from None
    activity = session.get(ProcessingActivity, key)
    if activity is None:
        raise NotFound(f"processing activity {key!r} not found")
    return activity


def list_activities(
    session: Session, *, states: tuple[str, ...] | None = (ActivityState.PUBLISHED.value,)
) -> list[ProcessingActivity]:
    """Entries in the given states (all when ``states`` is None), by name."""
    query = select(ProcessingActivity).order_by(ProcessingActivity.name, ProcessingActivity.id)
    if states is not None:
        query = query.where(ProcessingActivity.state.in_(states))
    return list(session.scalars(query))


def _check_state(state: str) -> ActivityState:
    try:
        return ActivityState(state)
    except ValueError:
        raise InvalidRequest(
            f"unknown state {str(state)[:40]!r}; use one of {[s.value for s in ActivityState]}"
        ) from None


def _require_publishable(data: ActivityInput) -> None:
    missing = missing_for_publication(data)
    if missing:
        raise Conflict(
            "a published processing activity needs " + ", ".join(missing)
            + "; save it as a draft until they are known",
            details={"missing": missing},
        )


def create_activity(
    session: Session, actor: str, changes: dict[str, Any], *, state: str = "draft",
    activity_id: str | None = None,
) -> ProcessingActivity:
    """A new entry (draft unless ``state`` says otherwise); ``activity_id`` a GUID or new."""
    data = validate_activity(changes)
    target = _check_state(state)
    if target == ActivityState.PUBLISHED:
        _require_publishable(data)
    key = check_guid(activity_id) if activity_id else new_guid()
    if session.get(ProcessingActivity, key) is not None:
        raise Conflict(f"processing activity {key!r} already exists")
    activity = ProcessingActivity(id=key, state=target.value)
    _apply(activity, data)
    session.add(activity)
    session.flush()
    record_audit(session, actor, "register_create", None, activity=key, state=target.value)
    return activity


def update_activity(
    session: Session, actor: str, activity: ProcessingActivity, changes: dict[str, Any]
) -> ProcessingActivity:
    """Change some fields; the merged entry is validated as a whole."""
    if not isinstance(changes, dict):
        raise InvalidRequest("changes to a processing activity are a JSON object")
    current = input_of(activity).model_dump(mode="json")
    unknown = sorted(str(k)[:40] for k in changes if k not in current)
    if unknown:
        raise InvalidRequest(f"unknown field(s) {unknown[:10]}; fields are: {', '.join(EDITABLE)}")
    data = validate_activity({**current, **changes})
    if activity.state == ActivityState.PUBLISHED.value:
        _require_publishable(data)
    _apply(activity, data)
    record_audit(session, actor, "register_update", None, activity=activity.id, fields=sorted(changes))
    return activity


def change_activity_state(
    session: Session, actor: str, activity: ProcessingActivity, state: str
) -> ProcessingActivity:
    """draft ⇄ published → archived → draft. Leaving *published* is refused while a
    published dataset holding personal data relies on the entry."""
    target = _check_state(state)
    if target.value == activity.state:
        return activity
    if target == ActivityState.PUBLISHED:
        _require_publishable(input_of(activity))
    elif activity.state == ActivityState.PUBLISHED.value:
        relying = datasets_relying_on(session, activity.id)
        if relying:
            raise Conflict(
                f"processing activity {activity.id!r} cannot become {target.value}: the published "
                f"dataset(s) {', '.join(relying[:10])} hold personal data under it; link them to "
                "another entry or withdraw them first",
                details={"datasets": relying},
            )
    previous = activity.state
    activity.state = target.value
    record_audit(session, actor, "register_state", None, activity=activity.id, state=target.value,
                 previous=previous)
    return activity


def datasets_relying_on(session: Session, activity_id: str) -> list[str]:
    """Published or deprecated datasets with personal data linked to the entry."""
    return list(session.scalars(
        select(Dataset.id).where(
            Dataset.processing_activity == activity_id,
            Dataset.personal_data.is_(True),
            Dataset.state.in_((LifecycleState.PUBLISHED.value, LifecycleState.DEPRECATED.value)),
        ).order_by(Dataset.id)
    ))


def linked_datasets(session: Session, activity_id: str, *, open_only: bool) -> list[Dataset]:
    """Datasets linked to the entry; ``open_only``: only those anyone may see."""
    base = visible_datasets(ANONYMOUS, session) if open_only else select(Dataset)
    query = base.where(Dataset.processing_activity == activity_id).order_by(Dataset.id)
    return list(session.scalars(query))


def open_dataset_links(session: Session, *, open_only: bool = True) -> dict[str, list[str]]:
    """Entry id → the ids of its linked datasets (``open_only``: those anyone may see), in
    one query for the whole register."""
    base = visible_datasets(ANONYMOUS, session) if open_only else select(Dataset)
    query = base.with_only_columns(Dataset.processing_activity, Dataset.id).where(
        Dataset.processing_activity.is_not(None)).order_by(Dataset.id)
    links: dict[str, list[str]] = {}
    for activity_id, dataset_id in session.execute(query):
        if activity_id is not None:  # the query's own condition; the column type allows NULL
            links.setdefault(activity_id, []).append(dataset_id)
    return links


def activity_to_dict(activity: ProcessingActivity) -> dict[str, Any]:
    out: dict[str, Any] = {"id": activity.id}
    out.update(input_of(activity).model_dump(mode="json"))
    out.update({
        "state": activity.state,
        "created_at": activity.created_at.isoformat(),
        "updated_at": activity.updated_at.isoformat(),
    })
    return out
