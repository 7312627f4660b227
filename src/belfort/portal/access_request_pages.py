"""Access requests on the portal, the requester's side (issue 14, items 5 and 7;
docs/access.md#access-requests):

- ``GET /toegangsaanvragen/nieuw/{dataset}`` — the request form for a dataset on the
  transparency page (or one the person already sees part of); a visitor who is not signed in
  is asked to sign in through the identity provider first, and comes back here;
- ``POST`` the same path — the request (purpose from the DPV list, the purpose in the
  person's own words, a message for the steward), behind the staff pages' CSRF token; a
  refused form comes back with everything typed and what to correct;
- ``GET /toegangsaanvragen`` — the person's requests and their status (pending; approved
  with its constraints and expiry; refused with the reason), and withdrawing a pending one.

Everything goes through ``belfort.policy.access_requests`` as the API does (same rules, same
audit trail). The stored reason is the purpose text and, after a blank line, the message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.errors import Conflict, InvalidRequest, PolicyNotFound
from belfort.platform import Platform
from belfort.policy import access_requests as requests
from belfort.policy.dpv import PURPOSES, purpose_iri
from belfort.policy.policies import get_policy
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect

router = APIRouter(include_in_schema=False)

MINE = "/toegangsaanvragen"
FORM = MINE + "/nieuw/{dataset_id}"
PURPOSE_TEXT = (10, 1_000)
MESSAGE_MAX = 900
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Typed:
    """What the person typed, shown again when the form is refused."""

    purpose: str = ""
    purpose_text: str = ""
    message: str = ""


def purpose_options() -> list[tuple[str, str]]:
    """(compact term, English label) of every DPV purpose, by label."""
    return sorted(((p.compact, p.label) for p in PURPOSES.values()), key=lambda p: p[1])


def _text_problem(t: Translator, value: str, limits: tuple[int, int]) -> str | None:
    if CONTROL.search(value):
        return t("areq_control")
    if MARKUP.search(value):
        return t("areq_markup")
    if len(value.strip()) < limits[0]:
        return t("areq_too_short", min=limits[0]) if limits[0] > 0 else None
    if len(value.strip()) > limits[1]:
        return t("areq_too_long", max=t.number(limits[1]), length=t.number(len(value.strip())))
    return None


def check(t: Translator, typed: Typed) -> list[FieldError]:
    """The form's problems, each at its field, in the person's language."""
    errors = []
    if purpose_iri(typed.purpose) is None:
        errors.append(FieldError("areq-purpose", t("areq_purpose"), t("areq_purpose_missing")))
    problem = _text_problem(t, typed.purpose_text, PURPOSE_TEXT)
    if problem:
        errors.append(FieldError("areq-purpose-text", t("areq_purpose_text"), problem))
    problem = _text_problem(t, typed.message, (0, MESSAGE_MAX))
    if problem:
        errors.append(FieldError("areq-message", t("areq_message"), problem))
    return errors


def reason_of(typed: Typed) -> str:
    text = typed.purpose_text.strip()
    return text + ("\n\n" + typed.message.strip() if typed.message.strip() else "")


def _kept(value: object, limit: int) -> str:
    """A posted value as shown again: text, without NUL, at most ``limit`` characters."""
    return value[:limit].replace("\x00", "") if isinstance(value, str) else ""


def _dataset_view(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        dataset = requests.requestable(session, principal, dataset_id[:200])
        return {"id": dataset.id, "title_nl": dataset.title_nl,
                "title_en": dataset.title_en or dataset.title_nl,
                "organisation": dataset.organisation or "",
                "classification": dataset.classification}


def _form_page(request: Request, platform: Platform, principal: Principal,
               dataset: dict[str, Any], *, status_code: int = 200,
               errors: list[FieldError] | None = None, general: str | None = None,
               typed: Typed = Typed()) -> Response:
    sign_in = f"/staff/sign-in/oidc?next={quote(MINE + '/nieuw/' + dataset['id'], safe='')}"
    return _page(request, "access_request_form.html", principal, status_code=status_code,
                 dataset=dataset, purposes=purpose_options(), typed=typed,
                 field_errors=errors or [], general=general, sign_in=sign_in,
                 limits={"purpose_text": PURPOSE_TEXT, "message": MESSAGE_MAX})


@router.get(FORM)
async def request_form(dataset_id: str, request: Request,
                       platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(portal_principal)) -> Response:
    dataset = await run_in_threadpool(_dataset_view, platform, principal, dataset_id)
    return _form_page(request, platform, principal, dataset)


@router.post(FORM)
async def send_request(dataset_id: str, request: Request,
                       platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(portal_principal)) -> Response:
    form = await _form(request)
    dataset = await run_in_threadpool(_dataset_view, platform, principal, dataset_id)
    t = Translator(language_of(request))
    typed = Typed(purpose=_kept(form.get("purpose"), 300),
                  purpose_text=_kept(form.get("purpose_text"), PURPOSE_TEXT[1] * 4),
                  message=_kept(form.get("message"), MESSAGE_MAX * 4))
    if not principal.is_signed_in:
        return _form_page(request, platform, principal, dataset, status_code=401, typed=typed,
                          general=t("areq_sign_in_first"))
    raw = [form.get(k) for k in ("purpose_text", "message")]
    errors = check(t, Typed(typed.purpose, *(v if isinstance(v, str) else "" for v in raw)))
    if errors:
        return _form_page(request, platform, principal, dataset, status_code=400,
                          errors=errors, typed=typed)

    def store() -> str:
        with platform.db.session() as session:
            row = requests.request_access(session, principal, dataset["id"], typed.purpose,
                                          reason_of(typed))
            return row.id

    try:
        made = await run_in_threadpool(store)
    except Conflict:
        return _form_page(request, platform, principal, dataset, status_code=409, typed=typed,
                          general=t("areq_already_pending"))
    except InvalidRequest as exc:  # a rule of the policy layer the form did not foresee
        return _form_page(request, platform, principal, dataset, status_code=400, typed=typed,
                          general=t("areq_refused", reason=exc.message))
    return _redirect(f"{MINE}?sent={made}")


def _mine(platform: Platform, principal: Principal) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        rows = requests.list_requests(session, principal, mine=True)
        found = []
        for row in rows:
            item = requests.to_dict(row)
            item["constraints"] = _constraints(session, row.policy_uid)
            found.append(item)
        return found


def _constraints(session: Session, uid: str | None) -> dict[str, Any]:
    """What an approval's agreement grants, as the pages show it."""
    if not uid:
        return {}
    try:
        stored = get_policy(session, uid)
    except PolicyNotFound:  # removed since: the request still shows, without its terms
        return {}
    return constraints_of(stored.source)


