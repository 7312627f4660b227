"""People signed in through OpenID Connect: Belfort as a resource server.

A bearer token that is a JWT (not a ``bfk_`` API key) is checked here against the provider
named by ``BELFORT_OIDC_ISSUER``:

- the provider's discovery document (``/.well-known/openid-configuration``) and signing keys
  (its JWKS) are fetched once and kept ``BELFORT_OIDC_KEYS_CACHE_SECONDS``; a token naming a
  key id that is not among them refetches the keys, but at most once every
  ``BELFORT_OIDC_KEYS_REFETCH_SECONDS`` (a flood of forged key ids cannot hammer the
  provider: they are refused from the cache);
- the signature, with an algorithm from ``BELFORT_OIDC_ALGORITHMS`` and of the key's own
  type (``none`` and the HMAC algorithms are never accepted: a public key is no secret);
- ``iss``, ``aud``, ``exp``, ``nbf`` and ``iat`` (with ``BELFORT_OIDC_LEEWAY_SECONDS``), ``sub``.

Every refusal is :class:`~belfort.errors.InvalidToken` with a reason that never quotes the
token. The claims become a :class:`~belfort.policy.principals.Principal` of kind ``person``
through the claim mapping settings (:func:`person_of`).

The cache is per process and expires: nothing only one process knows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from belfort.errors import IdentityProviderUnavailable, InvalidToken
from belfort.policy.principals import Kind, Principal, Role, StaffRole
from belfort.settings import Settings

REFUSED_ALGORITHMS = frozenset({"none", "HS256", "HS384", "HS512"})
MAX_TOKEN_LENGTH = 16_384
HTTP_TIMEOUT = 10.0
MAX_DOCUMENT_BYTES = 1_000_000
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}  # algorithm family → JWK kty
BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def looks_like_jwt(value: str) -> bool:
    """Three base64url parts separated by dots (a compact JWS): a token, not an API key."""
    parts = value.split(".")
    return len(parts) == 3 and all(part and set(part) <= BASE64URL for part in parts[:2])


def _names(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.split(",") if item.strip())


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested objects (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    found: Any = claims
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def _strings(value: Any) -> frozenset[str]:
    """A claim holding a list of names or one space-separated string, as a set of names."""
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(str(v)[:200] for v in value if isinstance(v, str | int) and str(v))
    return frozenset()


def person_of(claims: dict[str, Any], settings: Settings) -> Principal:
    """The principal of a verified token's (or ID token's) claims."""
    roles = _strings(_claim(claims, settings.oidc_roles_claim))
    if roles & _names(settings.oidc_admin_roles):
        role = Role.ADMIN
    elif roles & _names(settings.oidc_write_roles):
        role = Role.WRITE
    else:
        role = Role.READ  # signed in: sees open data and what policies grant
    staff = set()
    if roles & _names(settings.oidc_steward_roles):
        staff.add(StaffRole.STEWARD)
    if roles & _names(settings.oidc_dpo_roles):
        staff.add(StaffRole.DPO)
    organisation = _claim(claims, settings.oidc_organisation_claim)
    subject = str(claims["sub"])
    name = next((str(v) for v in (_claim(claims, settings.oidc_name_claim),
                                  claims.get("preferred_username"), subject)
                 if isinstance(v, str) and v.strip()), subject)
    return Principal(role=role, name=name[:200], kind=Kind.PERSON, subject=subject[:200],
                     organisation=str(organisation)[:200] if isinstance(organisation, str | int)
                     and str(organisation) else None,
                     groups=_strings(_claim(claims, settings.oidc_groups_claim)),
                     staff_roles=frozenset(staff))


@dataclass(frozen=True)
class SigningKey:
    key: Any  # a cryptography public key
    key_type: str  # the JWK ``kty``: RSA, EC, OKP
    declared_alg: str | None  # the JWK's ``alg`` when it names one


@dataclass
class _Cached:
    value: dict[str, Any]
    fetched_at: float


@dataclass
class Provider:
    """The provider's discovery document and signing keys, cached with expiry."""

    settings: Settings
    fetch: Callable[[str], dict[str, Any]] | None = None
    clock: Callable[[], float] = time.monotonic
    _metadata: _Cached | None = None
    _keys: dict[str, SigningKey] = field(default_factory=dict)
    _keys_fetched_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    fetches: int = 0  # how often the keys were fetched (tests, the bench)

    @property
    def issuer(self) -> str:
        if not self.settings.oidc_issuer:
            raise InvalidToken(
                "this server accepts no OpenID Connect tokens (no provider configured)")
        return self.settings.oidc_issuer

    def _get(self, url: str) -> dict[str, Any]:
        if self.fetch is not None:
            return self.fetch(url)
        try:
            response = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
            response.raise_for_status()
            if len(response.content) > MAX_DOCUMENT_BYTES:
                raise ValueError("document too large")
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityProviderUnavailable(
                f"the identity provider could not be read ({type(exc).__name__})") from None
        if not isinstance(document, dict):
            raise IdentityProviderUnavailable("the identity provider answered something unreadable")
        return document

    def metadata(self) -> dict[str, Any]:
        """The discovery document (its ``issuer`` must be the configured one)."""
        cached = self._metadata
        now = self.clock()
        if cached is not None and now - cached.fetched_at < self.settings.oidc_keys_cache_seconds:
            return cached.value
        document = self._get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
            raise IdentityProviderUnavailable(
                "the identity provider's discovery document names another issuer")
        self._metadata = _Cached(document, now)
        return document

    def _refresh_keys(self, now: float) -> None:
        jwks_uri = self.metadata().get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise IdentityProviderUnavailable("the identity provider publishes no signing keys")
        document = self._get(jwks_uri)
        keys: dict[str, SigningKey] = {}
        for entry in document.get("keys", []) if isinstance(document.get("keys"), list) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or curve this server cannot use
            alg = entry.get("alg")
            keys[str(entry.get("kid", ""))] = SigningKey(
                key.key, str(entry.get("kty", "")), alg if isinstance(alg, str) else None)
        self._keys, self._keys_fetched_at = keys, now
        self.fetches += 1

    def key(self, kid: str) -> SigningKey:
        """The signing key of ``kid``; refetched when stale, or unknown and not refetched
        within ``BELFORT_OIDC_KEYS_REFETCH_SECONDS``. A token without ``kid`` uses the
        provider's key when it publishes exactly one."""
        with self._lock:
            now = self.clock()
            age = None if self._keys_fetched_at is None else now - self._keys_fetched_at
            if age is None or age >= self.settings.oidc_keys_cache_seconds or (
                    kid not in self._keys and age >= self.settings.oidc_keys_refetch_seconds):
                self._refresh_keys(now)
            found = self._keys.get(kid)
            if found is None and not kid and len(self._keys) == 1:
                found = next(iter(self._keys.values()))  # no ``kid``: the provider's one key
        if found is None:
            raise InvalidToken(
                "the token is signed with a key the identity provider does not publish")
        return found


