"""A tiny static server for the county dashboard: the files of `static/`, and `config.json`
(county, townships, the services' base URLs), on loopback, in a background thread."""

from __future__ import annotations

import json
import threading
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deploy.seed.divisions import COUNTY_CODE, COUNTY_NAME, townships
from shared import SERVICES

STATIC = Path(__file__).parent / "static"
MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def config(services: dict[str, str], default_on: date | None = None) -> dict[str, Any]:
    """What the page needs besides the token: whom to ask, and which townships to show."""
    return {
        "county": COUNTY_CODE,
        "county_name": COUNTY_NAME,
        "townships": [{"code": t.code, "name": t.name} for t in townships()],
        "services": {name: services[name].rstrip("/") for name in SERVICES},
        "default_on": default_on.isoformat() if default_on else None,
    }


def dashboard_url(base: str, token: str, on: date | None = None) -> str:
    """A ready-to-open address: the date as a query parameter, the token in the fragment."""
    query = f"?on={on.isoformat()}" if on else ""
    return f"{base.rstrip('/')}/{query}#token={token}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "county-dashboard"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            content = json.dumps(self.server.config, ensure_ascii=False).encode()
            media = "application/json"
        else:
            name = "index.html" if path == "/" else path.lstrip("/")
            file = self.server.files.get(name)
            if file is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            content, media = file.read_bytes(), MEDIA[file.suffix]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", self.server.csp)
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the services log the requests that matter


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], cfg: dict[str, Any]) -> None:
        super().__init__(address, _Handler)
        self.config = cfg
        # Only the files that are there when it starts; nothing outside static/.
        self.files = {p.name: p for p in STATIC.iterdir() if p.suffix in MEDIA}
        origins = " ".join(sorted({_origin(u) for u in cfg["services"].values()}))
        self.csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {origins}; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class DashboardServer:
    """`DashboardServer(8000, {"enrollment": "http://127.0.0.1:8001", ...}).start()`; port 0
    picks a free one (see `.url`)."""

    def __init__(
        self,
        port: int,
        services: dict[str, str],
        *,
        host: str = "127.0.0.1",
        default_on: date | None = None,
    ) -> None:
        self._server = _Server((host, port), config(services, default_on))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="dashboard", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def origin(self) -> str:
        return self.url

    def start(self) -> DashboardServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
