"""Cross-origin reads, answered the Opendatasoft way — and the one place that decides.

Ghent's widgets run on the city's own sites and call the portal from there. Opendatasoft
answers every public API call with ``Access-Control-Allow-Origin: *``; Belfort does the
same for the paths in :data:`RULES` — the Opendatasoft dialects, the native API, exports,
the portal's download URLs and the linked-data answers — preflight (``OPTIONS``) included,
and errors (400, 404, 429, …) included, so a browser app can read why it failed.

What never gets CORS: the portal's pages and form posts and the staff pages. They read
the staff sign-in cookie, and cookies are ambient authority: a page on another site must
not be able to read what a signed-in browser sees. ``Access-Control-Allow-Credentials``
is never sent, so a browser never exposes a credentialed (cookie-carrying) answer to
another origin even where CORS is on.

Admin writes under ``/api/belfort/v1`` are allowed cross-origin too: they need an API key
in a header, which a browser only sends when the calling script itself has the key, so
CORS gives another site nothing it did not already hold (a header key is not ambient
authority the way a cookie is).

Credentials only for configured origins: an exact origin listed in
``BELFORT_CORS_CREDENTIAL_ORIGINS`` (a city app that signs its users in) gets its own origin
echoed with ``Access-Control-Allow-Credentials: true`` on the same paths, preflight
included; every other origin still gets ``*`` without credentials. While any such origin is
configured, CORS answers carry ``Vary: Origin`` so no cache hands one origin's answer to
another.

Answers that are HTML (a linked-data URI opened in a browser, a register entry page) are
pages, not data, and stay same-origin even under a linked-data path; so does any answer
under such a path to a request that carries the staff cookie (those routes read it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

from belfort.api.asgi_headers import Headers, rewriting_headers

ALLOW_HEADERS = ("Authorization, X-API-Key, X-Belfort-Purpose, Content-Type, Accept, "
                 "Accept-Language, If-None-Match")
# Headers a cross-origin script may read besides the CORS-safelisted ones: the quota
# (as Opendatasoft's X-RateLimit-*), a download's file name, caching and linked-data links.
EXPOSE_HEADERS = ("X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, "
                  "Content-Disposition, Content-Language, ETag, Link, Content-Location, "
                  "Belfort-Results-Truncated")
MAX_AGE = "86400"
# belfort.portal.render.STAFF_COOKIE (the API layer does not import the portal; a test
# checks the two agree)
STAFF_COOKIE = b"belfort_staff"
READ = "GET, HEAD, OPTIONS"


@dataclass(frozen=True)
class Rule:
    """CORS for paths starting with ``prefix`` (or equal to it when ``exact``; ending in
    one of ``suffixes`` when given)."""

    prefix: str
    methods: str = READ
    exact: bool = False
    suffixes: tuple[str, ...] = ()
    # never on an HTML answer, nor on any answer to a request with the staff cookie: these
    # routes also serve pages and read the cookie
    data_only: bool = False

    def matches(self, path: str) -> bool:
        if self.exact:
            return path == self.prefix
        return path.startswith(self.prefix) and (not self.suffixes or path.endswith(self.suffixes))


RULES: tuple[Rule, ...] = (
    # Opendatasoft v1 and Explore v2.1: read-only, as Opendatasoft's
    Rule("/api/records/1.0/"),
    Rule("/api/datasets/1.0/"),
    Rule("/api/explore/"),
    # the native API: reads for everyone, writes with an API key in a header
    Rule("/api/belfort/", methods="GET, HEAD, POST, PATCH, OPTIONS"),
    Rule("/api/", exact=True),
    Rule("/openapi.json", exact=True),
    Rule("/health", exact=True),
    # the old portal's download URLs (docs/opendatasoft.md): the same data as an export;
    # its other /explore/ URLs are redirects to portal pages
    Rule("/explore/dataset/", suffixes=("/download", "/download/")),
    # linked data: SPARQL (GET and POST), DCAT, event streams, record URIs, vocabularies,
    # the processing register as RDF
    Rule("/sparql", methods="GET, HEAD, POST, OPTIONS", exact=True),
    Rule("/catalog", data_only=True),
    Rule("/ldes/", data_only=True),
    Rule("/id/", data_only=True),
    Rule("/def/", data_only=True),
    Rule("/verwerkingsregister/", data_only=True),
    # Gent in Cijfers' Swing-compatible API (read-only, as Swing's)
    Rule("/jiveservices/odata/"),
    Rule("/viewerservices/odata/"),
    Rule("/jive/selectiontableasjson.ashx", exact=True),
)


def rule_for(path: str) -> Rule | None:
    """The CORS rule of a path, or None: the path stays same-origin."""
    for rule in RULES:
        if rule.matches(path):
            return rule
    return None


def _allow(origin: bytes | None) -> list[tuple[bytes, bytes]]:
    """``*``, or a configured credential origin echoed with credentials allowed."""
    if origin is None:
        return [(b"access-control-allow-origin", b"*")]
    return [(b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true")]


def response_headers(origin: bytes | None = None) -> list[tuple[bytes, bytes]]:
    return [*_allow(origin), (b"access-control-expose-headers", EXPOSE_HEADERS.encode())]


def preflight_headers(rule: Rule, origin: bytes | None = None) -> list[tuple[bytes, bytes]]:
    return [*_allow(origin),
            (b"access-control-allow-methods", rule.methods.encode()),
            (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
            (b"access-control-max-age", MAX_AGE.encode()),
            (b"content-length", b"0")]


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.lower().startswith(b"text/html")
    return False


class CorsMiddleware:
    """Adds the CORS headers of :func:`rule_for` to every answer (errors too) and answers
    preflight requests itself, before quotas and routing. Registered outermost, so a
    quota's 429 carries them as well."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = rule_for(scope.get("path", ""))
        if rule is not None and rule.data_only and _has_staff_cookie(scope):
            rule = None
        if rule is None:
            await self.app(scope, receive, send)
            return
        trusted = _credential_origins(scope)
        origin = _header(scope, b"origin")
        credentialed = origin if origin is not None and origin in trusted else None
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method") is not None:
            headers = preflight_headers(rule, credentialed)
            await send({"type": "http.response.start", "status": 204,
                        "headers": _vary_origin(headers) if trusted else headers})
            await send({"type": "http.response.body", "body": b""})
            return

        def add_cors(headers: Headers) -> Headers:
            headers = [(k, v) for k, v in headers if not k.lower().startswith(b"access-control-")]
            if not (rule.data_only and _is_html(headers)):
                headers += response_headers(credentialed)
                if trusted:
                    headers = _vary_origin(headers)
            return headers

        await self.app(scope, receive, rewriting_headers(send, add_cors))


