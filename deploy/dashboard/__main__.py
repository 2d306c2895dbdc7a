"""Serve the county dashboard for services already running (`make run` starts it by itself):

    python -m deploy.dashboard --port 8000 --base-port 8001
    python -m deploy.dashboard --enrollment http://host:8001 ...   # each service's URL

Prints an address with a read-only auditor token minted with the local (or AUTH_SECRET) key;
the services must allow the dashboard's origin (CORS_ORIGINS) when it is not the default."""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from deploy.dashboard.server import DashboardServer, dashboard_url
from deploy.seed.divisions import COUNTY_CODE
from shared import SERVICE_PORTS, SERVICES
from shared.auth import mint_token
from shared.roles import Role
from shared.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.dashboard", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--base-port", type=int, default=8001, help="enrollment's port")
    for name in SERVICES:
        parser.add_argument(f"--{name}", default="", help=f"{name} base URL (overrides the port)")
    parser.add_argument("--on", type=date.fromisoformat, default=None, help="date shown first")
    args = parser.parse_args(argv)
    services = {
        name: getattr(args, name)
        or f"http://127.0.0.1:{SERVICE_PORTS[name] - 8001 + args.base_port}"
        for name in SERVICES
    }
    server = DashboardServer(args.port, services, default_on=args.on).start()
    token = mint_token(
        Settings(service_name="enrollment"),
        subject="local-dashboard",
        roles=[Role.auditor],
        scope=COUNTY_CODE,
        ttl=timedelta(hours=12),
    )
    print(f"dashboard   {dashboard_url(server.url, token, args.on)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
