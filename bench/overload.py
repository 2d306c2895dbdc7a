"""Overload: 500 concurrent clients (wrk, 500 connections) on medical's reads and on settlement,
on SQLite and PostgreSQL, with the service's default pool and in-flight limit. Every answer must
be a 2xx or a 503 with Retry-After (shed load), never a 500 and never a client timeout; the
answers are counted by status.

    PYTHONPATH=. .venv/bin/python -m bench.overload [--seconds 10] [--connections 500]
"""

from __future__ import annotations

import argparse

from bench import wrk
from bench.common import Row, database
from bench.settlement import SECRET, bearer, claim_bodies, medical_service, seed
from deploy.broker import LocalBroker
from shared.auth import mint_token
from shared.roles import Role
from shared.settings import Settings

CONNECTIONS = 500


def _auditor() -> str:
    settings = Settings(service_name="medical", auth_secret=SECRET, app_env="test")
    return "Bearer " + mint_token(settings, subject="bench-auditor", roles=[Role.auditor], scope="")


def _row(workload: str, backend: str, load: wrk.Load) -> Row:
    statuses = load.statuses or {}
    served = sum(n for code, n in statuses.items() if 200 <= code < 300)
    shed = statuses.get(503, 0)
    other = {code: n for code, n in statuses.items() if not (200 <= code < 300 or code == 503)}
    figure = f"{served:,} 2xx, {shed:,} 503, other {other or 0}, socket errors {load.socket_errors}"
    return Row(
        workload,
        backend,
        f"{figure}; {load.describe()}",
        goal="only 2xx or 503",
        met=not other and load.socket_errors == 0,
    )


def overload_rows(
    backends: list[str], *, seconds: int = 10, connections: int = CONNECTIONS
) -> list[Row]:
    rows: list[Row] = []
    with LocalBroker() as broker:
        for backend in backends:
            with database(backend, "medical") as url:
                template = url.replace("medical", "{service}")
                numbers = seed(url, 20_000)  # unique ID numbers up to 21,000 (bench.settlement)
                with medical_service(template, broker.bootstrap) as (proc, _prefix):
                    reads = wrk.run(
                        proc.url + "/v1/audit?limit=5",
                        seconds=seconds,
                        connections=connections,
                        auth=_auditor(),
                        count_statuses=True,
                        timeout_s=30,
                    )
                    claims = wrk.run(
                        proc.url + "/v1/hospitalizations",
                        seconds=seconds,
                        connections=connections,
                        bodies=claim_bodies(numbers),
                        auth=bearer(),
                        count_statuses=True,
                        timeout_s=30,
                    )
                rows.append(_row(f"{connections} clients: GET /v1/audit", backend, reads))
                rows.append(
                    _row(f"{connections} clients: POST /v1/hospitalizations", backend, claims)
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for row in overload_rows(
        args.backends.split(","), seconds=args.seconds, connections=args.connections
    ):
        print(f"{row.workload:<45} {row.backend:<11} {row.figure}  (met: {row.met})")


if __name__ == "__main__":
    main()
