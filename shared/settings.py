"""One configuration story for every service (pydantic-settings, environment variables)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import REPO_ROOT

DEV_AUTH_SECRET = "local-development-signing-key-not-for-production"
# The county dashboard (deploy/dashboard) as `make run` serves it.
LOCAL_DASHBOARD_ORIGINS = "http://127.0.0.1:8000,http://localhost:8000"


class Settings(BaseSettings):
    """Settings of one service process. Every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "enrollment"
    app_env: Literal["local", "test", "production"] = "local"
    # `{service}` is replaced by the service name, so one value serves all four processes.
    database_url: str = Field(default="", description="SQLAlchemy URL; SQLite file by default")
    data_dir: Path = REPO_ROOT / "var"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    bus_enabled: bool = True
    relay_enabled: bool = True
    consumers_enabled: bool = True
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 0.1
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.2
    topic_partitions: int = 3
    policy_dir: Path = REPO_ROOT / "shared" / "policy" / "params"
    auth_secret: str = ""
    auth_issuer: str = "poverty-security"
    auth_audience: str = "poverty-security"
    log_level: str = "INFO"
    log_json: bool = True
    max_upload_bytes: int = 50 * 1024 * 1024
    # Every state change appended to the service's hash-chained audit log (shared.audit).
    audit_enabled: bool = True
    # Browser origins allowed to read the API (CORS, GET only), comma-separated; "" allows none.
    cors_origins: str = LOCAL_DASHBOARD_ORIGINS

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.data_dir / '{service}.db'}"
        self.database_url = self.database_url.replace("{service}", self.service_name)
        if not self.auth_secret:
            # Production refuses to start without a real signing key.
            if self.app_env == "production":
                raise ValueError("AUTH_SECRET must be set when APP_ENV=production")
            self.auth_secret = DEV_AUTH_SECRET
        elif self.app_env == "production" and (
            self.auth_secret == DEV_AUTH_SECRET or len(self.auth_secret.encode()) < 32
        ):
            raise ValueError("AUTH_SECRET must be a key of at least 32 bytes in production")
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
