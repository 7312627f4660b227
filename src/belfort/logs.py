"""Log lines of a serving process: text or one JSON object per line, each with its request id.

``BELFORT_LOG_FORMAT=json`` makes ``belfort serve`` write every log line — uvicorn's access
and error logs, Belfort's own warnings — as a JSON object::

    {"time": "2026-12-06T22:40:01.123Z", "level": "info", "logger": "uvicorn.access",
     "message": "...", "pid": 4242, "request_id": "4f0c…", "client": "10.0.0.7:51234",
     "method": "GET",
     "path": "/api/records/1.0/search/?dataset=x&apikey=[redacted]", "status": 200}

The request id is the incoming ``X-Request-ID`` when it is sane (``accept_request_id``: 1 to
128 characters of letters, digits and ``._~:+/=@-``), else one made here; the HTTP layer
(``belfort.api.observability``) sets it per request and echoes it in the response. Keys in
logged URLs are redacted before any formatter sees them (``belfort.api.log_redaction``
filters the loggers), so both formats carry ``apikey=[redacted]``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
MAX_REQUEST_ID = 128
_SANE_ID = re.compile(r"[A-Za-z0-9._~:+/=@-]{1,%d}" % MAX_REQUEST_ID)

_ids = random.Random()  # seeded from the system's randomness once; request ids are no secrets
os.register_at_fork(after_in_child=_ids.seed)  # a forked worker does not repeat its parent's
REQUEST_ID: ContextVar[str | None] = ContextVar("belfort_request_id", default=None)
"""The id of the request being served (set by the HTTP layer for the request's task)."""


def accept_request_id(value: str | None) -> str | None:
    """``value`` when it is a sane request id to carry on, else None (then make one)."""
    if value is None:
        return None
    value = value.strip()
    return value if _SANE_ID.fullmatch(value) else None


def new_request_id() -> str:
    """32 random hex digits, as ``uuid4().hex`` but without a system call: the event loop's
    thread makes one per request, and a call that lets go of Python's lock costs that thread
    a wait to get it back whenever request threads are busy (bench/README.md)."""
    return f"{_ids.getrandbits(128):032x}"


class RequestIdFilter(logging.Filter):
    """Gives every record the current request's id (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or "-"
        return True


ACCESS_LOGGER = "uvicorn.access"
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; uvicorn's access records get their fields by name."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker of ``belfort serve --workers N``
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            out["request_id"] = request_id
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple) \
                and len(record.args) == len(_ACCESS_FIELDS):
            out.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """uvicorn's ``log_config`` for ``text`` or ``json`` lines with request ids."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
    if log_format == "json":
        formatters: dict[str, Any] = {
            "default": {"()": "belfort.logs.JsonFormatter"},
            "access": {"()": "belfort.logs.JsonFormatter"},
        }
    else:
        formatters = {
            "default": {"()": "uvicorn.logging.DefaultFormatter",
                        "fmt": "%(levelprefix)s %(message)s", "use_colors": None},
            "access": {"()": "uvicorn.logging.AccessFormatter",
                       "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" '
                              "%(status_code)s request_id=%(request_id)s"},
        }
    handler = {"filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "belfort.logs.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "default": {**handler, "formatter": "default", "class": "logging.StreamHandler",
                        "stream": "ext://sys.stderr"},
            "access": {**handler, "formatter": "access", "class": "logging.StreamHandler",
                       "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            ACCESS_LOGGER: {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        # Belfort's own warnings and errors (belfort.*), in the same format
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
