"""``/openapi.json``: FastAPI's document completed with what it cannot know.

- the authentication scheme (an API key as ``Authorization: Bearer``/``Apikey``,
  ``X-API-Key`` or ``?apikey=``; anonymous calls see open data),
- each dialect's error body (Explore v2.1: ``{"message", "error_code"}``; native, v1 and
  linked data: ``{"error", "message"}``) and the 429 quota answer; Belfort answers bad
  parameters with 400, never FastAPI's 422,
- the shape of the records, facets and catalogue answers (``openapi_schemas``),
- descriptions of path parameters (``belfort.api.params.PATH_PARAMETERS``).

The query parameters come from the routes themselves (``belfort.api.params``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from belfort.api.errors import EXPLORE_PREFIX
from belfort.api.openapi_schemas import SCHEMAS, SUCCESS, ref
from belfort.api.params import PATH_PARAMETERS
from belfort.api.quotas import EXEMPT_PATHS

CONSOLE_PATH = "/api/console"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API key as `Authorization: Bearer <key>`."},
    "apikeyHeader": {"type": "apiKey", "in": "header", "name": "Authorization",
                     "description": "An API key as `Authorization: Apikey <key>` (Opendatasoft's form; type "
                                    "`Apikey ` before the key)."},
    "xApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": "An API key in the `X-API-Key` header."},
    "apikeyQuery": {"type": "apiKey", "in": "query", "name": "apikey",
                    "description": "An API key as the `apikey` query parameter (how Opendatasoft clients "
                                   "send it)."},
}
ANY_KEY: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]
OPTIONAL_KEY = [{}, *ANY_KEY]  # anonymous callers see open, published data
WRITE_METHODS = {"post", "put", "patch", "delete"}

DESCRIPTION = (
    "Urban Data Platform: catalogue, ingest and query APIs in three dialects — Opendatasoft API v1 "
    "(`/api/records/1.0/`, `/api/datasets/1.0/`), Opendatasoft Explore v2.1 (`/api/explore/v2.1/`) "
    "and the native API (`/api/belfort/v1/`) — and linked data (DCAT-AP, LDES, SPARQL).\n\n"
    "**Authentication.** Without a key you see open, published datasets. An API key (from "
    "`belfort keys create`) is sent as `Authorization: Bearer <key>`, `Authorization: Apikey <key>`, "
    "`X-API-Key: <key>` or `?apikey=<key>`; admin keys see everything and may write. A wrong or "
    "revoked key is refused with 401, never read as anonymous.\n\n"
    "**Errors** are JSON: `{\"message\", \"error_code\"}` under `/api/explore/v2.1/`, else "
    "`{\"error\", \"message\"}`. Too many calls: 429 with `Retry-After`.\n\n"
    f"Try it in the [API console]({CONSOLE_PATH})."
)


def _content(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": ref(schema_name)}}


def _is_write(method: str, path: str) -> bool:
    return path.startswith("/api/") and (method in WRITE_METHODS or path.endswith("/audit"))


def _errors(method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
    body = _content("ExploreError") if path.startswith(EXPLORE_PREFIX) else _content("Error")
    out: dict[str, Any] = {}
    has_parameters = bool(operation.get("parameters")) or "requestBody" in operation
    if path.startswith("/api/") and has_parameters:
        out["400"] = {"description": "A parameter is missing, malformed or names an unknown field.",
                      "content": body}
    if path.startswith("/api/") and "{" in path:
        out["404"] = {"description": "No such dataset (or record, version, …), or not one you may see.",
                      "content": body}
    if path.startswith("/api/"):
        out["401"] = {"description": "The API key sent is wrong or revoked (or, for writes, missing).",
                      "content": body}
    if _is_write(method, path):
        out["403"] = {"description": "The key may not do this (an admin key is needed).", "content": body}
    if path not in EXEMPT_PATHS:
        out["429"] = {"description": "Too many calls in the quota window; see `Retry-After`.",
                      "headers": {"Retry-After": {"description": "Seconds until the window resets.",
                                                  "schema": {"type": "integer"}}},
                      "content": _content("QuotaExceeded")}
    return out


def _complete(document: dict[str, Any]) -> dict[str, Any]:
    document["info"]["description"] = DESCRIPTION
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(copy.deepcopy(SCHEMAS))
    components["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    document["security"] = copy.deepcopy(OPTIONAL_KEY)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # validation errors are answered 400
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and not parameter.get("description"):
                    parameter["description"] = PATH_PARAMETERS.get(parameter["name"], "")
            success = SUCCESS.get((method, path))
            if success is not None:
                ok = responses.setdefault("200", {"description": "Successful Response"})
                ok["content"] = copy.deepcopy(success)
            for status, answer in _errors(method, path, operation).items():
                responses.setdefault(status, answer)
            if _is_write(method, path):
                operation["security"] = copy.deepcopy(ANY_KEY)
    schemas = components["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 bodies
        others = {k: v for k, v in schemas.items() if k != unused}
        if f"#/components/schemas/{unused}\"" not in json.dumps([document["paths"], others]):
            schemas.pop(unused, None)
    return document


def openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi``: FastAPI's own document (rebuilt when routes are added), completed."""
    generate = app.openapi
    completed: list[dict[str, Any]] = []

    def build() -> dict[str, Any]:
        document = generate()
        if not completed or completed[0] is not document:
            completed[:] = [_complete(document)]
        return document

    return build
