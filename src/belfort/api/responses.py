"""JSON rendering (orjson) shared by every dialect."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(content: Any) -> bytes:
    return orjson.dumps(
        content, default=_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    )


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def not_acceptable(media_types: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    """406 for a content-negotiated resource, naming what it does serve."""
    return JSONResponse(
        {"error": "not_acceptable", "message": "none of the accepted media types is served here",
         "media_types": media_types},
        status_code=406, headers={**(headers or {}), "Vary": "Accept"},
    )
