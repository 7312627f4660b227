"""Whether a SPARQL query calls another endpoint (``SERVICE``), decided on the parsed query.

pyoxigraph would fetch a ``SERVICE`` (nothing served may reach out), and it offers no
parse tree, so the query is parsed with rdflib's SPARQL grammar and refused when any
``ServiceGraphPattern`` occurs anywhere in it: nested in OPTIONAL, UNION, MINUS, FILTER
EXISTS or a subquery, spelt in any case, with comments or escaped local names
(``ex:x\\#``) around it. A regular expression over the text cannot be right about all of
these (issue 11, item 5).

Parsing is done only when the word could be there: SPARQL reads ``\\uXXXX`` escapes before
anything else and the keyword has no other spelling, so a query whose unescaped text does
not contain ``service`` (in any case) has none; it goes straight to pyoxigraph. A query
that does contain it but that rdflib cannot read is refused too (SERVICE cannot be ruled
out). rdflib's parser is pure Python and slow on long queries, so this runs in the query
worker (``belfort.linked.sparql.execute``) under the query's timeout and memory limit,
never in the server; ``preload()`` imports it before the workers are forked (a worker
can open no file).
"""

from __future__ import annotations

import re
from typing import Any

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_NODE = "ServiceGraphPattern"

REFUSED = ("federated queries (SERVICE) are not supported: this endpoint answers from its own "
           "data only")


def unescape(query: str) -> str:
    """SPARQL reads ``\\u0053`` escapes anywhere in a query, before parsing it."""
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code < 0x110000 else " "

    return _CODEPOINT.sub(char, query)


def preload() -> None:
    """Import rdflib's SPARQL grammar (~1 s), in the server before a worker is forked."""
    from rdflib.plugins.sparql import parser  # noqa: F401


def _contains_service(tree: Any) -> bool:
    """Whether a ``ServiceGraphPattern`` node occurs anywhere in rdflib's parse tree."""
    stack = [tree]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if getattr(node, "name", None) == _SERVICE_NODE:
            return True
        if isinstance(node, dict):  # CompValue (an OrderedDict) and plain dicts
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return False


def service_refusal(query: str) -> str | None:
    """Why the query is refused (it calls or may call another endpoint), or None."""
    if "service" not in unescape(query).lower():
        return None
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except (Exception, RecursionError) as exc:  # pyparsing's ParseException and kin
        return (f"{REFUSED}; the query mentions SERVICE and could not be read to rule it out "
                f"({type(exc).__name__}: {str(exc)[:200]})")
    return REFUSED if _contains_service(tree) else None
