"""The staff page "Drukte-alarmen": active and recent crowding alerts with their explanation
and advice, acknowledged with one button; the rules per zone (added, removed) and the advice
per zone and level. The same functions as the API (``belfort.twin.alerts``), the same audit
entries; every form carries the staff pages' CSRF token; a refused form comes back with the
reason and status 400."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.errors import InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import language_of
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect, _require_staff
from belfort.streams.model import now_us
from belfort.twin.alerts import rules, store
from belfort.twin.zones import list_zones

router = APIRouter(include_in_schema=False)

PAGE = "/staff/alerts"
KEPT = 20_000  # longer than any field allows: too long is refused, never cut


def _listing(platform: Platform, lang: str) -> dict[str, Any]:
    with platform.db.session() as session:
        alerts = []
        for alert in store.list_alerts(session, "recent", 100):
            found = store.alert_dict(alert)
            explanation = found["explanation"] or {}
            advice = found["advice"] or {}
            found["text"] = explanation.get(lang) or explanation.get("nl") or ""
            found["advice_text"] = advice.get(lang) or advice.get("nl") or ""
            alerts.append(found)
        zones = [(z.id, z.name) for z in list_zones(session)]
        kept = [rules.rule_dict(r) for r in rules.list_rules(session)]
        advice = {z: rules.advice_of(session, z) for z, _ in zones}
    return {"alerts": alerts, "zones": zones, "rules": kept, "advice": advice,
            "kinds": rules.KINDS, "levels": rules.LEVELS}


def _show(request: Request, platform: Platform, principal: Principal, *,
          status_code: int = 200, refused: str | None = None,
          values: dict[str, str] | None = None) -> Response:
    listing = _listing(platform, language_of(request))
    return _page(request, "staff_alerts.html", principal, status_code=status_code,
                 refused=refused, values=values or {}, **listing)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:KEPT] if isinstance(value, str) else ""


def _number(text: str, name: str) -> float | int | None:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidRequest(f"{name!r} must be a number") from None
    return int(value) if value.is_integer() and name in ("min_minutes",
                                                          "horizon_hours") else value


def rule_body(values: dict[str, str]) -> dict[str, Any]:
    """The API's body from the form's fields (empty optional fields left out)."""
    body: dict[str, Any] = {"zone": values["zone"], "kind": values["kind"],
                            "level": values["level"]}
    for name in ("threshold", "clear_below", "min_minutes", "horizon_hours"):
        number = _number(values[name], name)
        if number is not None:
            body[name] = number
    if values["webhook_url"].strip():
        body["webhook_url"] = values["webhook_url"].strip()
    emails = [e.strip() for e in values["emails"].split(",") if e.strip()]
    if emails:
        body["emails"] = emails
    return body


RULE_FIELDS = ("zone", "kind", "level", "threshold", "clear_below", "min_minutes",
               "horizon_hours", "webhook_url", "emails")


@router.get(PAGE)
def alerts_page(request: Request, platform: Platform = Depends(get_platform),
                principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    return _show(request, platform, principal)


async def _refused(request: Request, platform: Platform, principal: Principal,
                   exc: InvalidRequest | NotFound, values: dict[str, str]) -> Response:
    kept = {k: v.replace("\x00", "") for k, v in values.items()}
    return await run_in_threadpool(lambda: _show(request, platform, principal, status_code=400,
                                                 refused=exc.message, values=kept))


@router.post(PAGE + "/rules")
async def add_rule(request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    values = {name: _text(form, name) for name in RULE_FIELDS}

    def save() -> None:
        spec = rules.spec_from_mapping(rule_body(values), platform.settings)
        with platform.db.session() as session:
            rules.add_rule(session, spec, principal.actor)

    try:
        await run_in_threadpool(save)
    except (InvalidRequest, NotFound) as exc:
        return await _refused(request, platform, principal, exc, values)
    return _redirect(PAGE)


@router.post(PAGE + "/rules/{rule_id}/remove")
async def remove_rule(rule_id: int, request: Request, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    await _form(request)

    def remove() -> None:
        with platform.db.session() as session:
            rules.remove_rule(session, rule_id, principal.actor)

    await run_in_threadpool(remove)
    return _redirect(PAGE)


@router.post(PAGE + "/advice")
async def set_advice(request: Request, platform: Platform = Depends(get_platform),
                     principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    form = await _form(request)
    values = {name: _text(form, name) for name in ("advice_zone", "advice_level", "nl", "en")}
    body = {"nl": values["nl"]} | ({"en": values["en"]} if values["en"].strip() else {})

    def save() -> None:
        with platform.db.session() as session:
            rules.set_advice(session, values["advice_zone"], values["advice_level"], body,
                             principal.actor)

    try:
        await run_in_threadpool(save)
    except (InvalidRequest, NotFound) as exc:
        return await _refused(request, platform, principal, exc, values)
    return _redirect(PAGE)


@router.post(PAGE + "/{alert_id}/acknowledge")
async def acknowledge(alert_id: int, request: Request, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(portal_principal)) -> Response:
    _require_staff(principal)
    await _form(request)

    def ack() -> None:
        with platform.db.session() as session:
            store.acknowledge(session, alert_id, principal.actor, now_us())

    await run_in_threadpool(ack)
    return _redirect(PAGE)