def verify(provider: Provider, token: str, audience: str | None = None,
           nonce: str | None = None) -> dict[str, Any]:
    """The claims of a valid token, else InvalidToken saying why."""
    settings = provider.settings
    if len(token) > MAX_TOKEN_LENGTH or not looks_like_jwt(token):
        raise InvalidToken("the bearer token is malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("the bearer token is malformed") from None
    algorithm = header.get("alg")
    allowed = _names(settings.oidc_algorithms) - REFUSED_ALGORITHMS
    if not isinstance(algorithm, str) or algorithm not in allowed:
        raise InvalidToken("the token's signature algorithm is not accepted")
    kid = header.get("kid", "")
    key = provider.key(kid if isinstance(kid, str) else "")
    if KEY_TYPES.get(algorithm[:2]) != key.key_type or key.declared_alg not in (None, algorithm):
        raise InvalidToken("the token's algorithm does not match its key")
    expected_audience = audience or settings.oidc_audience or settings.oidc_client_id
    if not expected_audience:
        raise InvalidToken("this server accepts no OpenID Connect tokens (no audience configured)")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key=key.key, algorithms=[algorithm], audience=expected_audience,
            issuer=provider.issuer, leeway=settings.oidc_leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except jwt.ImmatureSignatureError:
        raise InvalidToken("the token is not valid yet") from None
    except jwt.InvalidAudienceError:
        raise InvalidToken("the token is for another audience") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("the token is from another issuer") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("the token's signature is not valid") from None
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"the token has no {exc.claim!r} claim") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise InvalidToken("the bearer token is malformed") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidToken("the token names no subject")
    if nonce is not None and claims.get("nonce") != nonce:
        raise InvalidToken("the token was not issued for this sign-in (nonce)")
    return claims
