"""Staff pages of the processing register: list every entry, create and edit one, move
it along its life cycle (draft → published → archived) and link datasets to it.

Same sign-in, CSRF double submit and error display as the other staff pages
(``belfort.portal.staff``); every change goes through ``belfort.register.service``,
so the JSON API and these forms apply the same rules, audit and republishing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog.models import Dataset
from belfort.errors import BelfortError, InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import AUDIENCE_LABELS, Translator, language_of
from belfort.portal.messages import said
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect, _require_staff
from belfort.register import service, store
from belfort.register.model import LEGAL_BASES, ActivityState, Audience

router = APIRouter(include_in_schema=False)

BASE = "/staff/verwerkingsregister"
TEXT_FIELDS = ("name", "description", "category", "processor", "controller", "legal_basis",
               "legal_basis_explained", "formal_framework", "retention", "third_country_transfers",
               "security_measures", "audience")
LINE_FIELDS = ("purposes", "data_subjects", "grantees")
PERSONAL_FIELDS = ("personal_data", "sensitive_personal_data")
MAX_FIELD = 25_000
MAX_LINES = 100


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:MAX_LINES]


def _personal(text: str) -> list[dict[str, str | None]]:
    """``Type: what exactly`` per line → personal-data items."""
    items: list[dict[str, str | None]] = []
    for line in _lines(text):
        kind, _, description = line.partition(":")
        items.append({"type": kind.strip(), "description": description.strip() or None})
    return items


def activity_from_form(form: FormData) -> dict[str, Any]:
    """The entry's fields from the staff form (the model validates them)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        data[name] = str(form.get(name, ""))[:MAX_FIELD].strip() or None
    if not data["controller"]:
        data.pop("controller")
    if not data["audience"]:
        data.pop("audience")
    for name in LINE_FIELDS:
        data[name] = _lines(str(form.get(name, ""))[:MAX_FIELD])
    for name in PERSONAL_FIELDS:
        data[name] = _personal(str(form.get(name, ""))[:MAX_FIELD])
    if data["name"] is None:
        data["name"] = ""
    return data


def form_values(entry: dict[str, Any]) -> dict[str, str]:
    """An entry (or what was typed) as the form's text values."""
    values = {name: str(entry.get(name) or "") for name in TEXT_FIELDS}
    for name in LINE_FIELDS:
        values[name] = "\n".join(entry.get(name) or [])
    for name in PERSONAL_FIELDS:
        values[name] = "\n".join(
            f"{p.get('type')}: {p['description']}" if p.get("description") else str(p.get("type"))
            for p in entry.get(name) or [])
    return values


def _edit_page(request: Request, platform: Platform, principal: Principal, activity_id: str | None, *,
               values: dict[str, str] | None = None, problem: str | None = None,
               status_code: int = 200) -> Response:
    entry: dict[str, Any] | None = None
    linked: list[dict[str, str]] = []
    candidates: list[str] = []
    with platform.db.session() as session:
        if activity_id is not None:
            activity = store.get_activity(session, activity_id)
            entry = store.activity_to_dict(activity)
            linked = [{"id": d.id, "title": d.title_nl, "state": d.state,
                       "personal_data": "yes" if d.personal_data else "no"}
                      for d in store.linked_datasets(session, activity.id, open_only=False)]
            linked_ids = {d["id"] for d in linked}
            candidates = [i for i in session.scalars(select(Dataset.id).order_by(Dataset.id))
                          if i not in linked_ids]
    return _page(request, "staff_register_entry.html", principal, status_code=status_code, entry=entry,
                 values=values or form_values(entry or {"controller": "Stad Gent", "audience": "burger"}),
                 linked=linked, candidates=candidates, problem=problem, legal_bases=LEGAL_BASES,
                 audiences=[a.value for a in Audience], AUDIENCES=AUDIENCE_LABELS,
                 states=[s.value for s in ActivityState])


@router.get(BASE)
def staff_register(request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    with platform.db.session() as session:
        entries = [store.activity_to_dict(a) for a in store.list_activities(session, states=None)]
    return _page(request, "staff_register.html", principal, entries=entries, AUDIENCES=AUDIENCE_LABELS)


@router.get(BASE + "/new")
def new_entry(request: Request, platform: Platform = Depends(get_platform),
              principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, None)


@router.post(BASE + "/new")
async def create_entry(request: Request, platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    data = activity_from_form(form)
    state = "published" if str(form.get("publish", "")) == "yes" else "draft"
    try:
        created = await run_in_threadpool(
            lambda: service.create_activity(platform, principal, data, state=state))
    except BelfortError as exc:
        return await run_in_threadpool(_edit_page, request, platform, principal, None, values=form_values(data),
                                       problem=said(Translator(language_of(request)), exc), status_code=exc.http_status)
    return _redirect(f"{BASE}/{created['id']}?saved=create")


@router.get(BASE + "/{activity_id}")
def edit_entry(activity_id: str, request: Request, platform: Platform = Depends(get_platform),
               principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, activity_id)


@router.post(BASE + "/{activity_id}")
async def change_entry(activity_id: str, request: Request, platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(portal_principal)) -> Response:
    """One form per action: ``save`` (fields), ``state``, ``link`` or ``unlink`` a dataset."""
    _require_staff(principal)
    form = await _form(request)
    action = str(form.get("action", ""))
    values = None
    try:
        if action == "save":
            data = activity_from_form(form)
            values = form_values(data)
            await run_in_threadpool(service.update_activity, platform, principal, activity_id, data)
        elif action == "state":
            await run_in_threadpool(service.change_activity_state, platform, principal, activity_id,
                                    str(form.get("state", ""))[:40])
        elif action == "link":
            dataset_id = str(form.get("dataset", ""))[:100]
            personal = str(form.get("personal_data", "")) == "yes"
            await run_in_threadpool(lambda: service.link_dataset(platform, principal, activity_id, dataset_id,
                                                                 personal_data=personal))
        elif action == "unlink":
            await run_in_threadpool(service.unlink_dataset, platform, principal, activity_id,
                                    str(form.get("dataset", ""))[:100])
        else:
            raise InvalidRequest("unknown action")
    except BelfortError as exc:
        if isinstance(exc, NotFound) and "processing activity" in exc.message:
            raise
        return await run_in_threadpool(_edit_page, request, platform, principal, activity_id, values=values,
                                       problem=said(Translator(language_of(request)), exc), status_code=exc.http_status)
    return _redirect(f"{BASE}/{quote(activity_id, safe='')}?saved={action}")
