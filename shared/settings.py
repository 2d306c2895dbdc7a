"""One configuration story for every service (pydantic-settings, environment variables)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
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
    # /readyz answers 503 while the oldest unpublished outbox row has waited longer than this:
    # events are not reaching the broker (its body gives the lag either way).
    outbox_lag_unready_s: float = 60.0
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
    # Requests in progress in one process past which a request is answered 503 with Retry-After
    # (shared.overload); the database pool and its wait (DB_POOL_*), per process.
    max_requests_in_flight: int = 200
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout_s: float = 10.0
    # Every state change appended to the service's hash-chained audit log (shared.audit).
    audit_enabled: bool = True
    # The other services' base addresses, `name=url` comma-separated (the launcher sets them):
    # where a report that gathers the county's figures asks for theirs.
    service_urls: str = ""
    # Browser origins allowed to read the API (CORS, GET only), comma-separated; "" allows none.
    cors_origins: str = LOCAL_DASHBOARD_ORIGINS
    # How the service authenticates to Kafka (deploy/KAFKA.md). PLAINTEXT (no authentication) is
    # for a local broker only: production refuses it unless KAFKA_ALLOW_PLAINTEXT=true states that
    # the network is protected some other way.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")  # shown as ********** in repr and logs
    kafka_ssl_cafile: Path | None = None  # CA bundle for SASL_SSL; the system's CAs when unset
    kafka_allow_plaintext: bool = False
    # Brokers holding each partition of the topics the services create (events, dead letters):
    # 1 for one broker; 3 on a production cluster, so one broker lost loses no event.
    kafka_replication_factor: int = 1
    # Idempotent producers (no duplicate after a retried send). The embedded development broker
    # does not support them, so they are off unless the broker is Apache Kafka (compose sets it).
    kafka_idempotent_producer: bool = False

    def peer_urls(self) -> dict[str, str]:
        """SERVICE_URLS as name -> base address (no trailing slash)."""
        urls: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in self.service_urls.split(","))):
            name, _, url = part.partition("=")
            if not url:
                raise ValueError(f"SERVICE_URLS: {part!r} is not name=url")
            urls[name.strip()] = url.strip().rstrip("/")
        return urls

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

    @field_validator("kafka_replication_factor")
    @classmethod
    def _replication_factor(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"KAFKA_REPLICATION_FACTOR must be at least 1, not {value}")
        return value

    @model_validator(mode="after")
    def _kafka_security(self) -> Settings:
        if self.kafka_security_protocol == "PLAINTEXT":
            # Like AUTH_SECRET: production does not run on an unauthenticated broker by accident.
            if self.app_env == "production" and not self.kafka_allow_plaintext:
                raise ValueError(
                    "KAFKA_SECURITY_PROTOCOL=PLAINTEXT is refused when APP_ENV=production; use "
                    "SASL_PLAINTEXT or SASL_SSL, or set KAFKA_ALLOW_PLAINTEXT=true"
                )
        elif not self.kafka_sasl_username or not self.kafka_sasl_password.get_secret_value():
            raise ValueError(
                f"KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set when "
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}"
            )
        if self.kafka_ssl_cafile is not None:
            if self.kafka_security_protocol != "SASL_SSL":
                raise ValueError(
                    "KAFKA_SSL_CAFILE is only used with KAFKA_SECURITY_PROTOCOL=SASL_SSL"
                )
            if not self.kafka_ssl_cafile.is_file():
                raise ValueError(f"KAFKA_SSL_CAFILE {self.kafka_ssl_cafile} is not a file")
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