def _credential_origins(scope: Scope) -> frozenset[bytes]:
    """``BELFORT_CORS_CREDENTIAL_ORIGINS`` of the app serving this request (none when the
    app has no platform, e.g. a bare test app)."""
    platform = getattr(getattr(scope.get("app"), "state", None), "platform", None)
    settings = getattr(platform, "settings", None)
    return _origins(settings.cors_credential_origins) if settings is not None else frozenset()


@lru_cache(maxsize=8)
def _origins(setting: str) -> frozenset[bytes]:
    return frozenset(o.strip().rstrip("/").encode("latin-1") for o in setting.split(",") if o.strip())


def _vary_origin(headers: Headers) -> Headers:
    """Adds ``Origin`` to the answer's ``Vary`` (kept with whatever it already names)."""
    named = [v for k, v in headers if k.lower() == b"vary"]
    values = {p.strip().lower() for v in named for p in v.split(b",") if p.strip()}
    if b"origin" in values:
        return headers
    rest = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return [*rest, (b"vary", b", ".join([*(v for v in named if v.strip()), b"Origin"]))]


def _has_staff_cookie(scope: Scope) -> bool:
    cookies = _header(scope, b"cookie") or b""
    return any(part.strip().startswith(STAFF_COOKIE + b"=") for part in cookies.split(b";"))


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None
