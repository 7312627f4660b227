"""JSON schemas of Belfort's answers, for ``/openapi.json``: the error body of each
dialect, the quota answer, and the top-level shape of the records, facets and catalogue
answers (``belfort.api.openapi`` attaches them to the operations)."""

from __future__ import annotations

from typing import Any

OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": True}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


NULLABLE_INTEGER = {"type": ["integer", "null"]}

SCHEMAS: dict[str, dict[str, Any]] = {
    # -- errors ------------------------------------------------------------------------------
    "Error": obj(
        {"error": {"type": "string", "description": "A stable code: `invalid_request`, `query_error`, "
                   "`not_found`, `unauthorized`, `forbidden`, `query_timeout`, …"},
         "message": {"type": "string", "description": "What went wrong, for people."},
         "problems": {**array(STRING), "description": "Parameter validation: one line per problem."}},
        ("error", "message"),
        "The error body of the native API, Opendatasoft API v1 and the linked-data routes; "
        "some errors add details (e.g. `report` of a failed validation).",
    ),
    "ExploreError": obj(
        {"message": STRING,
         "error_code": {"type": "string", "description": "`ODSQLError`, `InvalidRESTParameterError`, "
                        "`DatasetNotFoundError`, `RecordNotFoundError`, `AuthenticationError`, …"}},
        ("message", "error_code"),
        "Opendatasoft's error body, under `/api/explore/v2.1/`.",
    ),
    "QuotaExceeded": obj(
        {"errorcode": {"type": "integer", "const": 10002},
         "reset_time": {"type": "string", "format": "date-time"},
         "limit_time_unit": STRING, "call_limit": INTEGER, "error": STRING},
        ("errorcode", "reset_time", "limit_time_unit", "call_limit", "error"),
        "Too many calls in the quota window (Opendatasoft's shape, for every dialect); "
        "`Retry-After` says when to try again.",
    ),
    # -- API v1 ------------------------------------------------------------------------------
    "V1Record": obj(
        {"datasetid": STRING, "recordid": STRING, "fields": OBJECT,
         "geometry": {**OBJECT, "description": "GeoJSON geometry"},
         "record_timestamp": {"type": "string", "format": "date-time"}},
        ("datasetid", "recordid", "fields", "record_timestamp"),
    ),
    "V1FacetGroup": obj(
        {"name": STRING, "count": INTEGER,
         "facets": array(obj({"name": STRING, "path": STRING, "count": INTEGER,
                              "state": {"type": "string", "enum": ["displayed", "refined"]}}))},
        ("name", "facets"),
    ),
    "V1RecordSearch": obj(
        {"nhits": INTEGER, "parameters": OBJECT, "records": array(ref("V1Record")),
         "facet_groups": array(ref("V1FacetGroup"))},
        ("nhits", "parameters", "records"),
    ),
    "FeatureCollection": obj(
        {"type": {"type": "string", "const": "FeatureCollection"},
         "features": array(obj({"type": {"type": "string", "const": "Feature"}, "geometry": OBJECT,
                                "properties": OBJECT}))},
        ("type", "features"),
    ),
    "V1AnalyzePoint": obj({"x": {"description": "A value, or for dates {year, month, day, …}"}}, ("x",),
                          "One point: `x` and one number per series, by series name."),
    "V1Dataset": obj(
        {"datasetid": STRING, "has_records": {"type": "boolean"}, "features": array(STRING),
         "metas": OBJECT, "fields": array(obj({"name": STRING, "label": STRING, "type": STRING})),
         "attachments": array(OBJECT), "alternative_exports": array(OBJECT)},
        ("datasetid", "metas", "fields"),
    ),
    "V1DatasetSearch": obj(
        {"nhits": INTEGER, "parameters": OBJECT, "datasets": array(ref("V1Dataset"))},
        ("nhits", "datasets"),
    ),
    # -- Explore v2.1 ------------------------------------------------------------------------
    "ExploreRecords": obj(
        {"total_count": INTEGER,
         "results": array({**OBJECT, "description": "A record (field → value) or a group"}),
         "_links": array(OBJECT)},
        ("total_count", "results"),
    ),
    "ExploreRecord": {**OBJECT, "description": "The record: field → value (with `_id`, `_timestamp`)."},
    "ExploreFacetValue": obj(
        {"name": STRING, "value": STRING, "count": INTEGER,
         "state": {"type": "string", "enum": ["displayed", "refined", "excluded"]},
         "facets": array(ref("ExploreFacetValue"))},
        ("name", "value", "state"),
    ),
    "ExploreFacets": obj(
        {"links": array(OBJECT),
         "facets": array(obj({"name": STRING, "facets": array(ref("ExploreFacetValue"))}, ("name", "facets")))},
        ("facets",),
    ),
    "ExploreDataset": obj(
        {"dataset_id": STRING, "dataset_uid": STRING, "has_records": {"type": "boolean"},
         "data_visible": {"type": "boolean"}, "features": array(STRING),
         "metas": obj({"default": OBJECT}, ("default",)),
         "fields": array(obj({"name": STRING, "label": STRING, "type": STRING, "description": {}})),
         "attachments": array(OBJECT)},
        ("dataset_id", "metas", "fields"),
    ),
    "ExploreCatalog": obj(
        {"total_count": INTEGER, "results": array(ref("ExploreDataset"))}, ("total_count", "results"),
    ),
    "ExploreAttachments": obj({"links": array(OBJECT), "attachments": array(OBJECT)}, ("attachments",)),
    # -- native ------------------------------------------------------------------------------
    "NativeDataset": obj(
        {"id": STRING, "title_nl": STRING, "state": STRING, "published_version": NULLABLE_INTEGER,
         "created_at": {"type": "string", "format": "date-time"},
         "updated_at": {"type": "string", "format": "date-time"},
         "distributions": array(OBJECT), "versions": array(ref("NativeVersion"))},
        ("id", "state"),
        "A dataset's metadata (docs/metadata.md) and, for one dataset, its versions.",
    ),
    "NativeVersion": obj(
        {"number": INTEGER, "schema": OBJECT, "row_count": INTEGER, "byte_size": INTEGER,
         "checksum": STRING, "created_at": {"type": "string", "format": "date-time"}},
        ("number", "schema", "row_count"),
    ),
    "NativeDatasetList": obj(
        {"total_count": INTEGER, "datasets": array(ref("NativeDataset"))}, ("total_count", "datasets"),
    ),
    "NativeRecords": obj(
        {"dataset": STRING, "version": INTEGER,
         "total_count": {**NULLABLE_INTEGER, "description": "null with include_total=false"},
         "columns": array(STRING), "records": array(OBJECT)},
        ("dataset", "version", "total_count", "columns", "records"),
    ),
}

