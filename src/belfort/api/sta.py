"""OGC SensorThings API v1.1 at ``/sta/v1.1/``: the subset ``frost-sta-client`` uses
(docs/sensorthings.md).

Every request signs in with HTTP Basic: an admin API key as the password (any user name)
may read and create everything; a device credential (user name = the Belfort sensor id)
may only add Observations to that sensor's Datastreams. An admin key also works as
``Authorization: Bearer``. The resource path (``Things(1)/Datastreams``) is parsed here;
the query options in ``belfort.streams.sta_query``; reading and writing in
``belfort.streams.sta_read`` and ``sta_write``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.caller import identify
from belfort.api.deps import base_url
from belfort.api.responses import JSONResponse
from belfort.errors import (
    Forbidden,
    PayloadTooLarge,
    SensorThingsInvalid,
    SensorThingsNotFound,
    Unauthorized,
)
from belfort.platform import Platform
from belfort.policy.keys import KEY_PREFIX, authenticate
from belfort.streams import sta_batch
from belfort.streams.sensors import Device, devices
from belfort.streams.sta_entities import KINDS, PREFIX, id_column, related
from belfort.streams.sta_query import Options, parse_options
from belfort.streams.sta_read import Reader
from belfort.streams.sta_write import Outcome, add_observation, create

router = APIRouter(tags=["sensorthings"], include_in_schema=False)
NO_STORE = {"Cache-Control": "private, no-store"}
_SEGMENT = re.compile(r"^([A-Za-z]+)(?:\((.*)\))?$")
CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete/create-entity",
]
# what a POST to ``Parent(id)/Navigation`` links the new entity to
POST_LINKS = {("Things", "Datastreams"): "thing", ("Things", "Locations"): "thing",
              ("Sensors", "Datastreams"): "sensor",
              ("ObservedProperties", "Datastreams"): "observed_property",
              ("Datastreams", "Observations"): "datastream"}


@dataclass(frozen=True)
class StaCaller:
    admin: bool
    device: Device | None = None


@dataclass(frozen=True)
class Resource:
    """A parsed resource path: ``plural`` (``ident``) or ``parent(id)/navigation``."""

    plural: str
    ident: int | None = None
    parent: tuple[str, int] | None = None
    navigation: str | None = None
    single: bool = False  # a navigation to one entity (``Datastreams(1)/Thing``)


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _caller(request: Request) -> StaCaller:
    platform = _platform(request)
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise Unauthorized("the HTTP Basic credentials cannot be read") from None
        user, sep, password = decoded.partition(":")
        if not sep or not password:
            raise Unauthorized("HTTP Basic needs a password: an admin API key or a device "
                               "credential")
        if password.startswith(KEY_PREFIX):
            principal = await run_in_threadpool(_principal, platform, password)
            if not principal.is_admin:
                raise Forbidden("only an admin API key may use the SensorThings API")
            return StaCaller(admin=True)
        device = await run_in_threadpool(
            devices(platform).authenticate, password, user or None, "sta")
        return StaCaller(admin=False, device=device)
    caller = await identify(request.scope, platform)
    if caller.refusal is not None:
        raise caller.refusal
    if caller.principal.is_admin:
        return StaCaller(admin=True)
    raise Unauthorized("the SensorThings API needs credentials: HTTP Basic with an admin API "
                       "key or a device credential as the password")


def _principal(platform: Platform, key: str) -> Any:
    with platform.db.session() as session:
        principal = authenticate(session, key)
    if principal is None:
        raise Unauthorized("invalid API key")
    return principal


def _ident(text: str | None, plural: str) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 0 < int(text) < 2**31:
        raise SensorThingsNotFound(f"no {plural}({text[:20]}): ids are whole numbers")
    return int(text)


def parse_path(path: str) -> Resource:
    segments = [s for s in path.split("/") if s]
    if not segments or len(segments) > 2:
        raise SensorThingsInvalid(f"cannot read the resource path {path[:100]!r}: use "
                                  "Kind, Kind(id) or Kind(id)/Navigation")
    match = _SEGMENT.match(segments[0])
    if match is None or match.group(1) not in KINDS:
        raise SensorThingsNotFound(f"no entity set {segments[0][:40]!r}; known: "
                                   f"{', '.join(KINDS)}")
    plural, ident = match.group(1), _ident(match.group(2), match.group(1))
    if len(segments) == 1:
        return Resource(plural, ident)
    if ident is None:
        raise SensorThingsInvalid(f"{plural} needs an id before /{segments[1][:40]}")
    navigation = KINDS[plural].navigation.get(segments[1])
    if navigation is None:
        raise SensorThingsNotFound(f"{plural} have no navigation property "
                                   f"{segments[1][:40]!r}; known: "
                                   f"{', '.join(KINDS[plural].navigation)}")
    target, collection = navigation
    return Resource(target, None, (plural, ident), segments[1], single=not collection)


def _options(request: Request, platform: Platform) -> tuple[Options, dict[str, str]]:
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if not name.startswith("$"):
            continue  # not a query option (e.g. a cache buster)
        if name in params:
            raise SensorThingsInvalid(f"{name[:30]} is given twice")
        params[name] = value
    return parse_options(params, max_top=platform.settings.sta_max_top), params


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


@router.get("/sta/v1.1", summary="SensorThings service root")
@router.get("/sta/v1.1/", summary="SensorThings service root")
async def service_root(request: Request) -> Response:
    await _caller(request)
    base = base_url(request) + PREFIX
    return _json({"serverSettings": {"conformance": CONFORMANCE},
                  "value": [{"name": plural, "url": f"{base}/{plural}"} for plural in KINDS]})


@router.get("/sta/v1.1/{resource:path}", summary="Read SensorThings entities")
async def read(request: Request, resource: str) -> Response:
    caller = await _caller(request)
    if not caller.admin:
        raise Forbidden("a device credential may only add Observations to its own Datastreams")
    platform = _platform(request)
    path = parse_path(resource)
    options, params = _options(request, platform)
    base = base_url(request)
    body = await run_in_threadpool(_read, platform, base, path, options, params,
                                   request.url.path)
    return _json(body)


def _read(platform: Platform, base: str, path: Resource, options: Options,
          params: dict[str, str], url_path: str) -> dict[str, Any]:
    with platform.db.session() as session:
        reader = Reader(platform, session, base)
        reader.check(path.plural, options)
        if path.ident is not None:
            return reader.one(path.plural, id_column(path.plural) == path.ident, options,
                              f"{path.plural}({path.ident})", path.ident)
        scope = []
        if path.parent is not None:
            parent_plural, parent_id = path.parent
            if not reader.exists(parent_plural, parent_id):
                raise SensorThingsNotFound(f"no {parent_plural}({parent_id})")
            assert path.navigation is not None
            _, where = related(parent_plural, parent_id, path.navigation)
            if parent_plural == "Observations":  # hot or compacted
                where = id_column("Datastreams") == reader.observation_datastream(parent_id)
            if path.single:
                return reader.one(path.plural, where, options,
                                  f"{path.navigation} of {parent_plural}({parent_id})")
            scope.append(where)
        page = reader.page(path.plural, scope, options)
    out: dict[str, Any] = {}
    if page.count is not None:
        out["@iot.count"] = page.count
    if page.more:
        top = platform.settings.sta_default_top if options.top is None else options.top
        following = {**params, "$top": str(top), "$skip": str(options.skip + top)}
        out["@iot.nextLink"] = f"{base}{url_path}?{urlencode(following)}"
    out["value"] = page.value
    return out


async def _body(request: Request, platform: Platform) -> Any:
    limit = platform.settings.sta_max_body_kb * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {platform.settings.sta_max_body_kb} KiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"the body is larger than {platform.settings.sta_max_body_kb} KiB")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise SensorThingsInvalid("the body is empty; send the entity as JSON")

    def refuse_constant(name: str) -> Any:
        raise SensorThingsInvalid(f"the body holds {name}, which is not JSON")

    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # no unpaired surrogates
        return body
    except UnicodeEncodeError:
        raise SensorThingsInvalid("the body holds an unpaired surrogate (\\ud800…)") from None
    except UnicodeDecodeError:
        raise SensorThingsInvalid("the body is not UTF-8") from None
    except RecursionError:
        raise SensorThingsInvalid("the body nests too deeply") from None
    except json.JSONDecodeError as exc:
        raise SensorThingsInvalid(f"the body is not JSON: {exc.msg} at line {exc.lineno}, "
                                  f"column {exc.colno}") from None


@router.post("/sta/v1.1/CreateObservations", summary="Create many SensorThings Observations")
async def create_observations(request: Request) -> Response:
    caller = await _caller(request)
    platform = _platform(request)
    body = await _body(request, platform)
    links = await run_in_threadpool(sta_batch.create_observations, platform, body,
                                    caller.device, base_url(request))
    return _json(links, 201)


@router.post("/sta/v1.1/{resource:path}", summary="Create SensorThings entities")
async def post(request: Request, resource: str) -> Response:
    caller = await _caller(request)
    platform = _platform(request)
    path = parse_path(resource)
    if path.ident is not None or path.single:
        raise SensorThingsInvalid("POST to a collection: Kind or Kind(id)/Navigation")
    if path.plural != "Observations" and not caller.admin:
        raise Forbidden("a device credential may only add Observations to its own Datastreams")
    link_key = None
    if path.parent is not None:
        link_key = POST_LINKS.get((path.parent[0], path.navigation or ""))
        if link_key is None:
            raise SensorThingsInvalid(f"cannot create {path.plural} under {path.parent[0]}")
    body = await _body(request, platform)
    outcome = await run_in_threadpool(_create, platform, path, body, link_key, caller.device)
    base = base_url(request)
    self_link = f"{base}{PREFIX}/{outcome.plural}({outcome.id})"
    rendered = await run_in_threadpool(_render_one, platform, base, outcome)
    if outcome.credentials:
        rendered["belfort:credentials"] = outcome.credentials
    return _json(rendered, 201, {"Location": self_link})


def _create(platform: Platform, path: Resource, body: Any, link_key: str | None,
            device: Device | None) -> Outcome:
    parent_id = path.parent[1] if path.parent is not None else None
    if path.parent is not None:
        with platform.db.session() as session:
            if not Reader(platform, session, "").exists(*path.parent):
                raise SensorThingsNotFound(f"no {path.parent[0]}({path.parent[1]})")
    if path.plural == "Observations":
        return add_observation(platform, body, parent_id, device)
    link = {link_key: parent_id} if link_key is not None and parent_id is not None else {}
    return create(platform, path.plural, body, link)


def _render_one(platform: Platform, base: str, outcome: Outcome) -> dict[str, Any]:
    with platform.db.session() as session:
        return Reader(platform, session, base).one(
            outcome.plural, id_column(outcome.plural) == outcome.id, Options(),
            f"{outcome.plural}({outcome.id})")

