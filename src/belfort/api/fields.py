"""The data dictionary in the native API: ``GET/PUT /api/belfort/v1/datasets/{id}/fields`` and
``…/fields/{field}``.

Reading asks the gate like every other read (404 for a dataset the caller may not see):
the public gets the published version's fields, staff the newest version's (the ones a write
may describe). Writing needs an admin key and goes through ``belfort.publishing.describe_fields``
— the rules of ``belfort.catalog.field_dictionary``, audited, the catalogue generation moved.
The answer's shape is the JSON fields file ``belfort ingest --fields`` reads, so a dictionary
can be saved, edited and sent back.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.catalog import field_dictionary as fd
from belfort.errors import InvalidRequest, PayloadTooLarge, UnknownField
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.policy.reading import ReadableVersion
from belfort.publishing import classify_field, describe_fields

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)

MAX_BODY = fd.MAX_FILE_BYTES
FIELD = Path(description="A field's name: its id in the version's schema, e.g. `aantal`.")


def dictionary(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    """``{"dataset", "version", "fields": [...]}`` as the principal may see it: fields held
    back from it are not there (not even their names); each field says its classification
    (its own, else its dataset's)."""
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        if principal.is_admin:
            number, fields = fd.newest_version(session, dataset)
        else:
            _, version = gate.readable_version(session, principal, dataset_id, None)
            number, fields = version.number, list(version.table_schema.get("fields", []))
        levels = fd.classifications_of(session, dataset.id)
        entries = fd.entries(gate.visible_fields(principal, dataset, fields),
                             fd.descriptions(dataset))
        level = dataset.classification
    return {"dataset": dataset_id, "version": number, "fields": [
        {**e.to_dict(), "classification": levels.get(e.name, level)} for e in entries]}


def version_dictionary(platform: Platform, rv: ReadableVersion) -> list[fd.FieldEntry]:
    """The dictionary of a version the gate let the caller read (for exports' metadata)."""
    with platform.db.session() as session:
        described = fd.descriptions_of(session, rv.dataset_id)
    return fd.entries(rv.table_schema.get("fields", []), described)


def _one(body: dict[str, Any], field: str) -> dict[str, Any]:
    found = next((f for f in body["fields"] if f["name"] == field), None)
    if found is None:
        raise UnknownField(f"dataset {body['dataset']!r} has no field {field[:60]!r}")
    return {"dataset": body["dataset"], "version": body["version"], **found}


async def _json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY:,} bytes")
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest("the body is not valid JSON") from None


@router.get("/datasets/{dataset_id}/fields", summary="The data dictionary: every field's texts")
def get_fields(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(dictionary(platform, principal, dataset_id))


@router.get("/datasets/{dataset_id}/fields/{field}", summary="The data dictionary: one field")
def get_field(
    dataset_id: str,
    field: str = FIELD,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(_one(dictionary(platform, principal, dataset_id), field))


@router.put("/datasets/{dataset_id}/fields", summary="Describe several fields (admin)")
async def put_fields(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"fields": [{"name": …, "title_nl": …, "title_en": …, "description_nl": …,
    "description_en": …, "unit": …}, …]}``; each field named gets exactly these texts (a key
    left out or null is cleared); fields not named keep theirs."""
    gate.require_write(principal)
    body = await _json(request)
    records = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise InvalidRequest('send {"fields": [{"name": …, "title_nl": …}, …]}')
    texts = fd.check_records(records)
    changed = await run_in_threadpool(describe_fields, platform, principal, dataset_id, texts)
    answer = await run_in_threadpool(dictionary, platform, principal, dataset_id)
    return JSONResponse({**answer, "changed": changed})


@router.put("/datasets/{dataset_id}/fields/{field}", summary="Describe one field (admin)")
async def put_field(
    dataset_id: str,
    request: Request,
    field: str = FIELD,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"title_nl": …, "title_en": …, "description_nl": …, "description_en": …,
    "unit": …}``; the field gets exactly these texts (a key left out or null is cleared)."""
    gate.require_write(principal)
    body = await _json(request)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object of texts")
    texts = fd.check_texts(body, field[: fd.MAX_FIELD_NAME])
    changed = await run_in_threadpool(
        describe_fields, platform, principal, dataset_id, {field: texts}
    )
    answer = await run_in_threadpool(dictionary, platform, principal, dataset_id)
    return JSONResponse({**_one(answer, field), "changed": bool(changed)})


@router.put("/datasets/{dataset_id}/fields/{field}/classification",
            summary="Classify one field (admin)")
async def put_field_classification(
    dataset_id: str,
    request: Request,
    field: str = FIELD,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"classification": "confidential"}`` (``open``, ``internal``,
    ``confidential``, ``strictly-confidential``; ``null``: as the dataset). A field classified
    above what a caller reads is held back from it everywhere: its values and its name."""
    gate.require_write(principal)
    body = await _json(request)
    if not isinstance(body, dict) or set(body) != {"classification"} or not (
            body["classification"] is None or isinstance(body["classification"], str)):
        raise InvalidRequest('send {"classification": "confidential"} (or null)')
    changed = await run_in_threadpool(
        classify_field, platform, principal, dataset_id, field[: fd.MAX_FIELD_NAME],
        body["classification"])
    answer = await run_in_threadpool(dictionary, platform, principal, dataset_id)
    return JSONResponse({**_one(answer, field), "changed": changed})
