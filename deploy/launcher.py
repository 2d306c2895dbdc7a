"""Start the whole system locally: a Kafka-protocol broker on loopback and the four services.

    python -m deploy.launcher            # broker + enrollment 8001, medical 8002, employment 8003,
                                         # welfare 8004 on SQLite files in ./var
    DATABASE_URL=postgresql+psycopg://u:p@127.0.0.1/{service} python -m deploy.launcher
    python -m deploy.launcher --no-seed  # (or NO_SEED=1) no synthetic county
    DATABASE_URL=... WORKERS=2 python -m deploy.launcher   # two uvicorn workers per service

Once the services are ready, an empty registry is loaded with the synthetic county 532325
(deploy/seed) through the services' own APIs, and the county dashboard (deploy/dashboard) is
served on the port below enrollment's (8000), its address printed with a read-only auditor
token. Ctrl-C stops everything cleanly."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

from deploy.broker import LocalBroker, system_topics
from deploy.dashboard import DashboardServer, dashboard_url
from deploy.processes import ServiceProcess, stop_all
from deploy.seed.background import SeedRun, disabled_by_env
from deploy.seed.county import DEFAULT_AS_OF
from deploy.supervisor import Supervised
from shared import REPO_ROOT, SERVICE_PORTS, SERVICES
from shared.auth import mint_token
from shared.bus.kafka import ensure_topics
from shared.roles import Role
from shared.settings import LOCAL_DASHBOARD_ORIGINS, Settings

LOCAL_TOKEN_ROLES = (
    (Role.county_poverty, "532325"),
    (Role.county_hrss, "532325"),
    (Role.county_medical, "532325"),
    (Role.county_civil, "532325"),
    (Role.county_education, "532325"),
    (Role.county_disability, "532325"),
    (Role.county_health, "532325"),
    (Role.family_doctor, "532325100"),  # a township team of 栋川镇
    (Role.township_officer, "532325100"),  # 栋川镇
    (Role.village_cadre, "532325100201"),  # a village of 栋川镇
    (Role.auditor, "532325"),
    (Role.hospital, "532325"),
    (Role.service, "532325"),
    (Role.admin, ""),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.launcher", description=__doc__)
    parser.add_argument("--broker-port", type=int, default=9092)
    parser.add_argument(
        "--external-broker",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", ""),
        help="use this bootstrap address instead of starting a local broker",
    )
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var")
    parser.add_argument("--ready-timeout", type=float, default=90)
    parser.add_argument(
        "--base-port", type=int, default=8001, help="enrollment's port; the others follow"
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        default=disabled_by_env(),
        help="do not load the synthetic county into an empty system (also: NO_SEED=1)",
    )
    parser.add_argument(
        "--dashboard-port",
        type=int,
        default=None,
        help="the county dashboard's port (default: enrollment's port - 1, i.e. 8000; 0: none)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS", "1")),
        help="uvicorn worker processes per service (also: WORKERS); more than one needs "
        "PostgreSQL (DATABASE_URL), where the workers share the outbox and the consumer groups",
    )
    args = parser.parse_args(argv)
    if args.workers > 1 and not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        parser.error("--workers above 1 needs DATABASE_URL on PostgreSQL (SQLite has one writer)")
    dashboard_port = args.base_port - 1 if args.dashboard_port is None else args.dashboard_port

    args.data_dir.mkdir(parents=True, exist_ok=True)
    logs = args.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    broker = None
    if args.external_broker:
        bootstrap = args.external_broker
    else:
        broker = LocalBroker(args.broker_port, log_path=logs / "broker.log").start()
        bootstrap = broker.bootstrap
    print(f"broker      {bootstrap}" + (" (local Tansu, memory storage)" if broker else ""))

    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "DATA_DIR": str(args.data_dir)}
    if dashboard_port and "CORS_ORIGINS" not in os.environ:
        origin = f"http://127.0.0.1:{dashboard_port}"
        if origin not in LOCAL_DASHBOARD_ORIGINS:
            env["CORS_ORIGINS"] = f"{origin},http://localhost:{dashboard_port}"
    ports = {name: SERVICE_PORTS[name] - 8001 + args.base_port for name in SERVICES}
    env["SERVICE_URLS"] = ",".join(f"{n}=http://127.0.0.1:{p}" for n, p in ports.items())
    processes = [
        ServiceProcess(name, ports[name], env, log_path=logs / f"{name}.log", workers=args.workers)
        for name in SERVICES
    ]
    seeding: SeedRun | None = None
    dashboard: DashboardServer | None = None
    stopping = False

    def shutdown(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nstopping services ...", flush=True)
        if seeding is not None:
            seeding.stop()
        if dashboard is not None:
            dashboard.stop()
        stop_all(processes)
        if broker is not None:
            broker.stop()
        print("stopped.", flush=True)

    def on_sigterm(*_: object) -> None:
        shutdown()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    # Ctrl-C stops the stack even when the launcher was started with SIGINT ignored (a
    # background job of a non-interactive shell, or a parent that ignores it): Python then
    # leaves it ignored, and the launcher could only be stopped with SIGTERM.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        for proc in processes:
            proc.start()
        for proc in processes:
            proc.wait_ready(args.ready_timeout)
            print(f"{proc.name:<11} {proc.url}/docs   (ready; log {logs / (proc.name + '.log')})")
        settings = Settings(service_name="enrollment")
        print("\nlocal bearer tokens (12 h):")
        tokens: dict[Role, str] = {}
        for role, scope in LOCAL_TOKEN_ROLES:
            token = mint_token(
                settings,
                subject=f"local-{role}",
                roles=[role],
                scope=scope,
                ttl=timedelta(hours=12),
            )
            tokens[role] = token
            print(f"  {role:<16} scope={scope or '*':<7} {token}")
        if dashboard_port:
            services = {proc.name: proc.url for proc in processes}
            on = None if args.no_seed else DEFAULT_AS_OF  # the synthetic county's year
            try:
                dashboard = DashboardServer(dashboard_port, services, default_on=on).start()
            except OSError as exc:
                print(f"\ndashboard   not started: port {dashboard_port}: {exc.strerror}")
            else:
                url = dashboard_url(dashboard.url, tokens[Role.auditor], on)
                print(f"\ndashboard   {url}\n            (county dashboard, auditor token)")
        print(
            "\nall four services are ready. A process that exits is restarted; "
            "Ctrl-C stops everything.",
            flush=True,
        )
        if not args.no_seed:
            seeding = SeedRun(args.base_port).start()
        watched = [
            Supervised(proc.name, proc.alive, proc.start, str(proc.log_path)) for proc in processes
        ]
        if broker is not None:
            local = broker

            def restart_broker() -> None:
                # Its log was in memory: the topics are created again at once, in their shape,
                # before a client's metadata request makes this broker create one of its own
                # (whose records cannot be read back). The relays then publish again what the
                # broker lost, and the consumers read the emptied partitions from their start.
                local.start()
                asyncio.run(
                    ensure_topics(local.bootstrap, system_topics(), settings.topic_partitions)
                )

            watched.insert(
                0, Supervised("broker", local.alive, restart_broker, str(logs / "broker.log"))
            )
        while True:
            if seeding is not None:
                seeding.check()
            for supervised in watched:
                if stopping:
                    break
                line = supervised.check()
                if line is not None:
                    print(line, flush=True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
