"""The gate: every read and write of catalogue or data asks here first.

One place decides what a principal may see, so no endpoint can forget a rule.
Datasets a principal may not see are reported as *not found* — never "forbidden" —
so their existence does not leak.

Rules (docs/access.md):

- an admin sees and may change everything;
- anyone else sees a dataset only when it is ``published`` or ``deprecated`` and has a
  published version, and its classification is one the principal reads by default:
  ``open`` for everyone, ``internal`` too for signed-in principals (people and API keys);
  ``confidential`` and ``strictly-confidential`` data only through a policy;
- a field classified above what the principal reads (``FieldDescription.classification``)
  is held back: its values, and its name, are not in what the principal reads
  (``access`` → ``Grant.fields``; ``reading`` serves the restricted copy);
- nobody but an admin may change anything.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, object_session

from belfort.catalog.metadata import (
    SLUG_PATTERN,
    Classification,
    LifecycleState,
    RestrictionReason,
)
from belfort.catalog.models import MAX_NUMBER, Dataset, Version
from belfort.errors import DatasetNotFound, Forbidden, Unauthorized, VersionNotFound
from belfort.policy.access import FULL, Grant
from belfort.policy.granting import count_request, granted, granted_datasets
from belfort.policy.policies import candidate_datasets
from belfort.policy.principals import Principal

PUBLIC_STATES = (LifecycleState.PUBLISHED.value, LifecycleState.DEPRECATED.value)
LEVELS = {level.value: rank for rank, level in enumerate(Classification)}  # open = 0 … strictly = 3


def readable_levels(principal: Principal) -> tuple[str, ...]:
    """The classifications ``principal`` reads without a policy."""
    if principal.is_admin:
        return tuple(LEVELS)
    if principal.is_signed_in:
        return (Classification.OPEN.value, Classification.INTERNAL.value)
    return (Classification.OPEN.value,)


def visible_datasets(principal: Principal, session: Session | None = None) -> Select[Dataset]:
    """A SELECT of the datasets ``principal`` may see (compose further filters on it): those
    its classification lets it read, and those a policy grants it. With ``session`` (every
    listing): exactly those a policy grants some action now (``granting.granted_datasets``:
    purpose, time and register decided, ``count`` checked but not consumed). Without: those
    an enabled policy names one of its parties in (a superset, for a caller that asks the
    grant next, as ``get_dataset`` does)."""
    query = select(Dataset)
    if principal.is_admin:
        return query
    published = and_(Dataset.state.in_(PUBLIC_STATES), Dataset.published_version.is_not(None))
    by_policy = (Dataset.id.in_(sorted(granted_datasets(session, principal)))
                 if session is not None else
                 Dataset.id.in_(candidate_datasets(principal.parties)))
    return query.where(and_(published, or_(
        Dataset.classification.in_(readable_levels(principal)), by_policy)))


def holds_back(principal: Principal, level: str | None) -> bool:
    """Whether a field of classification ``level`` (None: its dataset's) is held back."""
    return level is not None and level not in readable_levels(principal)


def held_back_fields(principal: Principal, dataset: Dataset) -> frozenset[str]:
    """The fields of ``dataset`` held back from ``principal``: those classified above what it
    reads; and, on a dataset it reads through a policy, every field the policy's grant does
    not give (for metadata: a field's name is held back with its values)."""
    if principal.is_admin:
        return frozenset()
    by_level = frozenset(d.field for d in dataset.field_descriptions
                         if holds_back(principal, d.classification))
    session = object_session(dataset)
    if dataset.classification in readable_levels(principal) or session is None:
        return by_level
    names = [f["name"] for v in dataset.versions for f in (v.table_schema or {}).get("fields", [])]
    return by_level | held_back_by_policy(session, principal, dataset.id, names,
                                          above_dataset(dataset))


def above_dataset(dataset: Dataset) -> frozenset[str]:
    """The fields classified above their dataset."""
    return fields_above(dataset.classification, {
        d.field: d.classification for d in dataset.field_descriptions if d.classification})


def fields_above(level: str, field_levels: dict[str, str]) -> frozenset[str]:
    """Of ``field_levels`` (field → classification), the fields classified above ``level``."""
    rank = LEVELS.get(level, 0)
    return frozenset(f for f, own in field_levels.items() if LEVELS.get(own, 3) > rank)


def held_back_by_policy(session: Session, principal: Principal, dataset_id: str,
                        names: list[str], above: frozenset[str]) -> frozenset[str]:
    """On a dataset read through a policy: the fields (of ``names``) its grant does not give —
    outside its field subset, or, without one, classified above the dataset (``above``);
    every field when nothing is granted."""
    grant = granted(session, principal, dataset_id)
    if grant is None:
        return frozenset(names)
    allowed = grant.fields if grant.fields is not None else frozenset(names) - above
    return frozenset(n for n in names if n not in allowed)


def visible_fields(principal: Principal, dataset: Dataset,
                   fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A schema's ``fields`` without those held back from ``principal`` (for metadata:
    a held-back field's name is not shown either)."""
    held_back = held_back_fields(principal, dataset)
    return [f for f in fields if f.get("name") not in held_back] if held_back else fields


def access(session: Session, principal: Principal, dataset: Dataset,
           field_names: list[str]) -> Grant:
    """What ``principal`` may do with ``dataset`` (one ``visible_datasets`` selects), whose
    fields are ``field_names``; DatasetNotFound when nothing is granted.

    By classification (open; internal when signed in): everything but the fields held back.
    Otherwise — and for a held-back field a policy names — what the policies grant for the
    purpose the request declares (``Principal.purpose``), at this moment
    (``belfort.policy.evaluate``): a policy's fields, else every field but those classified
    above the dataset. A grant limited to aggregates is answered only where a dialect asks
    for ``aggregate`` and passes its threshold to the engine (``reading.disclosure_of``);
    every other read of it is refused (``reading.readable``: ActionNotGranted)."""
    if principal.is_admin:
        return FULL
    held_back = held_back_fields(principal, dataset)
    by_default = dataset.classification in readable_levels(principal)
    grant = granted(session, principal, dataset.id) if not by_default or held_back else None
    if grant is not None and _widens(grant, by_default, held_back):
        # one read under a policy counts in its request counters (``count``); a window
        # filled meanwhile: the grant evaluated again, or the 403 that says when it resets
        grant = count_request(session, principal, dataset.id, grant)
        if grant is None and not by_default:
            granted(session, principal, dataset.id, explain=True)
    if grant is not None and _widens(grant, by_default, held_back):
        if grant.fields is None:
            above = above_dataset(dataset)
            grant = replace(grant, fields=frozenset(n for n in field_names if n not in above))
        if set(field_names) <= grant.fields:  # type: ignore[operator]
            grant = replace(grant, fields=None)
        return grant
    if not by_default:
        raise DatasetNotFound(f"dataset {dataset.id[:100]!r} not found")
    if not held_back & set(field_names):
        return FULL
    return Grant(fields=frozenset(n for n in field_names if n not in held_back))


def _widens(grant: Grant, by_default: bool, held_back: frozenset[str]) -> bool:
    """Whether a policy's grant decides the read: the dataset is not read by default, or the
    grant gives a field its classification holds back."""
    return not by_default or (grant.fields is not None and bool(grant.fields & held_back))


def get_dataset(session: Session, principal: Principal, dataset_id: str) -> Dataset:
    """The dataset, or NotFound when it does not exist *or* the principal may not see it."""
    # every dataset id is a slug; anything else (a NUL byte, which PostgreSQL refuses with an
    # error, or 10,000 characters) is simply not found, without a query
    dataset = (session.scalar(visible_datasets(principal).where(Dataset.id == dataset_id))
               if SLUG_PATTERN.fullmatch(dataset_id) else None)
    if dataset is None or not _granted_now(session, principal, dataset):
        raise DatasetNotFound(f"dataset {dataset_id[:100]!r} not found")
    return dataset


def _granted_now(session: Session, principal: Principal, dataset: Dataset) -> bool:
    """A dataset found through a policy (not by classification) is seen only while a policy
    grants it now; a 403 says why when a used-up count or the register is the reason."""
    return (principal.is_admin or dataset.classification in readable_levels(principal)
            or granted(session, principal, dataset.id, explain=True) is not None)


def listed_datasets(session: Session) -> list[Dataset]:
    """The datasets that are not open whose owner lists them on the public transparency page
    (published or deprecated, with a published version), by title. What anyone may learn of
    them is ``transparency_entry``; their rows stay behind the gate."""
    return list(session.scalars(
        select(Dataset).where(
            Dataset.listed.is_(True),
            Dataset.classification != Classification.OPEN.value,
            Dataset.state.in_(PUBLIC_STATES),
            Dataset.published_version.is_not(None),
        ).order_by(Dataset.title_nl, Dataset.id)
    ))


def restriction_counts(session: Session) -> dict[str, int]:
    """How many datasets are not open, per reason from the fixed list (every reason, 0 too):
    the published or deprecated ones, listed or not. Counts only: no title, id or owner of an
    unlisted dataset is learnt from them. A reason missing (a row written before the list,
    not through the catalogue) is not counted."""
    rows = session.execute(
        select(Dataset.restriction_reason, func.count()).where(
            Dataset.classification != Classification.OPEN.value,
            Dataset.state.in_(PUBLIC_STATES),
            Dataset.published_version.is_not(None),
        ).group_by(Dataset.restriction_reason)
    ).all()
    found = {str(reason): int(n) for reason, n in rows if reason is not None}
    return {reason.value: found.get(reason.value, 0) for reason in RestrictionReason}


def transparency_entry(dataset: Dataset) -> dict[str, Any]:
    """What the transparency page says of a listed dataset: no more than this."""
    return {
        "id": dataset.id, "title_nl": dataset.title_nl, "title_en": dataset.title_en,
        "organisation": dataset.organisation, "classification": dataset.classification,
        "restriction_reason": dataset.restriction_reason,
        "reason": dataset.classification_reason, "contact_email": dataset.contact_email,
    }


def is_public(dataset: Dataset) -> bool:
    """Anonymous callers may see ``dataset`` (the rule ``visible_datasets`` selects by; some
    of its fields may still be held back from them)."""
    return (
        dataset.classification == Classification.OPEN.value
        and dataset.state in PUBLIC_STATES
        and dataset.published_version is not None
    )


def readable_version(
    session: Session, principal: Principal, dataset_id: str, number: int | None = None
) -> tuple[Dataset, Version]:
    """The version whose rows ``principal`` may read.

    Without a number: the published version (for an admin, the newest version when
    nothing is published yet). Anyone may read earlier releases of a dataset they can
    see (version history is public); versions staged after the published one are
    staff-only until published.
    """
    dataset = get_dataset(session, principal, dataset_id)
    if number is None:
        number = dataset.published_version
        if number is None and principal.is_admin and dataset.versions:
            number = dataset.versions[-1].number
    elif not 1 <= number <= MAX_NUMBER or (
        not principal.is_admin and number > (dataset.published_version or 0)
    ):
        raise VersionNotFound(f"version {number} of {dataset_id!r} not found")
    version = session.scalar(
        select(Version).where(Version.dataset_id == dataset.id, Version.number == number)
    )
    if version is None:
        raise DatasetNotFound(f"dataset {dataset_id!r} has no readable version")
    return dataset, version


def require_admin(principal: Principal, action: str = "this action") -> None:
    """Admin-only actions: 401 without a key, 403 with a key that is not admin."""
    if principal.is_admin:
        return
    if principal.key_id is None:
        raise Unauthorized(f"{action} needs an admin API key")
    raise Forbidden(f"this API key may not do {action}")


def require_write(principal: Principal) -> None:
    """Every change to the catalogue or the data needs an admin key (for now)."""
    require_admin(principal, "changing the catalogue")
