"""Staff pages for access requests (issue 14, item 5; docs/stewards.md):

- ``GET /staff/access-requests`` — the pending requests of the datasets the steward looks
  after (admins: all) and the ones decided lately;
- ``GET /staff/access-requests/{id}`` — one request, with a form to approve it (actions,
  fields, row filter, threshold, requests per day, expiry; sensible defaults) and one to
  refuse it with a reason;
- ``POST /staff/access-requests/{id}/approve`` and ``…/refuse`` — the decision, through
  ``belfort.policy.access_requests.decide`` as the API takes it (an ODRL Agreement is stored,
  both audited); a refused form comes back with what was typed and what to correct.

For admins and stewards only (anyone else gets the 404 of every staff page); every form
carries the staff pages' CSRF token.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog.models import Dataset
from belfort.errors import Conflict, InvalidRequest, NotFound, PolicyInvalid, PolicyNotFound
from belfort.platform import Platform
from belfort.policy import access_requests as requests
from belfort.policy.policies import get_policy
from belfort.policy.principals import Principal
from belfort.portal.access_request_pages import CONTROL, MARKUP, constraints_of
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect

router = APIRouter(include_in_schema=False)

LIST = "/staff/access-requests"
GHENT = ZoneInfo("Europe/Brussels")
DEFAULT_DAYS = 90
DEFAULT_K = 10
ROW_FILTER_MAX = 1_000
REASON_MAX = 2_000
ID = re.compile(r"^[0-9a-f]{16}$")


@dataclass
class Decision:
    """The approval form as typed (strings, shown again when refused)."""

    mode: str = "read"  # read (rows) or aggregate (aggregates only, with k)
    export: bool = False
    fields: list[str] = field(default_factory=list)
    row_filter: str = ""
    threshold: str = str(DEFAULT_K)
    per_day: str = ""
    expires: str = ""
    note: str = ""


def _require(principal: Principal) -> None:
    if not principal.is_steward:  # admins and stewards
        raise NotFound("page not found")  # the public does not learn staff pages exist


def _overview(platform: Platform, principal: Principal) -> dict[str, Any]:
    with platform.db.session() as session:
        rows = requests.list_requests(session, principal, limit=200)
        scope = requests.steward_organisations(session, principal)
        titles: dict[str, str] = {i: t for i, t in session.execute(select(
            Dataset.id, Dataset.title_nl).where(Dataset.id.in_({r.dataset_id for r in rows})))}
        mine = principal.parties
        shown = [dict(requests.to_dict(r), title=titles.get(r.dataset_id, r.dataset_id))
                 for r in rows if r.requester_party not in mine or principal.is_admin]
    return {"pending": [r for r in shown if r["status"] == requests.PENDING],
            "decided": [r for r in shown if r["status"] != requests.PENDING][:50],
            "everything": scope is None}


@router.get(LIST)
async def overview(request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    found = await run_in_threadpool(_overview, platform, principal)
    decided = request.query_params.get("decided", "")
    return _page(request, "staff_access_requests.html", principal,
                 decided_id=decided if ID.fullmatch(decided) else "", **found)


def _one(platform: Platform, principal: Principal, request_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        row = requests.get_request(session, principal, request_id[:40])
        if not principal.is_admin and row.requester_party in principal.parties:
            raise NotFound("page not found")  # one's own request is decided by someone else
        dataset = session.get(Dataset, row.dataset_id)
        if dataset is None:
            raise NotFound("page not found")
        item = requests.to_dict(row)
        item["title"] = dataset.title_nl
        item["organisation"] = dataset.organisation or ""
        item["constraints"] = constraints_of(_source(session, row.policy_uid))
        return {"r": item, "dataset_fields": requests.dataset_fields(session, dataset)}


def _source(session: Session, uid: str | None) -> str:
    if not uid:
        return "{}"
    try:
        return get_policy(session, uid).source
    except PolicyNotFound:
        return "{}"


def _default(info: dict[str, Any]) -> Decision:
    asked = info["r"]["fields"] or info["dataset_fields"]
    until = dt.datetime.now(GHENT).date() + dt.timedelta(days=DEFAULT_DAYS)
    return Decision(fields=list(asked), expires=until.isoformat())


def _detail(request: Request, principal: Principal, info: dict[str, Any], *,
            status_code: int = 200, decision: Decision | None = None, refusal: str = "",
            errors: list[FieldError] | None = None, general: str | None = None) -> Response:
    today = dt.datetime.now(GHENT).date()
    return _page(request, "staff_access_request.html", principal, status_code=status_code,
                 decision=_shown(decision) if decision else _default(info),
                 refusal=refusal.replace("\x00", ""),
                 field_errors=errors or [], general=general,
                 first_day=(today + dt.timedelta(days=1)).isoformat(),
                 last_day=(today + dt.timedelta(days=requests.MAX_AGREEMENT_DAYS - 1)).isoformat(),
                 **info)


@router.get(LIST + "/{request_id}")
async def one(request_id: str, request: Request, platform: Platform = Depends(get_platform),
              principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    info = await run_in_threadpool(_one, platform, principal, request_id)
    return _detail(request, principal, info)


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[: limit * 2] if isinstance(value, str) else ""  # NUL: refused, not dropped


def _shown(typed: Decision) -> Decision:
    """What was typed, as the form shows it again (no NUL characters)."""
    def clean(value: str) -> str:
        return value.replace("\x00", "")
    return Decision(mode=typed.mode, export=typed.export, fields=typed.fields,
                    row_filter=clean(typed.row_filter), threshold=clean(typed.threshold),
                    per_day=clean(typed.per_day), expires=clean(typed.expires),
                    note=clean(typed.note))


def _typed(form: FormData) -> Decision:
    return Decision(
        mode="aggregate" if form.get("mode") == "aggregate" else "read",
        export=form.get("export") == "yes",
        fields=[f[:200] for f in form.getlist("fields") if isinstance(f, str)][:500],
        row_filter=_text(form, "row_filter", ROW_FILTER_MAX),
        threshold=_text(form, "threshold", 20), per_day=_text(form, "per_day", 20),
        expires=_text(form, "expires", 20), note=_text(form, "note", REASON_MAX))


def _hostile(t: Translator, value: str, limit: int) -> str | None:
    if CONTROL.search(value):
        return t("areq_control")
    if MARKUP.search(value):
        return t("areq_markup")
    if len(value) > limit:
        return t("areq_too_long", max=t.number(limit), length=t.number(len(value)))
    return None


def _whole(value: str) -> int | None:
    return int(value) if re.fullmatch(r"[0-9]{1,7}", value.strip()) else None


def approval_of(t: Translator, typed: Decision,
                known: list[str]) -> tuple[requests.Approval | None, list[FieldError]]:
    """The approval the form asks for, or the problems with it (each at its field)."""
    errors: list[FieldError] = []

    def problem(at: str, label: str, text: str) -> None:
        errors.append(FieldError(at, t(label), text))

    chosen = [f for f in typed.fields if f in known]
    if not chosen or len(chosen) != len(typed.fields):
        problem("areq-fields", "areq_fields", t("areq_fields_missing"))
    k = _whole(typed.threshold) if typed.mode == "aggregate" else None
    if typed.mode == "aggregate" and (k is None or not 2 <= k <= 1_000_000):
        problem("areq-threshold", "areq_threshold", t("areq_threshold_bad"))
    per_day = _whole(typed.per_day) if typed.per_day.strip() else None
    if typed.per_day.strip() and (per_day is None or not 1 <= per_day <= 1_000_000):
        problem("areq-per-day", "areq_per_day", t("areq_per_day_bad"))
    expires: dt.datetime | None = None
    try:
        if CONTROL.search(typed.expires):
            raise ValueError("a control character")
        day = dt.date.fromisoformat(typed.expires.strip())
        expires = dt.datetime.combine(day, dt.time(23, 59, 59), GHENT)
    except ValueError:
        problem("areq-expires", "areq_until", t("areq_expires_bad"))
    now = dt.datetime.now(dt.UTC)
    if expires is not None and not now < expires <= now + dt.timedelta(
            days=requests.MAX_AGREEMENT_DAYS):
        problem("areq-expires", "areq_until",
                t("areq_expires_range", days=requests.MAX_AGREEMENT_DAYS))
    for at, label, value, limit in (("areq-row-filter", "areq_row_filter", typed.row_filter,
                                     ROW_FILTER_MAX),
                                    ("areq-note", "areq_steward_note", typed.note, REASON_MAX)):
        found = _hostile(t, value, limit)
        if found:
            problem(at, label, found)
    if errors or expires is None:
        return None, errors
    fields = None if sorted(chosen) == sorted(known) else tuple(chosen)
    return requests.Approval(
        expires_at=expires, fields=fields, row_filter=typed.row_filter.strip() or None,
        min_group_size=k, requests_per_day=per_day, export=typed.export), []


@router.post(LIST + "/{request_id}/approve")
async def approve(request_id: str, request: Request, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    form = await _form(request)
    info = await run_in_threadpool(_one, platform, principal, request_id)
    t = Translator(language_of(request))
    typed = _typed(form)
    approval, errors = approval_of(t, typed, info["dataset_fields"])
    if approval is None:
        return _detail(request, principal, info, status_code=400, decision=typed,
                       errors=errors)

    def work() -> None:
        with platform.db.session() as session:
            requests.decide(session, principal, info["r"]["id"], approve=True,
                            reason=typed.note.strip() or None, approval=approval)

    try:
        await run_in_threadpool(work)
    except PolicyInvalid as exc:  # the row filter is the one part the form cannot check
        found = exc.details.get("problems") or [{"message": exc.message}]
        errors = [FieldError("areq-row-filter", t("areq_row_filter"),
                             t("areq_row_filter_bad", message=str(found[0].get("message"))))]
        return _detail(request, principal, info, status_code=400, decision=typed,
                       errors=errors)
    except (Conflict, InvalidRequest) as exc:
        return _detail(request, principal, info, status_code=409 if isinstance(
            exc, Conflict) else 400, decision=typed, general=exc.message)
    platform.generation.bump()  # a new policy: every cached answer of the gate moves on
    return _redirect(f"{LIST}?decided={info['r']['id']}")


@router.post(LIST + "/{request_id}/refuse")
async def refuse(request_id: str, request: Request, platform: Platform = Depends(get_platform),
                 principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    form = await _form(request)
    info = await run_in_threadpool(_one, platform, principal, request_id)
    t = Translator(language_of(request))
    reason = _text(form, "reason", REASON_MAX)
    problem = _hostile(t, reason, REASON_MAX)
    if problem is None and len(reason.strip()) < 3:
        problem = t("areq_refusal_missing")
    if problem:
        errors = [FieldError("areq-refusal", t("areq_refusal_reason"), problem)]
        return _detail(request, principal, info, status_code=400, refusal=reason,
                       errors=errors)

    def work() -> None:
        with platform.db.session() as session:
            requests.decide(session, principal, info["r"]["id"], approve=False,
                            reason=reason.strip())

    try:
        await run_in_threadpool(work)
    except (Conflict, InvalidRequest) as exc:
        return _detail(request, principal, info, status_code=409 if isinstance(
            exc, Conflict) else 400, refusal=reason, general=exc.message)
    return _redirect(f"{LIST}?decided={info['r']['id']}")
