"""Access requests (issue 14, item 5): a signed-in user asks for access to a dataset that is
not open, for a stated purpose; a steward approves with constraints — which becomes an ODRL
Agreement with an expiry, stored with the other policies — or refuses with a reason; both
sides see the status (docs/access.md#access-requests).

Rules:

- only signed-in principals (people and API keys) ask; a request names a dataset the
  requester can see or that its owner lists on the transparency page — any other id answers
  as a dataset that does not exist;
- the purpose is a DPV purpose Belfort knows; the reason is text (10 to 2,000 characters);
  fields asked for must be fields of the published version;
- one pending request per requester and dataset; at most ``MAX_PENDING`` pending in all;
- admins see and decide every request; a steward those of their organisation's datasets
  (the organisation the identity provider names, by name or slug) and sees their own; an
  approval needs an expiry within ``MAX_AGREEMENT_DAYS`` and may narrow what is granted
  (fields, a row filter, aggregates only with k, requests per day, export allowed or not);
  a refusal needs a reason. A decided request is not decided again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from belfort.catalog.models import AccessRequest, Dataset, Version, utcnow
from belfort.catalog.organisations import find_organisation
from belfort.catalog.store import record_audit
from belfort.errors import (
    Conflict,
    DatasetNotFound,
    Forbidden,
    InvalidRequest,
    NotFound,
    Unauthorized,
)
from belfort.policy import gate
from belfort.policy.dpv import purpose_iri
from belfort.policy.policies import store_policy
from belfort.policy.principals import PARTY_PREFIX, Kind, Principal

PENDING, APPROVED, REFUSED, WITHDRAWN = "pending", "approved", "refused", "withdrawn"
STATUSES = (PENDING, APPROVED, REFUSED, WITHDRAWN)
MAX_PENDING = 20
MAX_AGREEMENT_DAYS = 366
REASON_LIMITS = (10, 2_000)
MAX_FIELDS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Approval:
    """What a steward grants: until ``expires_at``, optionally narrowed."""

    expires_at: dt.datetime
    fields: tuple[str, ...] | None = None
    row_filter: str | None = None
    min_group_size: int | None = None  # aggregates only, with at least k per group
    requests_per_day: int | None = None
    export: bool = False


def _party(principal: Principal) -> str:
    if principal.kind == Kind.PERSON and principal.subject:
        return f"{PARTY_PREFIX}person:{principal.subject}"
    if principal.key_id:
        return f"{PARTY_PREFIX}key:{principal.key_id}"
    raise Unauthorized("sign in (or use an API key) to ask for access")


def _text(value: object, name: str, limits: tuple[int, int]) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be text")
    text = value.strip()
    if _CONTROL.search(text):
        raise InvalidRequest(f"{name} holds a control character")
    if not limits[0] <= len(text) <= limits[1]:
        raise InvalidRequest(f"{name} must be {limits[0]} to {limits[1]:,} characters")
    return text


def dataset_fields(session: Session, dataset: Dataset) -> list[str]:
    """The field names of the dataset's published version, in its order."""
    schema = session.scalar(select(Version.table_schema).where(
        Version.dataset_id == dataset.id, Version.number == dataset.published_version)) or {}
    return [str(f["name"]) for f in schema.get("fields", [])]


def _fields(session: Session, dataset: Dataset, fields: object) -> list[str] | None:
    if fields is None:
        return None
    if not isinstance(fields, list) or not fields or len(fields) > MAX_FIELDS \
            or not all(isinstance(f, str) for f in fields):
        raise InvalidRequest(f"fields must be a list of 1 to {MAX_FIELDS} field names")
    known = set(dataset_fields(session, dataset))
    unknown = sorted({f for f in fields if f not in known})
    if unknown:
        raise InvalidRequest(f"the dataset has no field {unknown[0][:60]!r}")
    return sorted(set(fields))


def requestable(session: Session, principal: Principal, dataset_id: str) -> Dataset:
    """A dataset the principal sees or that is listed; DatasetNotFound for anything else."""
    try:
        return gate.get_dataset(session, principal, dataset_id)
    except DatasetNotFound:
        listed = {d.id: d for d in gate.listed_datasets(session)} if dataset_id else {}
        if dataset_id in listed:
            return listed[dataset_id]
        raise


