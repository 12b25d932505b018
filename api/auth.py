"""Who is calling: bearer API keys or the dashboard's signed session cookie, plus per-key rate limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

from core.errors import RateLimited

SESSION_COOKIE = "callpulse_session"
SESSION_MAX_AGE_S = 12 * 3600
_secret: list[bytes] = [secrets.token_bytes(32)]  # replaced at startup by the configured or persisted secret


def set_session_secret(secret: bytes) -> None:
    _secret[0] = secret


def _sign(payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(_secret[0], payload, hashlib.sha256).digest()).decode().rstrip("=")


def make_session_cookie(key: str, now: float | None = None) -> str:
    """A cookie value carrying the API key, the issue time and an HMAC over both."""
    issued = int(now if now is not None else time.time())
    payload = f"{issued}:{key}".encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(payload)


def read_session_cookie(value: str, now: float | None = None) -> str | None:
    """The API key inside a valid, unexpired cookie, else None."""
    body, _, signature = value.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if not signature or not hmac.compare_digest(_sign(payload), signature):
        return None
    issued, _, key = payload.decode(errors="replace").partition(":")
    if not issued.isdigit() or (now if now is not None else time.time()) - int(issued) > SESSION_MAX_AGE_S:
        return None
    return key or None


class RateLimitExceeded(RateLimited):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Token bucket per API key: `per_minute` requests in a burst, refilled continuously."""

    per_minute: int
    buckets: dict[int, _Bucket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key_id: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self.lock:
            bucket = self.buckets.setdefault(key_id, _Bucket(float(self.per_minute), now))
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = math.ceil((1.0 - bucket.tokens) / rate)
        raise RateLimitExceeded(f"rate limit of {self.per_minute} requests per minute exceeded", max(1, wait))
