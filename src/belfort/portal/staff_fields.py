"""The staff page "Velden": a steward describes every field of a dataset in one form — a
title, description and unit in Dutch and English per field.

The form is checked by the data dictionary's own rules (``belfort.catalog.field_dictionary``)
and saved through ``belfort.publishing.describe_fields``, as the CLI and the API are. It
carries the staff pages' CSRF token (``belfort.portal.staff``); a refused form comes back with
what the steward typed and every problem named, in the page's language.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog import field_dictionary as fd
from belfort.errors import Forbidden, InvalidRequest, UnknownField
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.pages import portal_principal
from belfort.portal.staff import CSRF_COOKIE, TOKEN, _page, _redirect, _require_staff, csrf_token
from belfort.publishing import describe_fields

router = APIRouter(include_in_schema=False)

MAX_FORM_FIELDS = 5 * 2_000 + 10  # five texts for each of up to 2,000 fields, and the token


def _dictionary(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        number, fields = fd.newest_version(session, dataset)
        entries = fd.entries(fields, fd.descriptions(dataset))
        return {
            "id": dataset.id,
            "title_nl": dataset.title_nl,
            "title_en": dataset.title_en,
            "version": number,
            "entries": entries,
        }


@router.get("/staff/datasets/{dataset_id}/fields")
def fields_page(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    info = _dictionary(platform, principal, dataset_id)
    values = {e.name: e.texts.to_dict() for e in info["entries"]}
    return _page(
        request,
        "staff_fields.html",
        principal,
        dataset=info,
        values=values,
        problems=[],
        saved=request.query_params.get("saved") == "1",
    )


async def _fields_form(request: Request) -> FormData:
    """The posted form (many fields: five texts each), refused unless its CSRF token is the
    one made for this browser — the check of the other staff forms."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    sent, nonce = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
    if not TOKEN.match(nonce) or not hmac.compare_digest(sent, csrf_token(request, nonce)):
        raise Forbidden("this form has expired; reload the page and try again")
    return form


def _posted(form: FormData) -> dict[str, dict[str, str]]:
    """field → key → text, from inputs named ``key:field``."""
    posted: dict[str, dict[str, str]] = {}
    for name, value in form.multi_items():
        key, sep, field = name.partition(":")
        if sep and key in fd.TEXT_KEYS and field and isinstance(value, str):
            posted.setdefault(field[: fd.MAX_FIELD_NAME], {})[key] = value
    return posted


def _messages(
    t: Translator,
    problems: list[dict[str, Any]],
    posted: dict[str, dict[str, str]],
    entries: list[fd.FieldEntry],
) -> list[dict[str, str]]:
    """Each problem in the page's language, with the input it is about."""
    index = {e.name: i for i, e in enumerate(entries, start=1)}
    out = []
    for p in problems:
        field, key = p["field"], p["key"]
        entry = next((e for e in entries if e.name == field), None)
        label = (
            f"{entry.label(t.lang) if entry else field} — {t('fields_short_' + key)}"
            if key in fd.TEXT_KEYS
            else field
        )
        text = t(
            "fields_problem_" + p["code"],
            label=label,
            limit=t.number(p.get("limit") or 0),
            length=t.number(len(posted.get(field, {}).get(key, "").strip())),
        )
        anchor = f"f-{index[field]}-{key}" if field in index and key in fd.TEXT_KEYS else ""
        out.append({"field": field, "key": key, "text": text, "anchor": anchor})
    return out


@router.post("/staff/datasets/{dataset_id}/fields")
async def save_fields(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    form = await _fields_form(request)
    posted = _posted(form)
    t = Translator(language_of(request))
    problems: list[dict[str, Any]] = []
    try:
        texts = fd.check_entries({f: {k: v for k, v in d.items()} for f, d in posted.items()})
        await run_in_threadpool(describe_fields, platform, principal, dataset_id, texts)
    except UnknownField as exc:
        unknown = exc.details.get("fields") or [""]
        problems = [{"field": f, "key": "", "code": "unknown_field"} for f in unknown]
    except InvalidRequest as exc:
        problems = list(exc.details.get("problems", [])) or [
            {"field": "", "key": "", "code": "not_text"}
        ]
    if not problems:
        return _redirect(f"/staff/datasets/{quote(dataset_id, safe='')}/fields?saved=1")
    info = await run_in_threadpool(_dictionary, platform, principal, dataset_id)
    values = {
        e.name: {k: posted.get(e.name, {}).get(k, "") for k in fd.TEXT_KEYS}
        for e in info["entries"]
    }
    return _page(
        request,
        "staff_fields.html",
        principal,
        status_code=400,
        dataset=info,
        values=values,
        problems=_messages(t, problems, posted, info["entries"]),
        saved=False,
    )
