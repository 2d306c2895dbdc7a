"""Building a service under test: its settings, a bearer token, and an in-process client that runs
the app's lifespan (migrations, relay, consumers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from shared.auth import mint_token
from shared.roles import Role
from shared.settings import Settings

# Every persistence test runs on both.
BACKENDS = ("sqlite", "postgresql")


def make_settings(service: str, db_template: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "service_name": service,
        "app_env": "test",
        "database_url": db_template,
        "log_json": True,
        "relay_poll_interval_s": 0.05,
        "consumer_retry_backoff_s": 0.05,
        **overrides,
    }
    return Settings.model_validate(values)


def token(
    settings: Settings, *roles: Role | str, scope: str = "532325", sub: str = "tester"
) -> dict[str, str]:
    value = mint_token(settings, subject=sub, roles=list(roles), scope=scope)
    return {"Authorization": f"Bearer {value}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (migrations, relay, consumers) and give an in-process client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