def to_dict(row: AccessRequest) -> dict[str, Any]:
    return {
        "id": row.id, "dataset": row.dataset_id, "requester": row.requester,
        "requester_name": row.requester_name, "purpose": row.purpose, "reason": row.reason,
        "fields": row.fields, "status": row.status, "created_at": row.created_at.isoformat(),
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decision_reason": row.decision_reason, "policy": row.policy_uid,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


def request_access(session: Session, principal: Principal, dataset_id: str, purpose: object,
                   reason: object, fields: object = None) -> AccessRequest:
    party = _party(principal)
    dataset = requestable(session, principal, dataset_id)
    iri = purpose_iri(purpose) if isinstance(purpose, str) else None
    if iri is None:
        raise InvalidRequest("purpose must be a DPV purpose Belfort knows "
                             "(GET /api/belfort/v1/policies/purposes)")
    text = _text(reason, "reason", REASON_LIMITS)
    asked = _fields(session, dataset, fields)
    pending = session.scalars(select(AccessRequest).where(
        AccessRequest.requester_party == party, AccessRequest.status == PENDING)).all()
    if any(r.dataset_id == dataset.id for r in pending):
        raise Conflict("you already have a pending request for this dataset")
    if len(pending) >= MAX_PENDING:
        raise Conflict(f"you have {MAX_PENDING} pending requests: wait for a decision")
    row = AccessRequest(
        id=uuid.uuid4().hex[:16], dataset_id=dataset.id, requester=principal.actor[:200],
        requester_party=party, requester_name=principal.name[:200], purpose=iri, reason=text,
        fields=asked, status=PENDING, created_at=utcnow())
    session.add(row)
    record_audit(session, principal.actor, "access_request.create", dataset.id, request=row.id,
                 purpose=iri)
    session.flush()
    return row


def steward_organisations(session: Session, principal: Principal) -> frozenset[str] | None:
    """The organisations (their datasets' ``organisation``) whose requests a steward sees and
    decides: None for every one (admins); none for someone who is no steward, or a steward
    whose identity names no organisation."""
    if principal.is_admin:
        return None
    if not principal.is_steward or not principal.organisation:
        return frozenset()
    found = find_organisation(session, principal.organisation)
    return frozenset({principal.organisation} | ({found.name_nl} if found else set()))


def _stewards(session: Session, principal: Principal, row: AccessRequest) -> bool:
    """Whether ``principal`` stewards the dataset ``row`` asks for."""
    scope = steward_organisations(session, principal)
    if scope is None:
        return True
    dataset = session.get(Dataset, row.dataset_id) if scope else None
    return dataset is not None and dataset.organisation in scope


def _get(session: Session, principal: Principal, request_id: str) -> AccessRequest:
    row = session.get(AccessRequest, request_id) if _ID.fullmatch(request_id) else None
    if row is None or not (row.requester_party in principal.parties
                           or _stewards(session, principal, row)):
        raise NotFound(f"no access request {request_id[:40]!r}")
    return row


def get_request(session: Session, principal: Principal, request_id: str) -> AccessRequest:
    """One request: its requester's or, for stewards, anyone's (NotFound otherwise)."""
    if not principal.is_signed_in:
        raise Unauthorized("sign in (or use an API key) to see access requests")
    return _get(session, principal, request_id)


def list_requests(session: Session, principal: Principal, status: str | None = None,
                  limit: int = 100, *, mine: bool = False) -> list[AccessRequest]:
    """The principal's own requests and, for stewards, those of the datasets they steward
    (admins: everyone's); only one's own with ``mine``. Newest first."""
    if not principal.is_signed_in:
        raise Unauthorized("sign in (or use an API key) to see access requests")
    if status is not None and status not in STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}")
    query = select(AccessRequest).order_by(AccessRequest.created_at.desc(), AccessRequest.id)
    own = AccessRequest.requester_party.in_(sorted(principal.parties))
    scope = None if mine else steward_organisations(session, principal)
    if mine or scope == frozenset():
        query = query.where(own)
    elif scope is not None:
        query = query.where(or_(own, AccessRequest.dataset_id.in_(
            select(Dataset.id).where(Dataset.organisation.in_(sorted(scope))))))
    if status is not None:
        query = query.where(AccessRequest.status == status)
    return list(session.scalars(query.limit(max(1, min(limit, 500)))))


