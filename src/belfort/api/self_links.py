"""Links to the page being answered, built from its route — never from the raw path.

The path a client sent can be anything: ``//evil.example/x`` or ``/\\evil.example`` are
paths a server receives, but written into an ``href`` or a ``Location`` they are links to
another site (protocol-relative). Every self-link (the portal's language switch, paging
and sorting links, ``Content-Location``) is therefore the matched route's path template
with its parameters filled in, each percent-encoded as one segment; a request no route
matched (a 404) links to the home page.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request

_PARAMETER = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def route_path(request: Request) -> str:
    """The request's path rebuilt from its route: always one leading ``/`` followed by a
    character that cannot start another host (never ``//`` or ``/\\``)."""
    template = getattr(request.scope.get("route"), "path_format", None)
    if not isinstance(template, str) or not template.startswith("/"):
        return "/"
    values = request.path_params

    def fill(match: re.Match[str]) -> str:
        return quote(str(values.get(match.group(1), "")), safe="")

    path = _PARAMETER.sub(fill, template)
    return "/" + path.lstrip("/\\")
