"""API keys: created by ``belfort keys create``, stored as SHA-256 hashes only.

Keys are 32 random bytes, so a fast hash is safe (no dictionary attack applies);
look-up is by hash, and comparison happens inside the database index.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import ApiKey, utcnow
from belfort.errors import NotFound, Unauthorized
from belfort.policy.principals import Kind, Principal, Role

KEY_PREFIX = "bfk_"
MAX_PRESENTED_LENGTH = 200


@dataclass(frozen=True)
class CreatedKey:
    id: str
    name: str
    role: Role
    secret: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, role: Role = Role.ADMIN) -> CreatedKey:
    key_id = secrets.token_hex(8)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(id=key_id, name=name[:200], role=role.value, secret_hash=_hash(secret)))
    return CreatedKey(id=key_id, name=name, role=role, secret=secret)


def revoke_key(session: Session, key_id: str) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id!r}")
    key.revoked_at = utcnow()


def list_keys(session: Session) -> list[tuple[str, str, str, datetime, datetime | None]]:
    rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
    return [(k.id, k.name, k.role, k.created_at, k.revoked_at) for k in rows]


def authenticate(session: Session, presented: str | None) -> Principal | None:
    """The principal for a presented key; None when no key was presented.

    A presented key that is malformed, unknown or revoked is an error, not a silent
    fall-back to anonymous: a client that thinks it is admin should be told.
    """
    if presented is None or presented == "":
        return None
    if len(presented) > MAX_PRESENTED_LENGTH or not presented.startswith(KEY_PREFIX):
        raise Unauthorized("invalid API key")
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == _hash(presented)))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("invalid API key")
    return Principal(role=Role(key.role), key_id=key.id, name=key.name, kind=Kind.KEY)
