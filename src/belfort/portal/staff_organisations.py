"""The staff page "Organisaties": a steward lists the publishing organisations with their
number of datasets, adds one and changes one (names, descriptions, contact, website).

The form is checked by the catalogue's own rules (``belfort.catalog.organisations``) and saved
through ``belfort.publishing.save_organisation``, as ``belfort organisations add|set`` and the
API are: audited, and a new Dutch name carried to the organisation's datasets. It carries the
staff pages' CSRF token; a refused form comes back with what was typed and every problem named
next to its field, in the page's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.api.organisations import organisation_entry, organisation_listing
from belfort.catalog import organisations as orgs
from belfort.errors import Conflict, InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect, _require_staff
from belfort.publishing import save_organisation

router = APIRouter(include_in_schema=False)

LIST_PAGE = "/staff/organisations"
#: The form's inputs, in the order the page shows them (the slug only when adding).
INPUTS = ("slug",) + orgs.FIELDS
#: Longest text the form keeps and shows back after a refusal (the rules allow far less).
KEPT_CHARS = 10_000


def _posted(form: FormData) -> dict[str, str]:
    """The form's texts, as typed (cut at ``KEPT_CHARS``); files and other inputs ignored."""
    values: dict[str, str] = {}
    for name in INPUTS:
        value = form.get(name)
        values[name] = value[:KEPT_CHARS] if isinstance(value, str) else ""
    return values


def _label(t: Translator, name: str) -> str:
    return t(f"orgs_field_{name}")


def _error(t: Translator, name: str, code: str, **params: Any) -> FieldError:
    return FieldError(
        field=f"org-{name}",
        label=_label(t, name),
        text=t(f"orgs_error_{code}", label=_label(t, name), **params),
    )


def check_form(t: Translator, values: dict[str, str], *, adding: bool) -> list[FieldError]:
    """Every problem of the form, by the rules ``belfort.catalog.organisations`` applies
    (which ``save_organisation`` applies again), named next to its field."""
    errors: list[FieldError] = []
    if adding and not orgs.SLUG.fullmatch(values["slug"]):
        errors.append(_error(t, "slug", "slug" if values["slug"] else "required"))
    nul = {name for name in orgs.FIELDS if "\x00" in values[name]}
    errors += [_error(t, name, "nul") for name in orgs.FIELDS if name in nul]
    if not values["name_nl"].strip():
        errors.append(_error(t, "name_nl", "required"))
    data = {n: values[n] for n in orgs.FIELDS if n not in nul and values[n].strip()}
    try:
        orgs.OrganisationInput(**data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            if name not in orgs.FIELDS:
                continue
            if err["type"] == "string_too_long":
                limit = (err.get("ctx") or {}).get("max_length", 0)
                errors.append(_error(t, name, "too_long", limit=t.number(limit)))
            elif name in ("name_nl", "name_en"):
                errors.append(_error(t, name, "one_line"))
            elif name == "contact_email":
                errors.append(_error(t, name, "email"))
            elif name == "homepage":
                errors.append(_error(t, name, "homepage"))
            else:
                errors.append(_error(t, name, "invalid"))
    return errors


def _data(values: dict[str, str]) -> dict[str, Any]:
    """What the catalogue is asked to store: every field, an empty one cleared."""
    return {name: (values[name] if values[name].strip() else None) for name in orgs.FIELDS}


def _save(
    t: Translator,
    platform: Platform,
    principal: Principal,
    slug: str,
    values: dict[str, str],
    *,
    adding: bool,
) -> list[FieldError]:
    """Save through the one write path; its refusals as problems next to their fields."""
    data = _data(values)
    if adding:
        data = {k: v for k, v in data.items() if v is not None}
    try:
        save_organisation(platform, principal, slug, data, create=adding)
    except Conflict as exc:
        if adding and "already exists" in exc.message:
            return [_error(t, "slug", "slug_taken")]
        return [_error(t, "name_nl", "name_taken")]
    except InvalidRequest:  # the checks above let nothing through that the rules refuse
        return [_error(t, "name_nl", "invalid")]
    return []


def _list_page(
    request: Request,
    platform: Platform,
    principal: Principal,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return _page(
        request,
        "staff_organisations.html",
        principal,
        status_code=status_code,
        organisations=organisation_listing(platform, principal),
        field_errors=errors or [],
        values=values or {},
        added=request.query_params.get("added", "")[:80] if not errors else "",
    )


@router.get(LIST_PAGE)
def organisations_page(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    return _list_page(request, platform, principal)


@router.post(LIST_PAGE)
async def add_organisation(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    values = _posted(await _form(request))
    t = Translator(language_of(request))
    errors = check_form(t, values, adding=True) or await run_in_threadpool(
        lambda: _save(t, platform, principal, values["slug"], values, adding=True)
    )
    if not errors:
        return _redirect(f"{LIST_PAGE}?added={quote(values['slug'], safe='')}")
    kept = {k: v.replace("\x00", "") for k, v in values.items()}
    return await run_in_threadpool(
        lambda: _list_page(
            request, platform, principal, status_code=400, errors=errors, values=kept
        )
    )


def _edit_page(
    request: Request,
    platform: Platform,
    principal: Principal,
    slug: str,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    org = organisation_entry(platform, principal, slug)
    shown = values or {n: org.get(n) or "" for n in orgs.FIELDS}
    return _page(
        request,
        "staff_organisation.html",
        principal,
        status_code=status_code,
        organisation=org,
        field_errors=errors or [],
        values=shown,
        saved=request.query_params.get("saved") == "1" and not errors,
    )


@router.get(LIST_PAGE + "/{slug}")
def organisation_page(
    slug: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    return _edit_page(request, platform, principal, slug)


@router.post(LIST_PAGE + "/{slug}")
async def change_organisation(
    slug: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    values = _posted(await _form(request))
    await run_in_threadpool(organisation_entry, platform, principal, slug)  # 404 for an unknown one
    t = Translator(language_of(request))
    errors = check_form(t, values, adding=False) or await run_in_threadpool(
        lambda: _save(t, platform, principal, slug, values, adding=False)
    )
    if not errors:
        return _redirect(f"{LIST_PAGE}/{quote(slug, safe='')}?saved=1")
    kept = {k: v.replace("\x00", "") for k, v in values.items()}
    return await run_in_threadpool(
        lambda: _edit_page(
            request, platform, principal, slug, status_code=400, errors=errors, values=kept
        )
    )
