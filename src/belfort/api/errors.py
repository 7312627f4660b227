"""Errors → HTTP, in one place. Every error body is JSON: {"error", "message", …}.

Under ``/api/explore/v2.1/`` the body is Opendatasoft's instead:
``{"message": "…", "error_code": "…"}`` — ``ODSQLError`` for query errors,
``InvalidRESTParameterError`` for other bad parameters, ``DatasetNotFoundError`` for
datasets that do not exist or may not be seen (see docs/opendatasoft.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from belfort.api.responses import JSONResponse
from belfort.errors import (
    BelfortError,
    DatabaseUnavailable,
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


UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")  # connection; shut down, starting


def unreachable_database(exc: BaseException) -> bool:
    """The error says the catalogue database cannot be reached (refused, dropped, timed
    out, shutting down or starting, the pool exhausted; SQLite: locked or busy), as opposed
    to a mistake in a statement (which stays a 500 and is logged)."""
    if isinstance(exc, InterfaceError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(word in str(exc.orig).lower() for word in ("locked", "busy"))
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith(UNREACHABLE_SQLSTATES)


_logged_unreachable = {"at": -60.0}
UNREACHABLE_MESSAGE = "the catalogue database cannot be reached; try again shortly"


def database_unavailable(path: str, exc: SQLAlchemyError) -> JSONResponse:
    """503 for a request the unreachable catalogue database could not answer: JSON (the
    Explore API's form under its prefix), ``Retry-After``, never the server's address. The
    error itself is logged at most once a minute (a restart under load would flood the log)."""
    if time.monotonic() - _logged_unreachable["at"] >= 60:
        _logged_unreachable["at"] = time.monotonic()
        log.warning("catalogue database unreachable: %s", type(exc).__name__, exc_info=exc)
    error = DatabaseUnavailable(UNREACHABLE_MESSAGE)
    headers = {"Retry-After": "5", "Cache-Control": "no-store"}
    if path.startswith(EXPLORE_PREFIX):
        return _explore_response(error.message, "ServiceUnavailable", 503, headers)
    return JSONResponse(error.to_dict(), status_code=503, headers=headers)


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

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> Response:
        if unreachable_database(exc):
            if html_page is not None and _portal(request):
                return html_page(request, 503, DatabaseUnavailable(UNREACHABLE_MESSAGE))
            return database_unavailable(request.url.path, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, SQLAlchemyError) and unreachable_database(exc):  # raised in a middleware
            return database_unavailable(request.url.path, exc)
        log.exception("unhandled error", exc_info=exc)
        if _explore(request):
            return _explore_response("internal error; it has been logged", "InternalServerError", 500)
        return JSONResponse(
            {"error": "internal_error", "message": "internal error; it has been logged"},
            status_code=500,
        )
