"""Keys never reach a log in clear: ``?apikey=…`` in a logged URL becomes ``?apikey=[redacted]``.

Opendatasoft clients send their key in the query string, so the access log line of every
such request would hold it. :class:`RedactKeys` rewrites the URL of uvicorn's access log
records (and of its error log) before a handler formats them;
:func:`belfort.policy.redaction.redact_url` is for anything else that records a URL.
"""

from __future__ import annotations

import logging

from belfort.policy.redaction import REDACTED, redact_url

__all__ = ["REDACTED", "LOGGERS", "RedactKeys", "install", "redact_url"]

LOGGERS = ("uvicorn.access", "uvicorn.error")


class RedactKeys(logging.Filter):
    """Redacts keys in a record's message and its string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact_url(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def install(loggers: tuple[str, ...] = LOGGERS) -> None:
    """Put the filter on the loggers that may log a request's URL (once each)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactKeys) for f in logger.filters):
            logger.addFilter(RedactKeys())
