"""Crowding alerts over HTTP ([crowding alerts](../../../docs/twin-alerts.md)).

Rules and advice are defined by an admin; alerts are listed to signed-in callers and
acknowledged by operators (signed-in with the write or admin role); an admin may evaluate
the rules now. Every change is recorded in the audit trail.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.errors import Forbidden, Unauthorized
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal, Role
from belfort.policy.server_secret import server_secret
from belfort.streams.model import now_us
from belfort.twin.alerts import rules, store
from belfort.twin.alerts.evaluate import Report, evaluate
from belfort.twin.zones import get_zone

router = APIRouter(prefix="/api/belfort/v1", tags=["crowding alerts"],
                   default_response_class=JSONResponse)
BODY_LIMIT = 16_000
RULE = Path(ge=1, le=2**62, description="An alert rule's id.")
ALERT = Path(ge=1, le=2**62, description="An alert's id.")
ZONE = Path(max_length=100, description="A zone's id, a slug such as `korenmarkt`.")
LEVEL = Path(max_length=20, description="`attention`, `warning` or `critical`.")


def webhook_secret(platform: Platform) -> bytes:
    """The key of webhook signatures: ``BELFORT_ALERTS_WEBHOOK_SECRET``, else the server's."""
    settings = platform.settings
    if settings.alerts_webhook_secret:
        return settings.alerts_webhook_secret.encode("utf-8")
    return server_secret(settings.secret_key, settings.data_dir)


def require_signed_in(principal: Principal, action: str) -> None:
    if not principal.is_signed_in:
        raise Unauthorized(f"{action} needs an API key or a staff sign-in")


def require_operator(principal: Principal, action: str) -> None:
    """Operators: signed in with the write or admin role."""
    require_signed_in(principal, action)
    if principal.role not in (Role.WRITE, Role.ADMIN):
        raise Forbidden(f"{action} needs the write or admin role")


def _add_rule(platform: Platform, body: dict[str, Any], actor: str) -> dict[str, Any]:
    spec = rules.spec_from_mapping(body, platform.settings)
    with platform.db.session() as session:
        return rules.rule_dict(rules.add_rule(session, spec, actor))


def _list_rules(platform: Platform, zone: str | None) -> list[dict[str, Any]]:
    with platform.db.session() as session:  # an unknown zone has no rules: an empty list
        return [rules.rule_dict(r) for r in rules.list_rules(session, zone)]


def _remove_rule(platform: Platform, rule_id: int, actor: str) -> None:
    with platform.db.session() as session:
        rules.remove_rule(session, rule_id, actor)


def _set_advice(platform: Platform, zone: str, level: str, body: dict[str, Any],
                actor: str) -> dict[str, Any]:
    with platform.db.session() as session:
        rules.set_advice(session, zone, level, body, actor)
        return {"zone": zone, "advice": rules.advice_of(session, zone)}


def _advice(platform: Platform, zone: str) -> dict[str, Any]:
    with platform.db.session() as session:
        get_zone(session, zone)
        return {"zone": zone, "advice": rules.advice_of(session, zone)}


def _alerts(platform: Platform, state: str, limit: int, zone: str | None) -> dict[str, Any]:
    with platform.db.session() as session:
        found = store.list_alerts(session, state, limit, zone)
        return {"alerts": [store.alert_dict(a) for a in found]}


def _alert(platform: Platform, alert_id: int) -> dict[str, Any]:
    with platform.db.session() as session:
        return store.alert_dict(store.get_alert(session, alert_id))


def _acknowledge(platform: Platform, alert_id: int, actor: str) -> dict[str, Any]:
    with platform.db.session() as session:
        return store.alert_dict(store.acknowledge(session, alert_id, actor, now_us()))


@router.get("/alert-rules", summary="The crowding alert rules (signed in)")
async def alert_rules(
    zone: str | None = Query(None, max_length=100, description="Only this zone's rules."),
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_signed_in(principal, "reading alert rules")
    return JSONResponse({"rules": await run_in_threadpool(_list_rules, platform, zone)})


@router.post("/alert-rules", summary="Add a crowding alert rule (admin)", status_code=201)
async def create_alert_rule(
    request: Request, platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"zone", "kind": score_above|forecast_above|deviation, "level":
    attention|warning|critical, "threshold", "clear_below", "min_minutes", "horizon_hours",
    "webhook_url", "emails", "enabled"}``."""
    gate.require_admin(principal, "defining alert rules")
    body = await _json_object(request, limit=BODY_LIMIT)
    found = await run_in_threadpool(_add_rule, platform, body, principal.actor)
    return JSONResponse(found, status_code=201)


@router.delete("/alert-rules/{rule_id}", summary="Remove a crowding alert rule (admin)",
               status_code=204)
async def delete_alert_rule(
    rule_id: int = RULE, platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    gate.require_admin(principal, "removing alert rules")
    await run_in_threadpool(_remove_rule, platform, rule_id, principal.actor)
    return Response(status_code=204)


@router.get("/zones/{zone_id}/advice", summary="A zone's advice texts per alert level")
async def zone_advice(
    zone_id: str = ZONE, platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_signed_in(principal, "reading advice")
    return JSONResponse(await run_in_threadpool(_advice, platform, zone_id))


@router.put("/zones/{zone_id}/advice/{level}", summary="Write a zone's advice (admin)")
async def put_zone_advice(
    request: Request, zone_id: str = ZONE, level: str = LEVEL,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"nl": "…", "en": "…"}`` (plain text, at most 2000 characters each)."""
    gate.require_admin(principal, "writing advice")
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(_set_advice, platform, zone_id, level, body,
                                                principal.actor))


@router.get("/alerts", summary="Active or recent crowding alerts (signed in)")
async def alerts(
    state: str = Query("active", max_length=10, description="`active`, `recent` or `all`."),
    limit: int = Query(100, ge=1, le=store.MAX_LIMIT, description="Most alerts answered."),
    zone: str | None = Query(None, max_length=100, description="Only this zone's alerts."),
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_signed_in(principal, "reading alerts")
    return JSONResponse(await run_in_threadpool(_alerts, platform, state, limit, zone))


@router.get("/alerts/{alert_id}", summary="One crowding alert (signed in)")
async def alert(
    alert_id: int = ALERT, platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_signed_in(principal, "reading alerts")
    return JSONResponse(await run_in_threadpool(_alert, platform, alert_id))


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge a crowding alert (operator)")
async def acknowledge_alert(
    alert_id: int = ALERT, platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_operator(principal, "acknowledging alerts")
    return JSONResponse(await run_in_threadpool(_acknowledge, platform, alert_id,
                                                principal.actor))


@router.post("/alerts/evaluate", summary="Evaluate the alert rules now (admin)")
async def evaluate_now(
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_admin(principal, "evaluating alert rules")
    report = await run_in_threadpool(_evaluate_now, platform)
    return JSONResponse(report.to_dict())


def _evaluate_now(platform: Platform) -> Report:
    return evaluate(platform, webhook_secret(platform))  # the secret may be read from disk
