"""Authenticated writes over HTTP: upload a file as a new version, edit metadata, move state.

Upload the raw file as the request body (``curl --data-binary @file.csv``); metadata
travels as query parameters with the same names as ``belfort ingest`` options.
The body streams to the data directory's staging area, never into memory, and is
refused with 413 as soon as it passes ``BELFORT_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.params import Param, ParamSpec, VersionNumber
from belfort.api.responses import JSONResponse
from belfort.catalog.metadata import check_slug
from belfort.catalog.options import METADATA_OPTIONS, metadata_from_options
from belfort.errors import InvalidRequest, PayloadTooLarge, UnsupportedFormat
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.publishing import (
    change_dataset_state,
    ingest_file,
    publish_dataset_version,
    update_dataset_metadata,
)

router = APIRouter(prefix="/api/belfort/v1", tags=["write"], default_response_class=JSONResponse)

MEDIA_TYPES: dict[str, str | None] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "csv",
    "text/plain": "csv",
    "application/json": "json",
    "application/x-ndjson": "json",
    "application/geo+json": "geojson",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/octet-stream": None,  # detected from the file name and content
}
FORMATS = {"csv", "json", "geojson", "xlsx", "parquet"}
UPLOAD = ParamSpec(
    Param("format", "The file's format when the Content-Type does not say: csv, json, geojson, xlsx or "
          "parquet.", {"type": "string", "enum": ["csv", "json", "geojson", "xlsx", "parquet"]}),
    Param("filename", "The file's original name (kept as the version's source name).",
          {"type": "string", "default": "upload"}),
    Param("types", "Type overrides, `field:type,field:type` (as `belfort ingest --type field=type`)."),
    Param("sheet", "XLSX: the sheet to read (default: the first)."),
    Param("draft", "true: add the version without publishing it.", {"type": "boolean", "default": False}),
    Param("override_reason", "Publish although the version is below the publication gate's minimum "
          "quality for its classification: the written reason (audited, kept on the version; "
          "`BELFORT_QUALITY_GATE_OVERRIDE_MIN_CHARS` or more characters)."),
    *(Param(name, description) for name, (_, description) in METADATA_OPTIONS.items()),
)
SAFE_NAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def _format_from_request(request: Request) -> str | None:
    explicit = request.query_params.get("format")
    if explicit:
        if explicit not in FORMATS:
            raise UnsupportedFormat(f"unknown format {explicit[:20]!r}; use one of {sorted(FORMATS)}")
        return explicit
    media_type = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise UnsupportedFormat(
            f"cannot ingest {media_type[:80]!r}; send CSV, JSON, GeoJSON, XLSX or Parquet"
        )
    return MEDIA_TYPES[media_type]


def _file_name(request: Request) -> str:
    raw = request.query_params.get("filename") or "upload"
    name = "".join(c if c in SAFE_NAME else "_" for c in Path(raw).name)[:100].lstrip(".")
    return name or "upload"


async def _receive_body(request: Request, target: Path, limit: int) -> int:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"file is larger than the {limit} byte limit")
    size = 0
    async with await anyio.open_file(target, "wb") as handle:  # each write in a worker thread
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"file is larger than the {limit} byte limit")
            await handle.write(chunk)
    if size == 0:
        raise InvalidRequest("the request body is empty; send the file as the body")
    return size


@router.post("/datasets/{dataset_id}/ingest", status_code=201, summary="Upload a new version",
             openapi_extra=UPLOAD.openapi(requestBody={
                 "required": True, "description": "The file itself, as the raw body.",
                 "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}))
async def upload(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_write(principal)
    check_slug(dataset_id)
    fmt = _format_from_request(request)
    params = request.query_params
    metadata = metadata_from_options({k: params.get(k) for k in METADATA_OPTIONS})
    overrides = _overrides(params.get("types"))
    staging = await run_in_threadpool(platform.lake.new_staging_dir)
    try:
        source = staging / _file_name(request)
        await _receive_body(request, source, platform.settings.max_upload_bytes)
        outcome = await run_in_threadpool(
            ingest_file,
            platform,
            principal,
            dataset_id,
            source,
            metadata=metadata,
            format=fmt,
            sheet=params.get("sheet"),
            overrides=overrides,
            draft=params.get("draft", "").lower() in {"1", "true", "yes"},
            source_name=source.name,
            override_reason=params.get("override_reason"),
        )
    finally:
        with anyio.CancelScope(shield=True):  # cleaned up even when the client went away
            await run_in_threadpool(shutil.rmtree, staging, ignore_errors=True)
    return JSONResponse(outcome.__dict__, status_code=201)


def _overrides(raw: str | None) -> dict[str, str] | None:
    """``types=field:type,field:type`` (the same as ``belfort ingest --type field=type``)."""
    if not raw:
        return None
    result: dict[str, str] = {}
    for item in raw.split(","):
        name, sep, kind = item.partition(":")
        if not sep or not name.strip() or not kind.strip():
            raise InvalidRequest(f"types: expected field:type, got {item[:60]!r}")
        result[name.strip()] = kind.strip()
    return result


@router.patch("/datasets/{dataset_id}", summary="Change metadata")
async def patch_metadata(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_write(principal)
    changes = await _json_object(request)
    return JSONResponse(await run_in_threadpool(update_dataset_metadata, platform, principal, dataset_id, changes))


@router.post("/datasets/{dataset_id}/state", summary="Move along the life cycle")
async def change_state(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_write(principal)
    target = (await _json_object(request)).get("state")
    if not isinstance(target, str):
        raise InvalidRequest('send {"state": "published|deprecated|archived|draft"}')
    return JSONResponse(await run_in_threadpool(change_dataset_state, platform, principal, dataset_id, target))


@router.post("/datasets/{dataset_id}/versions/{number}/publish", summary="Publish a version")
async def publish(
    dataset_id: str,
    number: VersionNumber,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """An optional JSON body ``{"override_reason": "…"}`` publishes a version the publication
    gate blocks (422 ``quality_gate_blocked`` without it), with that written reason."""
    gate.require_write(principal)
    body = await _json_object(request, limit=10_000) if await request.body() else {}
    unknown = sorted(set(body) - {"override_reason"})
    if unknown:
        raise InvalidRequest(f"unknown key {unknown[0][:40]!r}; send {{\"override_reason\": \"…\"}}")
    reason = body.get("override_reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidRequest("override_reason is text")
    return JSONResponse(await run_in_threadpool(
        publish_dataset_version, platform, principal, dataset_id, number, reason))


async def _json_object(request: Request, limit: int = 1_000_000) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > limit:
        raise PayloadTooLarge("JSON body too large")
    try:
        value = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidRequest("the body must be a JSON object")
    return value
