"""Errors → HTTP, in one place. Every error body is JSON: {"error", "message", …}.

Under ``/api/explore/v2.1/`` the body is Opendatasoft's instead:
``{"message": "…", "error_code": "…"}`` — ``ODSQLError`` for query errors,
``InvalidRESTParameterError`` for other bad parameters, ``DatasetNotFoundError`` for
datasets that do not exist or may not be seen (see docs/opendatasoft.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from belfort.api.responses import JSONResponse
from belfort.errors import (
    BelfortError,
    DatasetNotFound,
    InvalidRequest,
    InvalidToken,
    NotFound,
    QueryError,
    Unauthorized,
)

log = logging.getLogger("belfort.api")

EXPLORE_PREFIX = "/api/explore/v2.1/"
STA_PREFIX = "/sta/"  # the SensorThings API: JSON errors, HTTP Basic on 401
EXPLORE_STATUS_CODES = {400: "InvalidRESTParameterError", 401: "AuthenticationError",
                        403: "PermissionDenied", 404: "NotFound", 405: "MethodNotAllowed",
                        413: "PayloadTooLarge", 415: "UnsupportedMediaType",
                        422: "UnprocessableEntity", 500: "InternalServerError",
                        503: "ServiceUnavailable"}


def _explore(request: Request) -> bool:
    return request.url.path.startswith(EXPLORE_PREFIX)


def _portal(request: Request) -> bool:
    """A page of the portal (HTML errors) rather than an API call (JSON errors)."""
    path = request.url.path
    if path.startswith("/explore/dataset/") and path.rstrip("/").endswith("/download"):
        return False  # the old portal's download URL is an export: scripts read its errors
    return not (path.startswith(("/api/", "/static/", "/iot/", STA_PREFIX))  # /iot/: FIWARE
                or path in {"/openapi.json", "/health", "/ready", "/metrics"})


HtmlPage = Callable[[Request, int, BelfortError | None], Response]
"""Renders an error as an HTML page: (request, status, the error or None); the page says it
in its own language (``belfort.portal.messages``)."""


def explore_error_code(exc: BelfortError | None, status: int) -> str:
    """Opendatasoft's ``error_code`` for an error (an error class may name its own in
    ``ods_error_code``)."""
    own = getattr(exc, "ods_error_code", None)
    if own:
        return str(own)
    if isinstance(exc, QueryError):
        return "ODSQLError"
    if isinstance(exc, InvalidRequest):
        return "InvalidRESTParameterError"
    if isinstance(exc, NotFound):
        return "DatasetNotFoundError" if isinstance(exc, DatasetNotFound) else "NotFound"
    if isinstance(exc, Unauthorized):
        return "AuthenticationError"
    return EXPLORE_STATUS_CODES.get(status, "Error")


def _explore_message(exc: BelfortError) -> str:
    clause = exc.details.get("clause") if isinstance(exc, QueryError) else None
    if clause and "position" in exc.details:
        return f"ODSQL query is malformed: {exc.message.rstrip('.')}. Clause(s) containing the error(s): {clause}."
    return exc.message


def _explore_response(message: str, code: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "error_code": code}, status_code=status, headers=headers)


def error_headers(exc: BelfortError, path: str = "") -> dict[str, str] | None:
    """The headers an error's answer carries: ``WWW-Authenticate`` for 401 (HTTP Basic
    under ``/sta/``, as SensorThings clients sign in), ``Retry-After`` for an error that
    says when to come back (a full SPARQL waiting line)."""
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidToken):  # RFC 6750 §3.1; the message never quotes the token
        description = exc.message.replace('"', "'").replace("\\", "")
        headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{description}"'
    elif exc.http_status == 401:
        headers["WWW-Authenticate"] = (
            'Basic realm="Belfort SensorThings"' if path.startswith(STA_PREFIX) else "Bearer")
    if exc.retry_after_seconds is not None:
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return headers or None


def install_error_handlers(app: FastAPI, html_page: HtmlPage | None = None) -> None:
    """Map errors to responses. ``html_page`` (the portal's, given by ``belfort.app``)
    renders errors on pages outside ``/api/``; without it they are JSON too."""

    @app.exception_handler(BelfortError)
    async def _belfort_error(request: Request, exc: BelfortError) -> Response:
        if html_page is not None and _portal(request):
            return html_page(request, exc.http_status, exc)
        headers = error_headers(exc, request.url.path)
        if _explore(request):
            return _explore_response(_explore_message(exc), explore_error_code(exc, exc.http_status),
                                     exc.http_status, headers)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        if _explore(request):
            return _explore_response("; ".join(problems)[:1000], "InvalidRESTParameterError", 400)
        return JSONResponse(
            {"error": "invalid_request", "message": "; ".join(problems)[:1000], "problems": problems[:20]},
            status_code=400,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if html_page is not None and _portal(request) and exc.status_code in {404, 405}:
            return html_page(request, exc.status_code, None)
        if _explore(request):
            return _explore_response(str(exc.detail), explore_error_code(None, exc.status_code), exc.status_code)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": code, "message": str(exc.detail)}, status_code=exc.status_code
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        if _explore(request):
            return _explore_response("internal error; it has been logged", "InternalServerError", 500)
        return JSONResponse(
            {"error": "internal_error", "message": "internal error; it has been logged"},
            status_code=500,
        )
