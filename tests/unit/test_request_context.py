"""The one HTTP middleware (shared.correlation.RequestContextMiddleware): the caller's request id
is kept when plain and replaced otherwise, answered back, carried by every log line of the
request, and a request is logged once with its status (health probes are not)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter

from shared.app import ServiceSpec, create_app
from shared.correlation import correlation_id
from shared.logging import get_logger
from shared.settings import Settings

router = APIRouter()


@router.get("/echo")
async def echo() -> dict[str, str | None]:
    get_logger("probe").info("inside")
    return {"id": correlation_id.get()}


def _client(tmp_path: Path) -> httpx.AsyncClient:
    settings = Settings(
        service_name="enrollment",
        app_env="test",
        database_url=f"sqlite:///{tmp_path}/enrollment.db",
        log_json=True,
    )
    spec = ServiceSpec(name="enrollment", title="t", description="d", routers=[router])
    app = create_app(spec, settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_plain_request_id_is_kept_and_answered(tmp_path: Path) -> None:
    async with _client(tmp_path) as client:
        resp = await client.get("/echo", headers={"X-Request-ID": "import-7f3a.1"})
    assert resp.headers["X-Request-ID"] == "import-7f3a.1"
    assert resp.json() == {"id": "import-7f3a.1"}


@pytest.mark.parametrize("given", ["", "a" * 65, "two words", "名字", "x;y"])
async def test_other_ids_are_replaced_by_a_new_one(tmp_path: Path, given: str) -> None:
    async with _client(tmp_path) as client:
        resp = await client.get("/echo", headers=[(b"X-Request-ID", given.encode())])
        other = await client.get("/echo")
    made = resp.headers["X-Request-ID"]
    assert made != given and len(made) == 32 and int(made, 16) >= 0
    assert resp.json() == {"id": made}
    assert other.headers["X-Request-ID"] not in (made, "")


async def test_every_log_line_carries_the_id_and_the_request_is_logged_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.logging import configure_logging

    configure_logging("enrollment", "INFO", json=True)
    async with _client(tmp_path) as client:
        capsys.readouterr()
        await client.get("/echo", headers={"X-Request-ID": "r-1"})
        await client.get("/healthz", headers={"X-Request-ID": "r-2"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    inside = [x for x in lines if x.get("event") == "inside"]
    requests = [x for x in lines if x.get("event") == "request"]
    assert [x["correlation_id"] for x in inside] == ["r-1"]
    assert [(x["path"], x["status"], x["correlation_id"]) for x in requests] == [
        ("/echo", 200, "r-1")
    ]
    assert correlation_id.get() is None
    logging.getLogger().handlers[:] = []
