"""The dashboard's static server: the page, its script and stylesheet, config.json naming the
services and townships, a Content-Security-Policy limited to those services, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from deploy.dashboard import DashboardServer, dashboard_url
from deploy.seed.divisions import COUNTY_CODE

SERVICES = {
    "enrollment": "http://127.0.0.1:8001",
    "medical": "http://127.0.0.1:8002/",
    "employment": "http://127.0.0.1:8003",
    "welfare": "http://127.0.0.1:8004",
}


@pytest.fixture(scope="module")
def server() -> Iterator[DashboardServer]:
    with DashboardServer(0, SERVICES, default_on=date(2020, 12, 31)) as running:
        yield running


def test_page_and_config(server: DashboardServer) -> None:
    page = httpx.get(server.url + "/", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "dashboard.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert "connect-src 'self' http://127.0.0.1:8001 http://127.0.0.1:8002" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    for name, media in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        r = httpx.get(f"{server.url}/{name}", timeout=5)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    cfg = httpx.get(server.url + "/config.json", timeout=5).json()
    assert cfg["county"] == COUNTY_CODE and cfg["county_name"] == "姚安县"
    assert cfg["services"]["medical"] == "http://127.0.0.1:8002"
    assert cfg["default_on"] == "2020-12-31"
    assert [t["name"] for t in cfg["townships"]][:2] == ["栋川镇", "光禄镇"]
    assert {"code": "532325105", "name": "官屯镇"} in cfg["townships"]


@pytest.mark.parametrize(
    "path", ["/../server.py", "/%2e%2e/server.py", "/static/index.html", "/server.py", "/x.js"]
)
def test_nothing_else_is_served(server: DashboardServer, path: str) -> None:
    assert httpx.get(server.url + path, timeout=5).status_code == 404


def test_url_keeps_the_token_in_the_fragment() -> None:
    url = dashboard_url("http://127.0.0.1:8000/", "abc.def.ghi", date(2020, 12, 31))
    assert url == "http://127.0.0.1:8000/?on=2020-12-31#token=abc.def.ghi"
    assert dashboard_url("http://127.0.0.1:8000", "t") == "http://127.0.0.1:8000/#token=t"
