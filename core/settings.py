"""The one settings object. Nothing else in callpulse reads the environment."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ExecutorKind(StrEnum):
    LOCAL = "local"
    CELERY = "celery"


class WhisperSettings(BaseModel):
    model: str = Field(
        "base", description="'base' (the bundled multilingual model), a CTranslate2 directory, or a hub name"
    )
    model_cache_dir: Path = Field(
        Path.home() / ".cache" / "callpulse" / "models",
        description="Where the bundled model is reassembled once (model.bin from its two parts)",
    )
    device: str = Field("cpu", description="ctranslate2 device: cpu, cuda or auto")
    compute_type: str = Field("int8", description="ctranslate2 compute type, e.g. int8, int8_float32, float16")
    beam_size: int = Field(5, ge=1, le=10, description="Beam size for decoding")
    cpu_threads: int = Field(1, ge=0, description="Threads per worker process (0 lets ctranslate2 decide)")


class TranscribeSettings(BaseModel):
    agent_channel: int = Field(0, ge=0, le=1, description="Which stereo channel carries the agent (0 = left)")
    allowed_languages: list[str] = Field(
        default_factory=lambda: ["en", "hr", "hu", "ru", "zh"],
        description="Languages a call may be identified as; others fall back to default_language",
    )
    default_language: str = Field("en", description="Language used when identification is unsure")
    min_language_probability: float = Field(0.5, ge=0, le=1, description="Below this, use default_language")
    max_call_seconds: float = Field(3 * 3600, gt=0, description="Longer recordings fail as too long")
    max_decode_seconds_per_audio_minute: float = Field(
        60.0, gt=0, description="Decode-time bound: a call taking longer per audio minute is failed"
    )
    redact_audio: bool = Field(False, description="Also write a copy of the audio with PII spans muted")
    redacted_audio_dir: Path = Field(Path("callpulse-redacted"), description="Where redacted audio copies go")


class DetectSettings(BaseModel):
    min_history_days: int = Field(7, ge=1, description="History needed before a series can alert")
    cooldown_hours: int = Field(24, ge=0, description="After an alert, the same incident key stays quiet")
    min_ratio: float = Field(1.5, gt=1, description="Smallest rate ratio worth an alert")
    min_excess_calls: float = Field(5.0, ge=0, description="Smallest absolute excess of calls worth an alert")
    silence_hours: int = Field(
        3,
        ge=0,
        description="Whole hours without a single new call, in hours that usually hold silence_min_calls or more, "
        "that raise a 'no calls' alert (the intake stopped); 0 turns it off. Set it above the recorder's export delay",
    )
    silence_min_calls: float = Field(30.0, gt=0, description="Calls those silent hours must usually hold")


def _check_http_url(url: str) -> str:
    # A URL no HTTP client can post to would be retried until max_attempts on every alert, unnoticed.
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host")
    return url


class DeliveryRoute(BaseModel):
    """One destination and the alerts it takes; a filter left empty takes every alert."""

    channel: Literal["webhook", "slack", "email"] = Field(description="Generic JSON webhook, Slack or e-mail")
    target: str = Field(description="The webhook URL, or the recipient's address for e-mail")
    min_severity: Literal["low", "medium", "high"] = Field(
        "low", description="Alerts below this severity are not sent (an incident that grows is sent when it does)"
    )
    kinds: list[Literal["topic", "emerging", "volume"]] = Field(default_factory=list, description="Alert kinds")
    topics: list[str] = Field(
        default_factory=list,
        description="Topic ids or their groups ('billing' takes 'billing.unexpected_charge'); emerging and volume "
        "alerts name no topic, so a route with topics does not take them",
    )
    queues: list[str] = Field(
        default_factory=list,
        description="Alerts placed in one of these queues, and alerts not confined to a queue (they reach it too)",
    )
    languages: list[str] = Field(default_factory=list, description="As queues, for the callers' languages")

    @model_validator(mode="after")
    def _target_fits_channel(self) -> DeliveryRoute:
        if self.channel == "email":
            if "@" not in self.target:
                raise ValueError(f"e-mail route target {self.target!r} is not an address")
        else:
            _check_http_url(self.target)
        return self


class DeliverySettings(BaseModel):
    webhook_urls: list[str] = Field(default_factory=list, description="Generic JSON webhooks")
    slack_webhook_urls: list[str] = Field(default_factory=list, description="Slack-compatible webhooks")
    smtp_host: str | None = Field(None, description="SMTP server for e-mail alerts")
    smtp_port: int = Field(25, description="SMTP port")
    smtp_from: str = Field("callpulse@localhost", description="Sender address")
    email_to: list[str] = Field(default_factory=list, description="Recipients of alert e-mails")
    routes: list[DeliveryRoute] = Field(
        default_factory=list,
        description="Destinations that take only some alerts (by severity, kind, topic, queue, language), beside "
        "the lists above, which take every alert",
        examples=[[{"channel": "slack", "target": "https://hooks.slack.com/services/T0/B0/x", "topics": ["billing"]}]],
    )
    max_attempts: int = Field(5, ge=1, description="Delivery attempts before giving up")
    backoff_seconds: float = Field(2.0, ge=0, description="First retry delay; doubles every attempt")
    timeout_seconds: float = Field(5.0, gt=0, description="Per-attempt network timeout")
    max_age_hours: float = Field(
        48.0,
        gt=0,
        description="Alerts whose incident was last seen longer ago are not sent: a first run over imported "
        "history shows old incidents in the inbox without paging anyone",
    )

    @field_validator("webhook_urls", "slack_webhook_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        return [_check_http_url(url) for url in urls]


class ApiSettings(BaseModel):
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per API key")
    max_upload_mb: int = Field(200, ge=1, description="Largest accepted audio upload")
    session_secret: SecretStr | None = Field(None, description="Signs dashboard session cookies (random if unset)")


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """callpulse configuration, from CALLPULSE_* environment variables (nested with '__')."""

    model_config = SettingsConfigDict(env_prefix="CALLPULSE_", env_nested_delimiter="__", extra="ignore")

    database_url: str = Field("sqlite:///callpulse.db", description="SQLAlchemy URL of the database")
    executor: ExecutorKind = Field(ExecutorKind.LOCAL, description="local process pool or celery")
    broker_url: str = Field("redis://127.0.0.1:6379/0", description="Celery broker for the celery executor")
    workers: int = Field(default_factory=_default_workers, ge=1, description="Local worker processes")
    audio_dir: Path = Field(Path("callpulse-audio"), description="Where uploaded audio is stored")
    hash_key: SecretStr | None = Field(
        None, description="Key for hashing caller ids; generated once and kept in the database if unset"
    )
    retention_days: int | None = Field(
        None,
        ge=30,
        le=36500,  # core.retention's bounds: a longer period would make the purge's cutoff date overflow
        description="Every `process` run deletes calls older than this many days (their recordings kept by callpulse "
        "too), at most 36500; hourly counts stay. Unset: calls are kept",
    )
    whisper: WhisperSettings = Field(default_factory=WhisperSettings)
    transcribe: TranscribeSettings = Field(default_factory=TranscribeSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @field_validator("audio_dir")
    @classmethod
    def _absolute_audio_dir(cls, value: Path) -> Path:
        # Paths of uploads are stored in the database and read by other processes in other working directories.
        return value.expanduser().resolve()

    @field_validator("delivery")
    @classmethod
    def _email_needs_smtp(cls, delivery: DeliverySettings) -> DeliverySettings:
        if delivery.email_to and not delivery.smtp_host:
            raise ValueError(
                "delivery.email_to is set but delivery.smtp_host is not: set CALLPULSE_DELIVERY__SMTP_HOST "
                "or remove the recipients"
            )
        if any(route.channel == "email" for route in delivery.routes) and not delivery.smtp_host:
            raise ValueError(
                "delivery.routes has an e-mail route but delivery.smtp_host is not set: set "
                "CALLPULSE_DELIVERY__SMTP_HOST or remove the route"
            )
        return delivery


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
