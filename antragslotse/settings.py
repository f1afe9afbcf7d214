"""Typed configuration from the environment (and an optional ``.env``), checked at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_PROFILE = Path(__file__).parent / "profiles" / "leverkusen.toml"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class Settings(BaseSettings):
    """BOT_TOKEN, TELEGRAM_API_BASE, DATABASE_URL and REDIS_URL; everything else ANTRAGSLOTSE_*."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="ANTRAGSLOTSE_", extra="ignore")

    bot_token: SecretStr | None = Field(None, validation_alias="BOT_TOKEN")
    telegram_api_base: str | None = Field(None, validation_alias="TELEGRAM_API_BASE")
    database_url: str = Field("", validation_alias="DATABASE_URL")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    data_dir: Path = Path("data")
    key_file: Path | None = None
    secretariat_public_key: Path | None = None
    recovery_public_key: Path | None = None
    profile: Path = PACKAGED_PROFILE
    environment: str = "development"
    log_format: str = "text"
    log_level: str = "INFO"
    polling_timeout: int = 25
    default_language: str = "en"
    retention_interval: float = 3600.0  # seconds between retention sweeps
    secretariat_chat_id: int | None = None  # Telegram chat told of new applications (refs only)
    outbox_interval: float = 5.0  # seconds between outbox deliveries
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None  # the public HTTPS address Telegram posts updates to
    webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token
    listen: str = "127.0.0.1:8080"  # webhook, /healthz and /metrics in webhook mode
    metrics_port: int | None = None  # /healthz and /metrics on their own port (either mode)
    telegram_timeout: float = 30.0  # seconds for one Bot API call (long polls add their own)
    throttle_rate: float = 1.0  # updates per second a person may send, on average
    throttle_burst: int = 20  # … and at once

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'antragslotse.db'}"
        if self.key_file is None:
            self.key_file = self.data_dir / "keys.json"
        if self.log_format not in ("text", "json"):
            raise ValueError("ANTRAGSLOTSE_LOG_FORMAT must be 'text' or 'json'")
        if self.environment not in ("development", "production"):
            raise ValueError("ANTRAGSLOTSE_ENVIRONMENT must be 'development' or 'production'")
        _ = self.listen_address  # parsed once here, so a typo stops start-up
        if self.throttle_rate <= 0 or self.throttle_burst < 1:
            raise ValueError("ANTRAGSLOTSE_THROTTLE_RATE must be > 0 and _BURST at least 1")
        if self.mode == "webhook":
            self._check_webhook()
        return self

    def _check_webhook(self) -> None:
        if not self.webhook_url:
            raise ValueError("webhook mode needs ANTRAGSLOTSE_WEBHOOK_URL")
        scheme = urlsplit(self.webhook_url).scheme
        if scheme != "https" and (self.production or scheme != "http"):
            raise ValueError("ANTRAGSLOTSE_WEBHOOK_URL must be an https:// address "
                             "(Telegram posts to HTTPS only)")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not SECRET_TOKEN.fullmatch(secret):
            raise ValueError("webhook mode needs ANTRAGSLOTSE_WEBHOOK_SECRET: 1–256 characters "
                             "A–Z, a–z, 0–9, _ and - (e.g. `openssl rand -hex 32`)")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def listen_address(self) -> tuple[str, int]:
        """ANTRAGSLOTSE_LISTEN as (host, port): ``0.0.0.0:8080``, ``[::]:8080``."""
        host, _, port = self.listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("ANTRAGSLOTSE_LISTEN must be host:port, e.g. 0.0.0.0:8080")
        return host.strip("[]"), int(port)

    @property
    def webhook_path(self) -> str:
        """Where the webhook listens: the path of ANTRAGSLOTSE_WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path or "/"