def constraints_of(source: str) -> dict[str, Any]:
    """The approval's constraints from its agreement's JSON-LD (belfort.policy.access_requests
    writes it): actions, fields, row filter, minimum group size, requests per day."""
    try:
        document = json.loads(source)
    except ValueError:
        return {}
    shown: dict[str, Any] = {"actions": [], "fields": None, "row_filter": None,
                             "min_group_size": None, "requests_per_day": None}
    for rule in document.get("permission", []):
        shown["actions"].append(rule.get("action"))
        for c in rule.get("constraint", []):
            left, right = c.get("leftOperand"), c.get("rightOperand")
            if left == "belfort:fields":
                shown["fields"] = right
            elif left == "belfort:rowFilter":
                shown["row_filter"] = right
            elif left == "belfort:minGroupSize":
                shown["min_group_size"] = right
            elif left == "count":
                shown["requests_per_day"] = right
    return shown


@router.get(MINE)
async def my_requests(request: Request, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(portal_principal)) -> Response:
    sent = request.query_params.get("sent", "")
    withdrawn = request.query_params.get("withdrawn", "")
    found = (await run_in_threadpool(_mine, platform, principal)
             if principal.is_signed_in else [])
    return _page(request, "access_requests_mine.html", principal, requests=found,
                 sent=sent if ID.fullmatch(sent) else "",
                 withdrawn=withdrawn if ID.fullmatch(withdrawn) else "",
                 sign_in=f"/staff/sign-in/oidc?next={quote(MINE, safe='')}")


@router.post(MINE + "/{request_id}/intrekken")
async def withdraw(request_id: str, request: Request,
                   platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    await _form(request)

    def work() -> None:
        with platform.db.session() as session:
            requests.withdraw(session, principal, request_id[:40])

    await run_in_threadpool(work)
    return _redirect(f"{MINE}?withdrawn={quote(request_id[:16])}")
