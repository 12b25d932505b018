"""API keys: generated once, stored as a SHA-256 hash with a short lookup prefix; roles are ordered."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from core.models import ApiKey, Role, utcnow

KEY_PREFIX = "cp_"
PREFIX_LEN = 11  # "cp_" + 8 characters: enough to tell keys apart in a listing, useless to an attacker
ROLE_ORDER: tuple[Role, ...] = (Role.ANALYST, Role.QA, Role.OPS, Role.ADMIN)


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    prefix: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def role_rank(role: Role | str) -> int:
    return ROLE_ORDER.index(Role(role))


def role_allows(role: Role | str, required: Role) -> bool:
    """True when `role` is at least as strong as `required` (analyst < qa < ops < admin)."""
    return role_rank(role) >= role_rank(required)


def hash_api_key(key: str) -> str:
    # Keys carry 256 bits of randomness, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(key.encode()).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        role=Role(row.role),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def create_api_key(session: Session, role: Role | str, name: str | None = None) -> tuple[KeyInfo, str]:
    """Create a key; the clear key is returned only here and never stored."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"unknown role {role!r}; choose one of {', '.join(ROLE_ORDER)}") from exc
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name or f"{role}-key", prefix=key[:PREFIX_LEN], key_hash=hash_api_key(key), role=role)
    session.add(row)
    session.flush()
    return _info(row), key


def verify_api_key(session: Session, key: str, touch: bool = True) -> KeyInfo | None:
    """The key's record if the key is known and not revoked, else None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = hash_api_key(key)
    rows = session.scalars(select(ApiKey).where(ApiKey.prefix == key[:PREFIX_LEN])).all()
    for row in rows:
        if hmac.compare_digest(row.key_hash, digest) and row.revoked_at is None:
            now = utcnow()
            # Written at most once a minute so read-heavy clients do not turn every request into a write.
            if touch and (row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1)):
                row.last_used_at = now
            return _info(row)
    return None


def list_api_keys(session: Session, include_revoked: bool = True) -> list[KeyInfo]:
    query = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [_info(row) for row in session.scalars(query)]


def revoke_api_key(session: Session, key_id: int) -> KeyInfo:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key with id {key_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return _info(row)
