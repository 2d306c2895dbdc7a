"""Production refuses to start without a real signing key; local and test runs get the
development key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.settings import DEV_AUTH_SECRET, Settings


def settings(**values: Any) -> Settings:
    return Settings(service_name="enrollment", database_url="sqlite://", **values)


def test_production_without_a_key_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="AUTH_SECRET must be set"):
        settings(app_env="production", auth_secret="")


@pytest.mark.parametrize("key", [DEV_AUTH_SECRET, "short-key"])
def test_production_with_the_development_or_a_short_key_refuses_to_start(key: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        settings(app_env="production", auth_secret=key)


def test_production_with_a_real_key_passes_the_key_check() -> None:
    """Other production checks (the broker's security) may still refuse; the key does not."""
    key = "k" * 48
    try:
        assert settings(app_env="production", auth_secret=key).auth_secret == key
    except ValidationError as exc:
        assert "AUTH_SECRET" not in str(exc)


def test_local_runs_use_the_development_key() -> None:
    assert settings(app_env="local", auth_secret="").auth_secret == DEV_AUTH_SECRET
