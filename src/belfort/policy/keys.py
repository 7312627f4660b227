"""API keys: created by ``belfort keys create``, stored as SHA-256 hashes only.

Keys are 32 random bytes, so a fast hash is safe (no dictionary attack applies);
look-up is by hash inside the database index, and the found hash is compared again in
constant time (``hmac.compare_digest``).

A key has a role (``read``, ``write`` or ``admin``), may be scoped to an organisation and
may expire (``--expires-in DAYS``). An expired or revoked key is refused (401), and every
staff session started with it ends with it (``belfort.policy.sessions``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from belfort.catalog.models import ApiKey, StaffSession, utcnow
from belfort.errors import InvalidRequest, NotFound, Unauthorized
from belfort.policy.principals import Kind, Principal, Role

KEY_PREFIX = "bfk_"
MAX_PRESENTED_LENGTH = 200
MAX_EXPIRY_DAYS = 3650
ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._'&()-]{0,199}$")
KEY_ROLES = (Role.READ, Role.WRITE, Role.ADMIN)


@dataclass(frozen=True)
class CreatedKey:
    id: str
    name: str
    role: Role
    secret: str  # shown once, never stored
    organisation: str | None = None
    expires_at: datetime | None = None


class KeyRow(NamedTuple):
    """A key as ``belfort keys list`` shows it (a tuple, as the listing was before)."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    organisation: str | None
    expires_at: datetime | None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return f"revoked {self.revoked_at:%Y-%m-%d}"
        if self.expires_at is not None:
            word = "expired" if self.expires_at <= utcnow() else "expires"
            return f"{word} {self.expires_at:%Y-%m-%d}"
        return "active"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_scope(organisation: str | None, expires_in_days: float | None) -> None:
    """InvalidRequest unless the organisation is a plain name and the expiry 1..3650 days."""
    if organisation is not None and not ORGANISATION.fullmatch(organisation):
        raise InvalidRequest(
            "an organisation is 1 to 200 letters, digits, spaces and . _ ' & ( ) -")
    if expires_in_days is not None and not 0 < expires_in_days <= MAX_EXPIRY_DAYS:
        raise InvalidRequest(f"a key expires in 1 to {MAX_EXPIRY_DAYS} days")


def create_key(session: Session, name: str, role: Role = Role.ADMIN, *,
               organisation: str | None = None,
               expires_in_days: float | None = None) -> CreatedKey:
    if role not in KEY_ROLES:
        raise InvalidRequest("a key's role is read, write or admin")
    check_scope(organisation, expires_in_days)
    key_id = secrets.token_hex(8)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    expires_at = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    session.add(ApiKey(id=key_id, name=name[:200], role=role.value, secret_hash=_hash(secret),
                       organisation=organisation, expires_at=expires_at))
    return CreatedKey(id=key_id, name=name, role=role, secret=secret, organisation=organisation,
                      expires_at=expires_at)


def revoke_key(session: Session, key_id: str) -> None:
    """The key stops working, and so does every staff session started with it."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id!r}")
    key.revoked_at = utcnow()
    session.execute(delete(StaffSession).where(StaffSession.key_id == key_id))


def list_keys(session: Session) -> list[KeyRow]:
    rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
    return [KeyRow(k.id, k.name, k.role, k.created_at, k.revoked_at, k.organisation, k.expires_at)
            for k in rows]


def usable(key: ApiKey) -> bool:
    """Not revoked and not expired."""
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > utcnow())


def authenticate(session: Session, presented: str | None) -> Principal | None:
    """The principal for a presented key; None when no key was presented.

    A presented key that is malformed, unknown, revoked or expired is an error, not a silent
    fall-back to anonymous: a client that thinks it is admin should be told.
    """
    if presented is None or presented == "":
        return None
    if len(presented) > MAX_PRESENTED_LENGTH or not presented.startswith(KEY_PREFIX):
        raise Unauthorized("invalid API key")
    digest = _hash(presented)
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == digest))
    if key is None or not hmac.compare_digest(key.secret_hash, digest) or key.revoked_at:
        raise Unauthorized("invalid API key")
    if not usable(key):
        raise Unauthorized("this API key has expired")
    return principal_of_key(key)


def principal_of_key(key: ApiKey) -> Principal:
    return Principal(role=Role(key.role), key_id=key.id, name=key.name, kind=Kind.KEY,
                     organisation=key.organisation)
