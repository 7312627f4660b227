"""The staff page "Dashboards beheren": create a City Dashboard from a spec (YAML or JSON),
change its spec, delete it. Sign-in required (others get a 404, as on every staff page);
every form carries the staff pages' CSRF token. A refused spec comes back as typed, with
every problem (``DashboardInvalid``'s paths) in the error summary pointing at the text area.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.dashboards.store import (
    delete_dashboard,
    get_dashboard,
    list_dashboards,
    save_dashboard,
)
from belfort.errors import DashboardInvalid
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect, _require_staff

router = APIRouter(include_in_schema=False)

LIST_PAGE = "/staff/dashboards"
KEPT_CHARS = 200_000  # what the form shows back (the spec's own limit is far smaller)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:KEPT_CHARS] if isinstance(value, str) else ""


def _problems(t: Translator, exc: DashboardInvalid, field: str) -> list[FieldError]:
    found = exc.details.get("problems") or [{"path": "(spec)", "message": exc.message}]
    return [FieldError(field=field, label=t("dash_staff_spec"),
                       text=t("dash_staff_problem", path=p["path"], message=p["message"]))
            for p in found[:50]]


def _save(t: Translator, platform: Platform, principal: Principal, dashboard_id: str,
          source: str, *, create: bool) -> list[FieldError]:
    try:
        with platform.db.session() as session:
            save_dashboard(session, dashboard_id, source, by=principal.name, create=create)
    except DashboardInvalid as exc:
        problems = exc.details.get("problems") or []
        if any(p.get("path") == "id" for p in problems):
            taken = any("taken" in str(p.get("message")) for p in problems)
            return [FieldError(field="dash-id", label=t("dash_staff_id"), text=t(
                "dash_staff_id_taken" if taken else "dash_staff_id_invalid", id=dashboard_id))]
        return _problems(t, exc, "dash-spec")
    return []


def _list_page(request: Request, platform: Platform, principal: Principal, *,
               status_code: int = 200, errors: list[FieldError] | None = None,
               values: dict[str, str] | None = None) -> Response:
    with platform.db.session() as session:
        found = list_dashboards(session)
    params = request.query_params
    return _page(request, "staff_dashboards.html", principal, status_code=status_code,
                 dashboards=found, field_errors=errors or [], values=values or {},
                 created=params.get("created", "")[:60] if not errors else "",
                 deleted=params.get("deleted", "")[:60] if not errors else "")


@router.get(LIST_PAGE)
def dashboards_page(request: Request, platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _list_page(request, platform, principal)


@router.post(LIST_PAGE)
async def create_dashboard(request: Request, platform: Platform = Depends(get_platform),
                           principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    values = {"id": _text(form, "id").strip(), "source": _text(form, "source")}
    t = Translator(language_of(request))
    errors = await run_in_threadpool(_save, t, platform, principal, values["id"],
                                     values["source"], create=True)
    if not errors:
        return _redirect(f"{LIST_PAGE}?created={quote(values['id'], safe='')}")
    kept = {k: v.replace("\x00", "") for k, v in values.items()}
    return await run_in_threadpool(lambda: _list_page(request, platform, principal,
                                                      status_code=400, errors=errors, values=kept))


def _edit_page(request: Request, platform: Platform, principal: Principal, dashboard_id: str, *,
               status_code: int = 200, errors: list[FieldError] | None = None,
               source: str | None = None) -> Response:
    with platform.db.session() as session:
        stored = get_dashboard(session, dashboard_id)
    return _page(request, "staff_dashboard.html", principal, status_code=status_code,
                 dashboard=stored, field_errors=errors or [],
                 source=stored.source if source is None else source,
                 saved=request.query_params.get("saved") == "1" and not errors)


@router.get(LIST_PAGE + "/{dashboard_id}")
def dashboard_page(dashboard_id: str, request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, dashboard_id)


@router.post(LIST_PAGE + "/{dashboard_id}")
async def change_dashboard(dashboard_id: str, request: Request,
                           platform: Platform = Depends(get_platform),
                           principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    source = _text(form, "source")
    t = Translator(language_of(request))
    def known() -> None:
        with platform.db.session() as session:
            get_dashboard(session, dashboard_id)  # 404 for an unknown one

    await run_in_threadpool(known)
    errors = await run_in_threadpool(_save, t, platform, principal, dashboard_id, source,
                                     create=False)
    if not errors:
        return _redirect(f"{LIST_PAGE}/{quote(dashboard_id, safe='')}?saved=1")
    return await run_in_threadpool(lambda: _edit_page(
        request, platform, principal, dashboard_id, status_code=400, errors=errors,
        source=source.replace("\x00", "")))


@router.post(LIST_PAGE + "/{dashboard_id}/delete")
async def remove_dashboard(dashboard_id: str, request: Request,
                           platform: Platform = Depends(get_platform),
                           principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    t = Translator(language_of(request))
    if form.get("confirm") != "yes":
        errors = [FieldError(field="dash-confirm", label=t("dash_staff_delete"),
                             text=t("dash_staff_delete_needs_confirm"))]
        return await run_in_threadpool(lambda: _edit_page(
            request, platform, principal, dashboard_id, status_code=400, errors=errors))

    def delete() -> None:
        with platform.db.session() as session:
            delete_dashboard(session, dashboard_id)

    await run_in_threadpool(delete)
    return _redirect(f"{LIST_PAGE}?deleted={quote(dashboard_id, safe='')}")
