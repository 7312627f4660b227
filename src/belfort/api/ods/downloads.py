"""Opendatasoft v1 downloads: ``/api/records/1.0/download/`` and the old portal's download
URL ``/explore/dataset/{id}/download/``, which is the same export with the dataset in the
path (what data.stad.gent's "Export" tab linked to, and what scripts kept calling).

Parameters, as Opendatasoft's: ``format`` (``csv`` by default; ``json``, ``jsonl``,
``geojson``, ``xlsx`` — ``xls`` is read as ``xlsx`` — and ``parquet``), ``q``,
``refine.F``, ``exclude.F``, ``sort``, ``fields``, ``rows``/``start``, ``timezone``,
``use_labels_for_header`` (field labels instead of names in the CSV/XLSX header),
``csv_separator`` (``;`` by default) and ``lang`` (accepted; Belfort's field labels are not
translated). JSON is an array of v1 records (``datasetid``, ``recordid``, ``fields``,
``geometry``, ``record_timestamp``), GeoJSON a FeatureCollection of them. The writers are
the ones every export uses (``belfort.api.exports``, ``belfort.api.ods.v2_exports``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from belfort.api.deps import get_platform, get_principal
from belfort.api.export_response import FileExport, StreamedExport
from belfort.api.exports import csv_stream, json_array, json_lines
from belfort.api.fields import version_dictionary
from belfort.api.ods import v2_exports
from belfort.api.ods.common import timezone_of
from belfort.api.ods.params import V1_PORTAL_DOWNLOAD
from belfort.api.ods.records import V1Params, order_of, parse_v1_params, v1_records, where_of
from belfort.api.responses import JSONResponse
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import ReadableVersion, readable
from belfort.query.model import Query

router = APIRouter(tags=["opendatasoft v1"], default_response_class=JSONResponse)

FORMATS = ("csv", "json", "jsonl", "geojson", "xlsx", "parquet")
ALIASES = {"xls": "xlsx"}
MEDIA_TYPES = {"json": "application/json", "jsonl": "application/jsonl", "geojson": "application/geo+json"}

def download_response(
    platform: Platform, principal: Principal, items: list[tuple[str, str]]
) -> Response:
    """The v1 download of the ``dataset`` named in ``items`` (the request's parameters)."""
    options = dict(items)
    params = parse_v1_params(items, windowed=False)
    params.format = ALIASES.get(params.format.lower(), params.format.lower())
    if params.format not in FORMATS:
        raise InvalidRequest(f"format must be one of {', '.join(FORMATS)}, not {params.format[:30]!r}")
    labels = v2_exports.flag(options, "use_labels_for_header", False)
    separator = options.get("csv_separator", ";")
    if len(separator) != 1 or separator in "\"\r\n":
        raise InvalidRequest("csv_separator must be one character")
    rv = readable(platform, principal, params.dataset, action=Action.EXPORT)
    records_wanted = params.format in {"json", "jsonl", "geojson"}
    query = Query(
        where=where_of(params, rv.schema), order_by=order_of(params),
        limit=None if params.rows < 0 else params.rows, offset=params.start,
        # files of plain columns carry no record id or timestamp: spare the hashing of every row
        with_row_number=records_wanted, record_id_fields=rv.record_key if records_wanted else None,
        timezone=params.timezone,
    )
    stream = platform.engine.stream(query, rv.schema, rv.path)
    batches = platform.usage.count_rows(rv.dataset_id, stream.batches, public=rv.public_use)
    filename = f"{rv.dataset_id}.{params.format}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    shown = [f for f in rv.schema.fields if params.fields is None or f.name in params.fields]
    visible = [f.name for f in shown]
    header = [f.title or f.name for f in shown] if labels else visible
    tz = timezone_of(params.timezone)
    if params.format == "csv":
        return StreamedExport(csv_stream(batches, visible, delimiter=separator, timezone=params.timezone,
                                         header=header, formula_escape=platform.settings.csv_formula_escape),
                              stream, media_type="text/csv; charset=utf-8", headers=disposition)
    if params.format == "xlsx":
        types = {f.name: f.type for f in rv.schema.fields}
        fields = [e for e in version_dictionary(platform, rv) if e.name in visible]  # the "Velden" sheet
        return FileExport(lambda: v2_exports.xlsx_file(platform, batches, visible, types, tz, header, fields), stream,
                          media_type=v2_exports.XLSX_MEDIA_TYPE, filename=filename)
    if params.format == "parquet":
        return FileExport(lambda: v2_exports.parquet_file(platform, stream.schema, batches, visible), stream,
                          media_type="application/vnd.apache.parquet", filename=filename)
    return StreamedExport(_records_body(platform, rv, params, batches), stream,
                          media_type=MEDIA_TYPES[params.format], headers=disposition)


def _records_body(platform: Platform, rv: ReadableVersion, params: V1Params, batches: Iterator[Any]
                  ) -> Iterator[bytes]:
    tz = timezone_of(params.timezone)

    def records() -> Iterator[dict[str, Any]]:
        for batch in batches:
            yield from v1_records(platform, rv, batch.to_pylist(), tz, params.fields)

    if params.format == "json":
        return json_array(records())
    if params.format == "jsonl":
        return json_lines(records())
    return json_array((feature(r) for r in records()), prefix=b'{"type":"FeatureCollection","features":[',
                      suffix=b"]}")


def feature(record: dict[str, Any]) -> dict[str, Any]:
    """A v1 record as a GeoJSON Feature (Opendatasoft's v1 GeoJSON shape)."""
    properties = dict(record["fields"])
    properties["recordid"] = record["recordid"]
    return {"type": "Feature", "geometry": record.get("geometry"), "properties": properties}


@router.get("/explore/dataset/{dataset_id}/download/", summary="Opendatasoft portal: download a dataset",
            response_model=None, openapi_extra=V1_PORTAL_DOWNLOAD.openapi(),
            description="The old portal's download URL, as data.stad.gent's Export tab linked to it: the same "
                        "file as `/api/records/1.0/download/?dataset={dataset_id}`.")
@router.get("/explore/dataset/{dataset_id}/download", include_in_schema=False, response_model=None)
def portal_download(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    items = [("dataset", dataset_id)] + [(k, v) for k, v in request.query_params.multi_items() if k != "dataset"]
    return download_response(platform, principal, items)
