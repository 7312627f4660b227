"""Data quality in the native API: ``GET /api/belfort/v1/datasets/{id}/quality`` (the latest
report), ``…/quality/history`` (the time series) and ``GET/PUT …/quality/rules`` (anyone who
sees the dataset reads them; staff replace them).

Reading asks the gate like every other read of a dataset: one the caller may not see is 404.
Fields held back from the caller are left out of the report (their completeness, the rules that
read them, their values in examples), and a caller who reads the dataset only through a policy
gets the counts without example values (``belfort.quality.report``). The public sees reports of
published versions only. Rules are replaced whole by an admin key and checked when saved: a rule
that does not parse, names an unknown field or passes a limit is 422 naming the rule.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.catalog.models import Dataset
from belfort.errors import BelfortError, InvalidRequest, PayloadTooLarge
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.quality import references, store
from belfort.quality.report import history_entry, not_measured, report_to_dict, rules_to_dict
from belfort.quality.rules import referenced_datasets

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)

MAX_BODY = 4_000_000


def _seen(principal: Principal, dataset: Dataset) -> tuple[frozenset[str], bool, int | None]:
    """(fields held back, whether examples may be shown, the newest version whose report the
    principal may read: None = any)."""
    hidden = gate.held_back_fields(principal, dataset)
    examples = principal.is_admin or dataset.classification in gate.readable_levels(principal)
    return hidden, examples, None if principal.is_admin else (dataset.published_version or 0)


def latest(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        return latest_of(session, principal, gate.get_dataset(session, principal, dataset_id))


def latest_of(session: Session, principal: Principal, dataset: Dataset) -> dict[str, Any]:
    """The latest report of a dataset the gate has already let ``principal`` see, as it may
    see it (for a page that looked the dataset up itself)."""
    hidden, examples, max_version = _seen(principal, dataset)
    report = store.latest_report(session, dataset.id, max_version)
    if report is None:  # measured in the background after publication: not yet
        return not_measured(dataset.id)
    return report_to_dict(report, hidden=hidden, examples=examples)


def series(platform: Platform, principal: Principal, dataset_id: str, limit: int) -> dict[str, Any]:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        hidden, _, max_version = _seen(principal, dataset)
        reports = store.history(session, dataset.id, limit, max_version)
        return {
            "dataset": dataset.id,
            "reports": [history_entry(r, hidden=hidden) for r in reports],
        }


def rules_of(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    """The rules as the caller may see them: rules reading a field held back from it are left
    out, and who changed them last is for staff."""
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        hidden, _, _ = _seen(principal, dataset)
        body = rules_to_dict(dataset.id, store.rule_set(session, dataset.id), hidden=hidden)
    if not principal.is_admin:
        body.pop("updated_by")
    return body


def _readable(session: Session, principal: Principal, dataset_id: str) -> bool:
    try:
        gate.get_dataset(session, principal, dataset_id)
    except BelfortError:
        return False
    return True


def replace(platform: Platform, principal: Principal, dataset_id: str, raw: Any) -> dict[str, Any]:
    gate.require_write(principal)
    settings = platform.settings
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        store.replace_rules(
            session,
            dataset,
            raw,
            principal.actor,
            max_rules=settings.quality_max_rules,
            max_chars=settings.quality_max_rule_chars,
            references=references.lookup(session, platform, [  # only what the author may read
                other for other in referenced_datasets(raw) if _readable(session, principal, other)
            ]),
        )
        session.flush()
        answer = rules_to_dict(dataset.id, store.rule_set(session, dataset.id))
    platform.generation.bump()
    return answer


@router.get("/datasets/{dataset_id}/quality", summary="The latest data-quality report of a dataset")
def get_quality(
    dataset_id: str,
    history: bool = Query(False, description="Also the time series of the dimensions' scores."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    body = latest(platform, principal, dataset_id)
    if history:
        body["history"] = series(platform, principal, dataset_id, 100)["reports"]
    return JSONResponse(body)


@router.get("/datasets/{dataset_id}/quality/history", summary="Data-quality scores over time")
def get_quality_history(
    dataset_id: str,
    limit: int = Query(
        100, ge=1, le=store.MAX_HISTORY, description="How many reports, newest last."
    ),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(series(platform, principal, dataset_id, limit))


@router.get("/datasets/{dataset_id}/quality/rules", summary="A dataset's data-quality rules")
def get_quality_rules(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(rules_of(platform, principal, dataset_id))


@router.put(
    "/datasets/{dataset_id}/quality/rules", summary="Replace a dataset's data-quality rules (admin)"
)
async def put_quality_rules(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"rules": [{"type": "required", "field": "naam"}, {"type": "check", "where":
    "bezetting <= capaciteit"}, …]}`` (see docs/quality.md); the whole set is replaced."""
    gate.require_write(principal)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY:,} bytes")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(body, dict) or set(body) != {"rules"}:
        raise InvalidRequest('send {"rules": [{"type": "required", "field": …}, …]}')
    return JSONResponse(
        await run_in_threadpool(replace, platform, principal, dataset_id, body["rules"])
    )
