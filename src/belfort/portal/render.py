"""Rendering portal pages: one Jinja2 environment (autoescaping on), the language, the
signed-in staff member and the links every page needs."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from belfort import __version__
from belfort.api.caching import PRIVATE
from belfort.api.security_headers import secure_cookies
from belfort.api.self_links import route_path
from belfort.labels import FREQUENCY_LABELS, THEME_LABELS, licence_labels
from belfort.policy.principals import Principal
from belfort.policy.redaction import KEY_PARAMETER
from belfort.portal import values
from belfort.portal.i18n import COOKIE, LANGUAGES, STATE_LABELS, Translator, language_of

STATIC_DIR = Path(__file__).parent / "static"
STAFF_COOKIE = "belfort_staff"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("belfort.portal", "templates"),
        autoescape=select_autoescape(["html", "xml", "txt"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # templates are part of the installed package: never looked at again once compiled
        # (with Jinja's default every render asked the file system whether each template of
        # the page had changed: ~6 % of a loaded server's busy time, bench/README.md)
        auto_reload=False,
    )
    env.globals.update(
        version=__version__, static=static_url, THEMES=THEME_LABELS, FREQUENCIES=FREQUENCY_LABELS,
        STATES=STATE_LABELS, LANGUAGES=LANGUAGES, LICENCES=licence_labels(),
    )
    env.filters["local_time"] = local_time
    return env


def local_time(iso: str | None, lang: str) -> str:
    """An ISO 8601 instant as people read it, in Ghent's time (``belfort.portal.values``)."""
    if not iso:
        return ""
    try:
        instant = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return values.format_datetime(instant, lang).text


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """``/static/…`` with a content hash, so browsers may cache it for a year."""
    file = STATIC_DIR / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.is_file() else __version__
    return f"/static/{path}?v={digest}"


def url_with(request: Request, **changes: Any) -> str:
    """The current page's URL with some query parameters replaced (None removes one); the
    path is the route's (``belfort.api.self_links``), never the raw one a client sent. An
    ``apikey`` the request carried is never copied into a link (it would be a secret in the
    page, and in the next request's log), nor any parameter of a request whose route marked
    its query private (``request.state.private_query``: the sign-in callback's code)."""
    private = getattr(request.state, "private_query", False)
    kept = [] if private else request.query_params.multi_items()
    params = [(k, v) for k, v in kept if k not in changes and k != KEY_PARAMETER]
    for key, value in changes.items():
        if isinstance(value, (list, tuple)):
            params += [(key, str(v)) for v in value]
        elif value is not None:
            params.append((key, str(value)))
    query = urlencode(params)
    return route_path(request) + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    principal: Principal,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("active", "")
    lang = language_of(request)
    t = Translator(lang)
    other = "en" if lang == "nl" else "nl"
    html = environment().get_template(template).render(
        request=request, lang=lang, t=t, principal=principal, staff=principal.is_admin,
        switch_url=url_with(request, lang=other), other_lang=other,
        url_with=lambda **c: url_with(request, **c), **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True,
                            secure=secure_cookies(request))
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Cookie"
    if principal.audience != "public":  # a page for a signed-in reader: never kept
        response.headers["Cache-Control"] = PRIVATE
    return response
