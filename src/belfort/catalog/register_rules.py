"""The publishing rule: a dataset holding personal data is published only under a
published processing register entry (GDPR art. 30; docs/processing-register.md).

``belfort.catalog.store`` asks ``require_register_entry`` whenever a dataset becomes or
stays readable by the public — a version is published, the state moves to
published, or the metadata of a published dataset changes — so every way in (CLI,
native API, staff pages, demo, harvest) meets the same rule with the same message.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from belfort.catalog.models import ProcessingActivity
from belfort.errors import Conflict, InvalidRequest

PUBLISHED = "published"


def check_entry_exists(session: Session, activity_id: str | None) -> None:
    """A dataset may only point at an entry that exists (in any state)."""
    if activity_id is not None and session.get(ProcessingActivity, activity_id) is None:
        raise InvalidRequest(
            f"processing_activity: no processing register entry {activity_id!r}; "
            "create it in the register first (/staff/verwerkingsregister)"
        )


def require_register_entry(
    session: Session, dataset_id: str, personal_data: bool, activity_id: str | None
) -> None:
    """Conflict unless a dataset without personal data, or one linked to a published entry."""
    if not personal_data:
        return
    if activity_id is None:
        raise Conflict(
            f"dataset {dataset_id!r} holds personal data and cannot be published without a link to "
            "its processing register entry: set processing_activity to the entry's identifier",
            details={"rule": "personal_data_needs_register_entry"},
        )
    activity = session.get(ProcessingActivity, activity_id)
    if activity is None or activity.state != PUBLISHED:
        state = "does not exist" if activity is None else f"is {activity.state}"
        raise Conflict(
            f"dataset {dataset_id!r} holds personal data and cannot be published: its processing "
            f"register entry {activity_id!r} {state}; publish the entry first",
            details={"rule": "personal_data_needs_register_entry"},
        )
