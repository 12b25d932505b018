"""API keys: shown once, stored hashed, looked up by prefix, revocable; roles are ordered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.auth import create_api_key, hash_api_key, list_api_keys, revoke_api_key, role_allows, verify_api_key
from core.db import Database
from core.errors import InvalidInput, NotFound
from core.models import ApiKey, Role


def test_key_lifecycle(db: Database) -> None:
    with db.session() as s:
        info, key = create_api_key(s, Role.OPS, "pager")
    assert key.startswith("cp_") and len(key) > 40 and key.startswith(info.prefix)
    with db.session() as s:
        stored = s.scalars(select(ApiKey)).one()
        assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash
        found = verify_api_key(s, key)
        assert found is not None and found.role == Role.OPS and found.name == "pager"
        assert verify_api_key(s, key[:-1] + "x") is None
        assert verify_api_key(s, "not-a-key") is None
    with db.session() as s:
        assert list_api_keys(s)[0].last_used_at is not None
        revoke_api_key(s, info.id)
    with db.session() as s:
        assert verify_api_key(s, key) is None
        with pytest.raises(NotFound):
            revoke_api_key(s, 99)
        with pytest.raises(InvalidInput):
            create_api_key(s, "root")


def test_role_order() -> None:
    assert role_allows(Role.ADMIN, Role.ANALYST) and role_allows(Role.QA, Role.QA)
    assert not role_allows(Role.ANALYST, Role.QA) and not role_allows(Role.OPS, Role.ADMIN)
