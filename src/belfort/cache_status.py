"""Which kept answers served a request: the ``Cache-Status`` response header (RFC 9211).

Belfort keeps answers to questions it was asked before (``belfort.query.result_cache``,
the v1 search answers, SPARQL answers, DCAT catalogue pages). A response says whether any
of them was used, so a client, an operator or a benchmark can tell a fresh answer from a
kept one::

    Cache-Status: belfort-answers; fwd=uri-miss, belfort-results; hit

One entry per store consulted during the request: ``hit`` when at least one look-up found
a kept answer, else ``fwd=uri-miss`` (the answer was computed). Data kept per version
(record ids, record times, a small version's rows) are not answers to a question and are
not reported. Requests that consult no store carry no header.

The look-ups are recorded in a context variable that the HTTP layer sets per request
(``recording``); outside a request ``note`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "Cache-Status"
ANSWERS = "belfort-answers"  # whole API answers (v1 search)
RESULTS = "belfort-results"  # the query engine's kept results (result_cache)
SPARQL = "belfort-sparql"  # SPARQL answers (belfort.linked.sparql.AnswerCache)
PAGES = "belfort-pages"  # whole DCAT catalogue pages (belfort.api.dcat)

_current: ContextVar[dict[str, bool] | None] = ContextVar("belfort_cache_status", default=None)


def note(store: str, hit: bool) -> None:
    """Record one look-up in ``store`` for the current request (if one is recording)."""
    seen = _current.get()
    if seen is not None:
        seen[store] = seen.get(store, False) or hit


@contextmanager
def recording() -> Iterator[dict[str, bool]]:
    """Record the look-ups made within (and in threads started with a copy of this context)."""
    seen: dict[str, bool] = {}
    token = _current.set(seen)
    try:
        yield seen
    finally:
        _current.reset(token)


def header_value(seen: dict[str, bool]) -> str | None:
    """``store; hit`` or ``store; fwd=uri-miss`` per store consulted; None if none was."""
    if not seen:
        return None
    return ", ".join(f"{store}; {'hit' if hit else 'fwd=uri-miss'}" for store, hit in seen.items())


def any_hit(value: str | None) -> bool:
    """Whether a ``Cache-Status`` value reports a kept answer (for checks and tests)."""
    return bool(value) and any(part.strip().endswith("; hit") for part in str(value).split(","))
