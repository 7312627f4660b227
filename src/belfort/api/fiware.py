"""``POST /iot/json``: the FIWARE IoT Agent JSON measures over HTTP.

A device set up for a FIWARE IoT Agent posts its measures — a flat JSON object of attribute →
value, as on the MQTT topic ``/json/<apikey>/<device_id>/attrs`` — to
``/iot/json?k=<apikey>&i=<device_id>[&t=<timestamp>]``. Pointed at Belfort it works
unchanged: the apikey is the device's own credential, the device id its sensor id
(``belfort.streams.fiware``). The answer comes once what was stored is durable.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform
from belfort.api.responses import JSONResponse
from belfort.errors import BatchTooLarge, MeasuresInvalid, MeasuresMediaType
from belfort.platform import Platform
from belfort.streams.fiware import TIME_ATTRIBUTE, PayloadInvalid, attrs_items, decode_json
from belfort.streams.model import ItemInvalid, now_us, parse_time
from belfort.streams.sensors import devices
from belfort.streams.write import write_observations

router = APIRouter(tags=["live streams"])

BODY = {
    "required": True,
    "description": "The measures: a flat JSON object of attribute → number; `TimeInstant`, "
                   "when present, is the phenomenon time of the others.",
    "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": {"type": ["number", "string"]},
        "example": {"count": 17, "temperature": 21.5, "TimeInstant": "2026-04-01T12:00:00Z"},
    }}},
}


def _json_media_type(request: Request) -> None:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise MeasuresMediaType(f"send the measures as application/json, not {media[:60]!r}")


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BatchTooLarge(f"the measures are larger than the {limit} byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BatchTooLarge(f"the measures are larger than the {limit} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/iot/json", summary="Measures in the FIWARE IoT Agent JSON form",
             openapi_extra={"requestBody": BODY})
async def measures(
    request: Request,
    k: str = Query(..., max_length=200, description="The apikey: the device's credential."),
    i: str = Query(..., max_length=100, description="The device id: its sensor id."),
    t: str | None = Query(None, max_length=64, description="Phenomenon time of the measures "
                          "(ISO 8601) when the body has no `TimeInstant`; default: now."),
    platform: Platform = Depends(get_platform),
) -> JSONResponse:
    received = now_us()
    device = await run_in_threadpool(devices(platform).authenticate, k, i, "fiware-http")
    _json_media_type(request)
    settings = platform.settings
    payload = await _body(request, int(settings.stream_max_body_mb * 1024 * 1024))
    try:
        when = None if t is None else parse_time(t, "t")
        body = decode_json(payload, max_bytes=len(payload))
        items = attrs_items(device.id, body, received, time_us=when,
                            max_items=settings.stream_max_batch)
    except ItemInvalid as exc:
        raise MeasuresInvalid(exc.message, details={"reason": exc.code}) from None
    except PayloadInvalid as exc:
        if exc.reason == "too_many_items":
            raise BatchTooLarge(exc.message) from None
        raise MeasuresInvalid(exc.message, details={"reason": exc.reason}) from None
    result = await run_in_threadpool(write_observations, platform, device, items)
    answer: dict[str, Any] = result.to_dict()
    names = [name for name in body if name != TIME_ATTRIBUTE]
    for error in answer["errors"]:
        error["attribute"] = names[error["index"]]
    return JSONResponse(answer)
