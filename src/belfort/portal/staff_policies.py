"""The staff page "Policies" of one dataset: its ODRL policies (uid, type, whether it is
applied, until when), a form to paste or edit a policy as JSON-LD, and deleting one.

For admins and stewards (anyone else gets the 404 of every staff page); every form carries
the staff pages' CSRF token. A refused policy comes back as typed, with each problem
(``PolicyInvalid``'s path and reason) in the error summary pointing at the text area. Saving
and deleting go through ``belfort.policy.policies`` as the API and the command line do:
audited, and the catalogue generation moves on.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog.metadata import SLUG_PATTERN
from belfort.catalog.models import Dataset
from belfort.errors import DatasetNotFound, NotFound, PolicyInvalid
from belfort.platform import Platform
from belfort.policy import policies
from belfort.policy.odrl import MAX_BYTES, load_document, parse_policy
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect

router = APIRouter(include_in_schema=False)

PAGE = "/staff/datasets/{dataset_id}/policies"
SOURCE_FIELD = "policy-source"


def _require(principal: Principal) -> None:
    if not principal.is_steward:  # admins and stewards
        raise NotFound("page not found")  # the public does not learn staff pages exist


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _known(platform: Platform, dataset_id: str) -> None:
    if not SLUG_PATTERN.fullmatch(dataset_id):
        raise DatasetNotFound("no such dataset")
    with platform.db.session() as session:
        if session.get(Dataset, dataset_id) is None:
            raise DatasetNotFound(f"no dataset {dataset_id!r}")


def _problems(t: Translator, exc: PolicyInvalid) -> list[FieldError]:
    found = exc.details.get("problems") or [{"path": "", "message": exc.message}]
    return [FieldError(field=SOURCE_FIELD, label=t("pol_staff_source"),
                       text=t("pol_staff_problem", path=p.get("path") or t("pol_staff_whole"),
                              message=p.get("message", "")))
            for p in found[:50]]


def _save(t: Translator, platform: Platform, principal: Principal, dataset_id: str,
          source: str, enabled: bool) -> list[FieldError]:
    if len(source.encode("utf-8", errors="replace")) > MAX_BYTES:
        return [FieldError(field=SOURCE_FIELD, label=t("pol_staff_source"),
                           text=t("pol_staff_too_large", limit=t.number(MAX_BYTES)))]
    try:
        document = load_document(source)
        target_ok = parse_policy(document).dataset == dataset_id
        if not target_ok:
            return [FieldError(field=SOURCE_FIELD, label=t("pol_staff_source"),
                               text=t("pol_staff_other_dataset", dataset=dataset_id))]
        policies.save(platform, principal, source, enabled=enabled)
    except PolicyInvalid as exc:
        return _problems(t, exc)
    return []


def _policy_page(request: Request, platform: Platform, principal: Principal, dataset_id: str,
                 *, status_code: int = 200, errors: list[FieldError] | None = None,
                 source: str | None = None, enabled: bool = True) -> Response:
    with platform.db.session() as session:
        found = policies.list_policies(session, dataset_id)
    params = request.query_params
    editing = params.get("edit", "")[:200]
    if source is None and editing:
        chosen = next((p for p in found if p.uid == editing), None)
        source = chosen.source if chosen is not None else ""
        enabled = chosen.enabled if chosen is not None else True
    return _page(request, "staff_policies.html", principal, status_code=status_code,
                 dataset_id=dataset_id, policies=found, field_errors=errors or [],
                 source=source or "", enabled=enabled,
                 saved=params.get("saved", "")[:200] if not errors else "",
                 deleted=params.get("deleted", "")[:200] if not errors else "")


@router.get(PAGE)
def policies_page(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    _known(platform, dataset_id)
    return _policy_page(request, platform, principal, dataset_id)


@router.post(PAGE)
async def save_policy(dataset_id: str, request: Request,
                      platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    form = await _form(request)
    await run_in_threadpool(_known, platform, dataset_id)
    source = _text(form, "source", MAX_BYTES * 2)
    enabled = form.get("enabled") == "yes"
    t = Translator(language_of(request))
    errors = await run_in_threadpool(_save, t, platform, principal, dataset_id, source, enabled)
    if not errors:
        uid = load_document(source).get("uid", "")
        return _redirect(f"/staff/datasets/{quote(dataset_id)}/policies"
                         f"?saved={quote(str(uid), safe='')}")
    return await run_in_threadpool(lambda: _policy_page(
        request, platform, principal, dataset_id, status_code=400, errors=errors,
        source=source.replace("\x00", ""), enabled=enabled))


@router.post(PAGE + "/delete")
async def delete_policy(dataset_id: str, request: Request,
                        platform: Platform = Depends(get_platform),
                        principal: Principal = Depends(portal_principal)) -> Response:
    _require(principal)
    form = await _form(request)
    await run_in_threadpool(_known, platform, dataset_id)
    uid = _text(form, "uid", 300)
    t = Translator(language_of(request))
    if form.get("confirm") != "yes":
        errors = [FieldError(field="policy-confirm", label=t("pol_staff_delete"),
                             text=t("pol_staff_delete_needs_confirm"))]
        return await run_in_threadpool(lambda: _policy_page(
            request, platform, principal, dataset_id, status_code=400, errors=errors))

    def remove() -> None:
        with platform.db.session() as session:
            if policies.get_policy(session, uid).dataset != dataset_id:
                raise NotFound("no such policy on this dataset")
        policies.remove(platform, principal, uid)

    await run_in_threadpool(remove)
    return _redirect(f"/staff/datasets/{quote(dataset_id)}/policies"
                     f"?deleted={quote(uid, safe='')}")