CSV = {"text/csv": {"schema": {"type": "string"}}}
PARQUET = {"application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}
XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        {"schema": {"type": "string", "format": "binary"}}}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


V2 = "/api/explore/v2.1/catalog"
V1_SEARCH_BODY = json_body(ref("V1RecordSearch")) | {"application/geo+json": {"schema": ref("FeatureCollection")}}
V1_DOWNLOAD_BODY = CSV | json_body(array(ref("V1Record"))) | {
    "application/geo+json": {"schema": ref("FeatureCollection")}}
V2_EXPORT_BODY = CSV | json_body(array(OBJECT)) | {
    "application/jsonl": {"schema": {"type": "string", "description": "one JSON record per line"}},
    "application/geo+json": {"schema": ref("FeatureCollection")}} | PARQUET | XLSX

# (method, path) → the content of the 200 answer
SUCCESS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/records/1.0/search/"): V1_SEARCH_BODY,
    ("get", "/api/records/1.0/download/"): V1_DOWNLOAD_BODY,
    ("get", "/api/records/1.0/analyze/"): json_body(array(ref("V1AnalyzePoint"))),
    ("get", "/api/datasets/1.0/search/"): json_body(ref("V1DatasetSearch")),
    ("get", "/api/datasets/1.0/{dataset_id}/"): json_body(ref("V1Dataset")),
    ("get", V2 + "/datasets"): json_body(ref("ExploreCatalog")),
    ("get", V2 + "/datasets/{dataset_id}"): json_body(ref("ExploreDataset")),
    ("get", V2 + "/exports/{format}"): CSV | json_body(array(ref("ExploreDataset"))),
    ("get", V2 + "/facets"): json_body(ref("ExploreFacets")),
    ("get", V2 + "/datasets/{dataset_id}/records"): json_body(ref("ExploreRecords")),
    ("get", V2 + "/datasets/{dataset_id}/records/{record_id}"): json_body(ref("ExploreRecord")),
    ("get", V2 + "/datasets/{dataset_id}/exports/{format}"): V2_EXPORT_BODY,
    ("get", V2 + "/datasets/{dataset_id}/facets"): json_body(ref("ExploreFacets")),
    ("get", V2 + "/datasets/{dataset_id}/attachments"): json_body(ref("ExploreAttachments")),
    ("get", "/api/belfort/v1/datasets"): json_body(ref("NativeDatasetList")),
    ("get", "/api/belfort/v1/datasets/{dataset_id}"): json_body(ref("NativeDataset")),
    ("get", "/api/belfort/v1/datasets/{dataset_id}/versions/{number}"): json_body(ref("NativeVersion")),
    ("get", "/api/belfort/v1/datasets/{dataset_id}/records"): json_body(ref("NativeRecords")),
    ("get", "/api/belfort/v1/datasets/{dataset_id}/exports/{fmt}"): CSV | json_body(array(OBJECT)) | PARQUET,
}
