"""Typed configuration from the environment (and an optional ``.env``), checked at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_PROFILE = Path(__file__).parent / "profiles" / "leverkusen.toml"


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
        return self

    @property
    def production(self) -> bool:
        return self.environment == "production"