def count_pending(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AccessRequest)
                              .where(AccessRequest.status == PENDING)) or 0)


def _agreement(row: AccessRequest, dataset: Dataset, approval: Approval) -> dict[str, Any]:
    reads = "aggregate" if approval.min_group_size is not None else "read"
    constraints: list[dict[str, Any]] = [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": row.purpose},
        {"leftOperand": "dateTime", "operator": "lt",
         "rightOperand": approval.expires_at.isoformat()},
    ]
    if approval.fields is not None:
        constraints.append({"leftOperand": "belfort:fields", "operator": "isAnyOf",
                            "rightOperand": list(approval.fields)})
    if approval.row_filter is not None:
        constraints.append({"leftOperand": "belfort:rowFilter", "operator": "eq",
                            "rightOperand": approval.row_filter})
    if approval.min_group_size is not None:
        constraints.append({"leftOperand": "belfort:minGroupSize", "operator": "gteq",
                            "rightOperand": approval.min_group_size})
    if approval.requests_per_day is not None:
        constraints.append({"leftOperand": "count", "operator": "lteq",
                            "rightOperand": approval.requests_per_day, "belfort:period": "P1D"})
    policy: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/odrl.jsonld", "@type": "Agreement",
        "uid": f"urn:belfort:policy:request-{row.id}",
        "assigner": f"{PARTY_PREFIX}organisation:{_slug(dataset.organisation)}",
        "target": dataset.id, "assignee": row.requester_party,
        "permission": [{"action": reads, "constraint": constraints}],
    }
    if approval.export:
        policy["permission"].append({"action": "export", "constraint": constraints})
    else:
        policy["prohibition"] = [{"action": "distribute"}]
    return policy


def _slug(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "stad-gent").lower()).strip("-") or "stad-gent"


def decide(session: Session, steward: Principal, request_id: str, *, approve: bool,
           reason: object = None, approval: Approval | None = None) -> AccessRequest:
    """Approve (an Agreement policy is stored) or refuse (with a reason) a pending request."""
    if not steward.is_signed_in:
        raise Unauthorized("sign in to decide on access requests")
    if not steward.is_steward:
        raise Forbidden("only stewards decide on access requests")
    row = _get(session, steward, request_id)
    if not _stewards(session, steward, row):
        raise Forbidden("you steward another organisation's datasets")
    if row.status != PENDING:
        raise Conflict(f"the request is {row.status} already")
    now = utcnow()
    if approve:
        if approval is None:
            raise InvalidRequest("an approval needs an expiry (expires_at)")
        expires = approval.expires_at
        if expires.tzinfo is None:
            raise InvalidRequest("expires_at needs a UTC offset, e.g. 2027-01-31T23:59:59+01:00")
        if not now < expires <= now + dt.timedelta(days=MAX_AGREEMENT_DAYS):
            raise InvalidRequest(f"expires_at must be in the next {MAX_AGREEMENT_DAYS} days")
        dataset = session.get(Dataset, row.dataset_id)
        if dataset is None:
            raise NotFound(f"the dataset {row.dataset_id!r} is gone")
        if approval.fields is not None:
            _fields(session, dataset, list(approval.fields))  # each one the dataset's
        stored = store_policy(session, json.dumps(_agreement(row, dataset, approval)),
                              actor=steward.actor, create=True)
        row.policy_uid, row.expires_at, row.status = stored.uid, expires, APPROVED
        row.decision_reason = _text(reason, "reason", (0, 2_000)) if reason else None
    else:
        row.decision_reason = _text(reason, "reason", (3, 2_000))
        row.status = REFUSED
    row.decided_by, row.decided_at = steward.actor[:200], now
    record_audit(session, steward.actor, f"access_request.{row.status}", row.dataset_id,
                 request=row.id, policy=row.policy_uid)
    session.flush()
    return row


def withdraw(session: Session, principal: Principal, request_id: str) -> AccessRequest:
    row = get_request(session, principal, request_id)
    if row.requester_party not in principal.parties:
        raise Forbidden("only the requester withdraws a request")
    if row.status != PENDING:
        raise Conflict(f"the request is {row.status} already")
    row.status, row.decided_at = WITHDRAWN, utcnow()
    record_audit(session, principal.actor, "access_request.withdrawn", row.dataset_id,
                 request=row.id)
    session.flush()
    return row
