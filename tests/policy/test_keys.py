from __future__ import annotations

import pytest

from belfort.catalog.models import ApiKey
from belfort.errors import Unauthorized
from belfort.platform import Platform
from belfort.policy.keys import authenticate, create_key, revoke_key
from belfort.policy.principals import Role


def test_keys_are_stored_hashed_and_authenticate(platform: Platform) -> None:
    with platform.db.session() as session:
        created = create_key(session, "data team")
    with platform.db.session() as session:
        stored = session.get(ApiKey, created.id)
        assert created.secret not in (stored.secret_hash, stored.name)
        principal = authenticate(session, created.secret)
        assert principal is not None and principal.role == Role.ADMIN
        assert authenticate(session, None) is None


@pytest.mark.parametrize("presented", ["bfk_wrong", "nonsense", "bfk_" + "a" * 500, "' OR 1=1 --"])
def test_bad_keys_are_refused(platform: Platform, presented: str) -> None:
    with platform.db.session() as session, pytest.raises(Unauthorized):
        authenticate(session, presented)


def test_revoked_keys_stop_working(platform: Platform) -> None:
    with platform.db.session() as session:
        created = create_key(session, "tijdelijk")
    with platform.db.session() as session:
        revoke_key(session, created.id)
    with platform.db.session() as session, pytest.raises(Unauthorized):
        authenticate(session, created.secret)
