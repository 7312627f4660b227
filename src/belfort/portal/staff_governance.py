"""The staff pages of data governance: the steward's worklist ("Werklijst") and a dataset's
roles with the "metadata reviewed" button.

For data stewards (of their organisations' datasets) and administrators; everyone else gets
the staff pages' 404. Forms carry the staff pages' CSRF token and are saved through the same
functions as the API (``belfort.governance``), audited; a refused form comes back with the
problem next to its field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.api.governance import _require_steward, dataset_governance, steward_worklist
from belfort.catalog.organisations import list_organisations
from belfort.errors import BelfortError, NotFound
from belfort.governance import review, roles
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect

router = APIRouter(include_in_schema=False)

WORKLIST = "/staff/governance"
DATASET = WORKLIST + "/datasets/{dataset_id}"
KEPT_CHARS = 1_000


def _require_steward_page(principal: Principal) -> None:
    if not principal.is_steward:
        raise NotFound("page not found")  # the public does not learn staff pages exist


@router.get(WORKLIST)
def worklist_page(request: Request, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(portal_principal)) -> Response:
    _require_steward_page(principal)
    chosen = request.query_params.get("organisation", "")[:200] or None
    work = steward_worklist(platform, principal, chosen)
    with platform.db.session() as session:
        organisations = [(o.slug, o.name_nl) for o in list_organisations(session)]
    return _page(request, "staff_governance.html", principal, work=work,
                 organisations=organisations, chosen=chosen or "")


def _dataset_context(platform: Platform, principal: Principal,
                     dataset_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        _require_steward(session, principal, dataset.organisation)
        own = roles.roles_of(session, "dataset", dataset.id)
        governance = dataset_governance(session, principal, dataset,
                                        platform.settings.governance_review_months)
        return {"dataset_id": dataset.id, "title": dataset.title_nl, "governance": governance,
                "own": {r: {"name": h.name, "email": h.email or "",
                            "email_public": h.email_public} for r, h in own.items()}}


def _dataset_page(request: Request, platform: Platform, principal: Principal, dataset_id: str,
                  *, status_code: int = 200, errors: list[FieldError] | None = None,
                  typed: dict[str, dict[str, Any]] | None = None) -> Response:
    context = _dataset_context(platform, principal, dataset_id)
    values = {**context["own"], **(typed or {})}
    return _page(request, "staff_governance_dataset.html", principal, status_code=status_code,
                 roles=roles.ROLES, values=values, field_errors=errors or [],
                 saved=request.query_params.get("saved", "")[:20] if not errors else "",
                 **context)


@router.get(DATASET)
def dataset_governance_page(dataset_id: str, request: Request,
                            platform: Platform = Depends(get_platform),
                            principal: Principal = Depends(portal_principal)) -> Response:
    _require_steward_page(principal)
    return _dataset_page(request, platform, principal, dataset_id)


@router.post(DATASET + "/roles/{role}")
async def save_role(dataset_id: str, role: str, request: Request,
                    platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(portal_principal)) -> Response:
    _require_steward_page(principal)
    form = await _form(request)
    roles.check_role(role)
    name = str(form.get("name", ""))[:KEPT_CHARS]
    email = str(form.get("email", ""))[:KEPT_CHARS]
    public = form.get("email_public") == "on"

    def save() -> str | None:
        with platform.db.session() as session:
            dataset = gate.get_dataset(session, principal, dataset_id)
            _require_steward(session, principal, dataset.organisation)
            try:
                if not name.strip():
                    roles.clear_role(session, principal.actor, "dataset", dataset.id, role)
                else:
                    roles.set_role(session, principal.actor, "dataset", dataset.id, role,
                                   {"name": name, "email": email or None,
                                    "email_public": public})
            except BelfortError as exc:
                session.rollback()
                return exc.message
        return None

    problem = await run_in_threadpool(save)
    if problem is None:
        return _redirect(f"{WORKLIST}/datasets/{quote(dataset_id, safe='')}?saved=role")
    t = Translator(language_of(request))
    field = f"gov-{role}-email" if problem.startswith("email") else f"gov-{role}-name"
    label = t(f"gov_role_{role}")
    errors = [FieldError(field=field, label=label,
                         text=t("gov_error_invalid", label=label, problem=problem))]
    typed = {role: {"name": name.replace("\x00", ""), "email": email.replace("\x00", ""),
                    "email_public": public}}
    return await run_in_threadpool(lambda: _dataset_page(
        request, platform, principal, dataset_id, status_code=400, errors=errors, typed=typed))


@router.post(DATASET + "/review")
async def save_review(dataset_id: str, request: Request,
                      platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(portal_principal)) -> Response:
    _require_steward_page(principal)
    await _form(request)

    def mark() -> None:
        with platform.db.session() as session:
            dataset = gate.get_dataset(session, principal, dataset_id)
            _require_steward(session, principal, dataset.organisation)
            review.mark_reviewed(session, principal.actor, dataset.id)

    await run_in_threadpool(mark)
    return _redirect(f"{WORKLIST}/datasets/{quote(dataset_id, safe='')}?saved=review")
