"""The monthly report's targets of the other services (PLAN-1, EMP-9): a service that does not
answer, or answers with an error, is named as unavailable and never fails the report; the
report's own service is never asked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from deploy.broker import free_ports
from services.employment.report.peers import fetch


class _Refusing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"detail": "this action needs one of the roles"}'
        self.send_response(403)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def refusing() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_unanswering_and_refusing_services_are_named(refusing: str) -> None:
    (closed,) = free_ports(1)  # nothing listens there
    found = fetch(
        {
            "employment": "http://127.0.0.1:9",  # the report's own: never asked
            "medical": f"http://127.0.0.1:{closed}",
            "welfare": refusing,
        },
        "Bearer x",
        "532325",
        date(2017, 11, 30),
    )
    assert found.targets == []
    assert set(found.unavailable) == {"medical", "welfare"}
    assert found.unavailable["medical"].startswith("no answer")
    assert found.unavailable["welfare"] == "HTTP 403: this action needs one of the roles"
