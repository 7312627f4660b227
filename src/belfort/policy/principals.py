"""Who is asking: anonymous users, API-key clients, people signed in through OpenID Connect,
devices, and the platform's own processes (the command line, the harvester, the demo).

A principal carries what the gate decides on (docs/access.md):

- ``role``: ``anonymous``; ``read`` (signed in: sees open data and what policies grant);
  ``write`` (may also publish, within its organisation when it has one); ``admin`` (sees
  and may change everything);
- ``kind``: how it proved who it is (no key, an API key, an OIDC token or staff session,
  a sensor credential, or the platform itself);
- ``staff_roles``: duties beyond the role, e.g. ``steward`` (approves access requests) and
  ``dpo`` (the data protection officer: reads the audit trail);
- ``organisation`` and ``groups``: what ODRL policies name as parties.

``parties`` lists every party identifier the principal answers to, so a policy's
``assignee`` is matched in one place; ``audience`` is the key under which answers that
depend on who asks may be cached.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class Kind(StrEnum):
    ANONYMOUS = "anonymous"
    KEY = "key"  # an API key (automation)
    PERSON = "person"  # signed in through OpenID Connect (bearer token or staff session)
    DEVICE = "device"  # a sensor's credential
    SYSTEM = "system"  # the platform itself: command line, harvester, demo loader


class StaffRole(StrEnum):
    STEWARD = "steward"
    DPO = "dpo"


PARTY_PREFIX = "urn:belfort:"
"""Party identifiers: ``urn:belfort:key:<id>``, ``urn:belfort:person:<subject>``,
``urn:belfort:group:<name>``, ``urn:belfort:organisation:<id>``, ``urn:belfort:device:<id>``;
``urn:belfort:public`` is everyone, ``urn:belfort:signed-in`` every signed-in principal."""
PUBLIC_PARTY = PARTY_PREFIX + "public"
SIGNED_IN_PARTY = PARTY_PREFIX + "signed-in"


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: str | None = None
    name: str = "anonymous"
    kind: Kind = Kind.ANONYMOUS
    subject: str | None = None  # the OIDC ``sub`` of a person, a device's id
    organisation: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    staff_roles: frozenset[StaffRole] = field(default_factory=frozenset)
    # the purpose this request declares (``X-Belfort-Purpose``), which policies may require
    purpose: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_signed_in(self) -> bool:
        """A person or an API-key client (devices only write observations)."""
        return self.kind in (Kind.KEY, Kind.PERSON, Kind.SYSTEM)

    @property
    def is_dpo(self) -> bool:
        return self.is_admin or StaffRole.DPO in self.staff_roles

    @property
    def is_steward(self) -> bool:
        return self.is_admin or StaffRole.STEWARD in self.staff_roles

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        if self.key_id:
            return f"key:{self.key_id}"
        if self.kind in (Kind.PERSON, Kind.DEVICE) and self.subject:
            return f"{self.kind.value}:{self.subject}"
        return self.name

    @property
    def parties(self) -> frozenset[str]:
        """Every ODRL party identifier this principal answers to."""
        found = {PUBLIC_PARTY}
        if self.is_signed_in:
            found.add(SIGNED_IN_PARTY)
        if self.key_id:
            found.add(f"{PARTY_PREFIX}key:{self.key_id}")
        if self.kind in (Kind.PERSON, Kind.DEVICE) and self.subject:
            found.add(f"{PARTY_PREFIX}{self.kind.value}:{self.subject}")
        if self.organisation:
            found.add(f"{PARTY_PREFIX}organisation:{self.organisation}")
        found.update(f"{PARTY_PREFIX}group:{group}" for group in self.groups)
        return frozenset(found)

    @property
    def audience(self) -> str:
        """The cache key of answers that depend on who asks: ``public`` for anonymous
        callers, ``admin`` for admins, else one key per set of parties (two principals with
        the same parties and role are granted the same by every policy)."""
        if self.is_admin:
            return "admin"
        if self.role == Role.ANONYMOUS and self.purpose is None:
            return "public"
        named = sorted(self.parties) + ([f"purpose:{self.purpose}"] if self.purpose else [])
        digest = hashlib.sha256("\n".join(named).encode()).hexdigest()[:24]
        return f"{self.role.value}:{digest}"


ANONYMOUS = Principal(role=Role.ANONYMOUS)
CLI_ADMIN = Principal(role=Role.ADMIN, name="cli", kind=Kind.SYSTEM)
"""The operator at the server's own command line: has the data directory, so is admin."""
