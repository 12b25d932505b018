"""Domain errors. The API maps them to problem+json once; workers catch them once per job."""

from __future__ import annotations


def one_line(error: object, limit: int | None = None) -> str:
    """An error's text on one line (drivers' and brokers' messages span lines), cut to ``limit`` characters."""
    text = " ".join(str(error).split())
    return text if limit is None else text[:limit]


class CallpulseError(Exception):
    """Base of every error callpulse raises on purpose."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(CallpulseError):
    status = 400
    title = "Invalid input"


class NotFound(CallpulseError):
    status = 404
    title = "Not found"


class Conflict(CallpulseError):
    status = 409
    title = "Conflict"


class Unauthorized(CallpulseError):
    status = 401
    title = "Unauthorized"


class Forbidden(CallpulseError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(CallpulseError):
    status = 413
    title = "Payload too large"


class UnsupportedMedia(CallpulseError):
    status = 415
    title = "Unsupported media type"


class RateLimited(CallpulseError):
    status = 429
    title = "Too many requests"


class TaxonomyError(InvalidInput):
    title = "Invalid taxonomy"


class AudioError(CallpulseError):
    """A recording that cannot be decoded or is unfit for transcription (the call fails, the batch goes on)."""

    status = 422
    title = "Unusable recording"


class ModelError(CallpulseError):
    title = "Speech model unavailable"


class DatabaseNotReady(CallpulseError):
    status = 503
    title = "Database not ready"
