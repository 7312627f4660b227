"""Who is asking. For now: anonymous and admin; later staff roles, partners and purposes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: str | None = None
    name: str = "anonymous"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return f"key:{self.key_id}" if self.key_id else self.name


ANONYMOUS = Principal(role=Role.ANONYMOUS)
CLI_ADMIN = Principal(role=Role.ADMIN, name="cli")
"""The operator at the server's own command line: has the data directory, so is admin."""
