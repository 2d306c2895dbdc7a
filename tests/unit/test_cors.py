"""CORS for the county dashboard: the local dashboard origin may read (GET) with a bearer token,
other origins get no CORS headers, and CORS_ORIGINS replaces or empties the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.app import ServiceSpec, create_app
from shared.settings import Settings

DASHBOARD = "http://127.0.0.1:8000"


def _client(tmp_path: Path, **overrides: Any) -> httpx.AsyncClient:
    settings = Settings(
        service_name="enrollment",
        app_env="test",
        database_url=f"sqlite:///{tmp_path}/enrollment.db",
        **overrides,
    )
    app = create_app(ServiceSpec(name="enrollment", title="t", description="d"), settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _preflight(origin: str, method: str = "GET") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization",
    }


def test_default_allows_the_local_dashboard_only() -> None:
    assert Settings(service_name="enrollment").cors_origin_list == [
        DASHBOARD,
        "http://localhost:8000",
    ]


async def test_dashboard_origin_preflight_and_read(tmp_path: Path) -> None:
    async with _client(tmp_path) as client:
        pre = await client.options("/healthz", headers=_preflight(DASHBOARD))
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == DASHBOARD
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in pre.headers
        got = await client.get("/healthz", headers={"Origin": DASHBOARD})
        assert got.headers["access-control-allow-origin"] == DASHBOARD


@pytest.mark.parametrize(
    ("origin", "method"),
    [("http://evil.example", "GET"), (DASHBOARD, "POST"), (DASHBOARD, "DELETE")],
)
async def test_other_origins_and_writes_are_refused(
    tmp_path: Path, origin: str, method: str
) -> None:
    async with _client(tmp_path) as client:
        pre = await client.options("/healthz", headers=_preflight(origin, method))
        assert pre.status_code == 400  # the browser then does not send the request
        if origin != DASHBOARD:
            assert "access-control-allow-origin" not in pre.headers
        got = await client.get("/healthz", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in got.headers


async def test_setting_replaces_or_empties_the_list(tmp_path: Path) -> None:
    other = "http://dashboard.county.example:9000"
    async with _client(tmp_path, cors_origins=f" {other}/ ,") as client:
        got = await client.get("/healthz", headers={"Origin": other})
        assert got.headers["access-control-allow-origin"] == other
        got = await client.get("/healthz", headers={"Origin": DASHBOARD})
        assert "access-control-allow-origin" not in got.headers
    async with _client(tmp_path, cors_origins="") as client:
        got = await client.get("/healthz", headers={"Origin": DASHBOARD})
        assert "access-control-allow-origin" not in got.headers
