"""Who the caller is, decided once per request by one function.

An API key may come in ``Authorization: Bearer …`` (or ``Apikey …``), in ``X-API-Key`` or
as ``?apikey=`` (how Opendatasoft clients send it). :func:`presented_key` reads all three
the same way for every reader — the quota middleware, the cache rule
(:mod:`belfort.api.caching`) and authentication (:mod:`belfort.api.deps`):

- values are stripped; an empty value (``Bearer ``, ``?apikey=``) presents nothing;
- several non-empty values must agree, else the request is refused (400, ConflictingKeys);
- a key listed in ``BELFORT_PUBLIC_API_KEYS`` is an anonymous caller;
- a value that is a JWT is an OpenID Connect access token of a person
  (:mod:`belfort.policy.oidc`): invalid → 401 with ``WWW-Authenticate: Bearer
  error="invalid_token"``;
- any other key must be a valid, unexpired API key, else the request is refused (401).

:func:`identify` resolves the key to a principal once and keeps the answer in the ASGI
scope, so the quota middleware and the route's authentication see the same caller: a junk
key is never served as anonymous while counted under a key's quota.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from belfort.errors import BelfortError, ConflictingKeys
from belfort.platform import Platform
from belfort.policy.keys import authenticate
from belfort.policy.oidc import Provider, looks_like_jwt, person_of, verify
from belfort.policy.principals import ANONYMOUS, Principal
from belfort.policy.redaction import KEY_PARAMETER

KEY_SCHEMES = frozenset({"bearer", "apikey"})
SCOPE_KEY = "belfort.caller"


@dataclass(frozen=True)
class Caller:
    """The principal of a request, or the refusal its credentials earn."""

    principal: Principal = ANONYMOUS
    refusal: BelfortError | None = None

    @property
    def quota_key(self) -> str | None:
        """The key's id when the request is counted under a key's quota, else None (the
        client address counts)."""
        return self.principal.key_id if self.refusal is None else None


def presented_key(scope: Scope) -> str | None:
    """The one API key a request presents, or None; ConflictingKeys when it presents two."""
    values: list[str] = []
    for name, raw in scope.get("headers", []):
        lowered = name.lower()
        if lowered == b"authorization":
            scheme, _, value = raw.decode("latin-1").strip().partition(" ")
            if scheme.lower() in KEY_SCHEMES:
                values.append(value)
        elif lowered == b"x-api-key":
            values.append(raw.decode("latin-1"))
    query = scope.get("query_string", b"").decode("latin-1")
    if query:  # parsed, not searched: ``%61pikey`` is ``apikey`` too
        values += [v for k, v in parse_qsl(query, keep_blank_values=True) if k == KEY_PARAMETER]
    keys = {value.strip() for value in values if value.strip()}
    if len(keys) > 1:
        raise ConflictingKeys("the request presents more than one API key; send one")
    return keys.pop() if keys else None


PURPOSE_HEADER = b"x-belfort-purpose"
MAX_PURPOSE = 300


def declared_purpose(scope: Scope) -> str | None:
    """The purpose a request declares (``X-Belfort-Purpose: dpv:ResearchAndDevelopment``), which
    policies may require (docs/access.md); None when it declares none."""
    for name, raw in scope.get("headers", []):
        if name.lower() == PURPOSE_HEADER:
            value = raw.decode("latin-1").strip()[:MAX_PURPOSE]
            return value or None
    return None
def provider(platform: Platform) -> Provider:
    """The process's one OpenID Connect provider (discovery and keys cached with expiry)."""
    return platform.component(Provider, lambda p: Provider(p.settings))


def _resolve(platform: Platform, key: str) -> Caller:
    try:
        if looks_like_jwt(key):
            claims = verify(provider(platform), key)
            return Caller(principal=person_of(claims, platform.settings))
        with platform.db.session() as session:
            principal = authenticate(session, key)
    except BelfortError as exc:  # Unauthorized, InvalidToken, IdentityProviderUnavailable
        return Caller(refusal=exc)
    return Caller(principal=principal or ANONYMOUS)


async def identify(scope: Scope, platform: Platform) -> Caller:
    """The caller of this request (resolved once; later calls read the scope)."""
    known = scope.get(SCOPE_KEY)
    if isinstance(known, Caller):
        return known
    try:
        key = presented_key(scope)
    except ConflictingKeys as exc:
        caller = Caller(refusal=exc)
    else:
        if key is None or key in platform.settings.public_api_key_set:
            caller = Caller()
        else:
            caller = await run_in_threadpool(_resolve, platform, key)
    purpose = declared_purpose(scope)
    if purpose is not None and caller.refusal is None:
        caller = Caller(principal=replace(caller.principal, purpose=purpose))
    scope[SCOPE_KEY] = caller
    return caller
