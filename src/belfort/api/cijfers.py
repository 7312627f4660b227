"""Gent in Cijfers over HTTP: the Swing-compatible API (``/jiveservices/odata/``,
``/viewerservices/odata/``, ``/jive/selectiontableasjson.ashx``; read by anyone, CORS as
Swing's) and the native indicator routes (reading for anyone, defining and importing for
an admin key)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.cijfers import swing
from belfort.cijfers.geography import Geography, geography_of
from belfort.cijfers.store import (
    get_indicator,
    import_table,
    indicator_dict,
    list_indicators,
    save_indicator,
)
from belfort.errors import InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal

router = APIRouter(tags=["gent-in-cijfers"], default_response_class=JSONResponse)
native = APIRouter(
    prefix="/api/belfort/v1", tags=["gent-in-cijfers"], default_response_class=JSONResponse
)
BODY_LIMIT = 20_000_000
MAX_PATH = 400
_Q = r"\('([^'/]{1,60})'\)"
_ODATA: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Variables$"), "variables"),
    (re.compile(r"^GeoLevels$"), "geolevels"),
    (re.compile(rf"^Variables{_Q}/GeoLevels$"), "var_geolevels"),
    (re.compile(rf"^GeoLevels{_Q}/GeoItems$"), "geoitems"),
    (re.compile(rf"^Variables{_Q}/GeoLevels{_Q}/GeoItems$"), "var_geoitems"),
    (re.compile(r"^PeriodLevels$"), "periodlevels"),
    (re.compile(rf"^Variables{_Q}/GeoLevels{_Q}/PeriodLevels$"), "var_periodlevels"),
    (re.compile(rf"^PeriodLevels{_Q}/Periods$"), "periods"),
    (re.compile(rf"^Variables{_Q}/GeoLevels{_Q}/PeriodLevels{_Q}/Periods$"), "var_periods"),
    (re.compile(rf"^CubeVariables{_Q}/Dimensions$"), "dimensions"),
    (re.compile(rf"^CubeVariables{_Q}/DimLevels{_Q}/DimMembers$"), "dimmembers"),
    (re.compile(rf"^Dimensions{_Q}/DimLevels$"), "dimlevels"),
]
ODATA_PATH = Path(
    description="An OData resource as Swing names it: `Variables`, `GeoLevels`, "
    "`Variables('{var}')/GeoLevels('{level}')/GeoItems`, … (see docs/gent-in-cijfers.md)."
)


def _skip(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit() or len(value) > 8:
        raise InvalidRequest("$skip: a whole number of 0 or more")
    return int(value)


def _resource(
    name: str, a: tuple[str, ...], session: Session, geography: Geography, skip: str | None
) -> list[dict[str, str]]:
    if name == "variables":
        return swing.variables(session, _skip(skip))
    if name in ("geolevels", "var_geolevels"):
        return swing.geolevels(geography, session, a[0] if a else None)
    if name == "geoitems":
        return swing.geoitems(geography, session, a[0], None)
    if name == "var_geoitems":
        return swing.geoitems(geography, session, a[1], a[0])
    if name == "periodlevels":
        return swing.periodlevels(geography, session, None, None)
    if name == "var_periodlevels":
        return swing.periodlevels(geography, session, a[0], a[1])
    if name == "periods":
        return swing.periods(geography, session, a[0], None, None)
    if name == "var_periods":
        return swing.periods(geography, session, a[2], a[0], a[1])
    if name == "dimensions":
        return swing.dimensions(session, a[0])
    if name == "dimmembers":
        return swing.dim_members(session, a[0], a[1])
    return swing.dim_levels(session, a[0])


def _odata(platform: Platform, resource: str, skip: str | None) -> list[dict[str, str]]:
    if len(resource) > MAX_PATH:
        raise NotFound("no such OData resource")
    for pattern, name in _ODATA:
        found = pattern.match(resource)
        if found is not None:
            with platform.db.session() as session:
                return _resource(name, found.groups(), session, geography_of(platform), skip)
    raise NotFound("no such OData resource")


async def _odata_answer(request: Request, resource: str, platform: Platform) -> JSONResponse:
    skip = request.query_params.get("$skip")
    value = await run_in_threadpool(_odata, platform, resource, skip)
    return JSONResponse({"value": value})


@router.get("/jiveservices/odata/{resource:path}", summary="Swing OData (jiveservices)")
async def jive_odata(
    request: Request, resource: str = ODATA_PATH, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    return await _odata_answer(request, resource, platform)


@router.get("/viewerservices/odata/{resource:path}", summary="Swing OData (viewerservices)")
async def viewer_odata(
    request: Request, resource: str = ODATA_PATH, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    return await _odata_answer(request, resource, platform)


def _table(platform: Platform, params: dict[str, str | None]) -> dict[str, Any]:
    with platform.db.session() as session:
        return swing.selection_table(geography_of(platform), session, params)


@router.get("/jive/selectiontableasjson.ashx", summary="Swing selection table as JSON")
async def selection_table(
    var: str = Query(max_length=60, description="The variable (indicator code)."),
    geolevel: str | None = Query(
        None, max_length=60, description="`gemeente`, `wijk` or `sector`."
    ),
    geoitem: str | None = Query(None, max_length=4000, description="Area codes, comma-separated."),
    geoitem_codes: str | None = Query(
        None, max_length=10, description="`true`: area codes, not names."
    ),
    geocompare: str | None = Query(
        None, max_length=60, description="Another level to add (e.g. `gemeente`)."
    ),
    geocompare_item: str | None = Query(
        None, max_length=400, description="Ignored (Swing's compare item)."
    ),
    geosplit: str | None = Query(None, max_length=60, description="Ignored."),
    periodlevel: str | None = Query(
        None, max_length=20, description="`year`, `halfyear`, `quarter`, `month`."
    ),
    period: str | None = Query(
        None, max_length=4000, description="Period codes, `mrp` (most recent) or `all`."
    ),
    dimlevel: str | None = Query(
        None,
        max_length=400,
        description="Members of the variable's dimension, comma-separated (or the dimension's "
        "code, or `all`): a row per area, period and member.",
    ),
    platform: Platform = Depends(get_platform),
) -> JSONResponse:
    params = {
        "var": var,
        "geolevel": geolevel,
        "geoitem": geoitem,
        "geoitem_codes": geoitem_codes,
        "geocompare": geocompare,
        "periodlevel": periodlevel,
        "period": period,
        "dimlevel": dimlevel,
    }
    return JSONResponse(await run_in_threadpool(_table, platform, params))


# --- native routes ---

CODE = Path(max_length=60, description="An indicator's code, e.g. `bev_totaal`.")


def _list(platform: Platform) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        return [indicator_dict(r) for r in list_indicators(session)]


def _one(platform: Platform, code: str) -> dict[str, Any]:
    with platform.db.session() as session:
        return indicator_dict(get_indicator(session, code))


@native.get("/indicators", summary="Gent in Cijfers: the indicators")
async def indicators(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse({"indicators": await run_in_threadpool(_list, platform)})


@native.get("/indicators/{code}", summary="Gent in Cijfers: one indicator")
async def one_indicator(
    code: str = CODE, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_one, platform, code))


@native.post("/indicators", summary="Define an indicator (admin)", status_code=201)
async def define_indicator(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: an indicator spec (docs/gent-in-cijfers.md); refused with 422 and every problem."""
    gate.require_admin(principal, "defining indicators")
    body = await _json_object(request, limit=1_000_000)
    return JSONResponse(
        await run_in_threadpool(save_indicator, platform, principal, body), status_code=201
    )


def _import(
    platform: Platform, principal: Principal, code: str, body: dict[str, Any]
) -> dict[str, Any]:
    rows = body.get("rows")
    if not isinstance(rows, list):
        raise InvalidRequest("rows: a list of {geolevel, geoitem, period, value}")
    return {"imported": import_table(platform, principal, code, rows, geography_of(platform))}


@native.post("/indicators/{code}/values", summary="Import an indicator's table (admin)")
async def import_values(
    request: Request,
    code: str = CODE,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"rows": [{"geolevel", "geoitem", "period", "value", "contributors"}]}``; unknown
    area codes and bad periods are reported per row (422) and nothing is imported then."""
    gate.require_admin(principal, "importing indicator values")
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(_import, platform, principal, code, body))
