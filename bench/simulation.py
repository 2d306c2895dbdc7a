"""Simulation benchmark (POST /v1/simulations' work): a county's households on dibao, a raised
standard effective in January simulated over twelve months, on SQLite and PostgreSQL, at a few
sizes to show how it scales. A county of 25,000 people has about 1,000 to 2,000 households on
dibao; 12,500 is every household of such a county on dibao.

    PYTHONPATH=. .venv/bin/python -m bench.simulation [--households 1000,5000,12500]

Households are bulk-written as bench/payments.py writes them (two members, five incomes). Each
size runs in a fresh spawned process (its own time and peak RSS). Prints figures; asserts
nothing about speed."""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from bench.common import database, in_child, peak_rss_mib
from bench.payments import COUNTY, write_households


def _run(url: str, out: Any) -> None:
    try:
        from sqlmodel import Session

        from services.welfare.simulation.schemas import SimulationIn
        from services.welfare.simulation.service import simulate
        from shared.auth import Principal
        from shared.db import make_engine
        from shared.policy import PolicySet
        from shared.roles import Role
        from shared.settings import Settings
        from shared.uow import Publisher, UnitOfWork

        class Day:
            def today(self) -> date:
                return date(2026, 12, 20)

            def now(self) -> Any:
                from shared import clock

                return clock.now()

        body = SimulationIn.model_validate(
            {
                "county_code": COUNTY, "from_month": "2026-01", "to_month": "2026-12",
                "items": [{"path": "welfare.dibao.rural_standard", "effective_from": "2026-01-01",
                           "value": "4200", "reference": "bench"}],
            }
        )  # fmt: skip
        policy = PolicySet.load(Settings().policy_dir)
        engine = make_engine(url)
        civil = Principal("bench-civil", frozenset({Role.county_civil}), COUNTY)
        start = time.perf_counter()
        with Session(engine) as session:
            result = simulate(UnitOfWork(session, civil, policy, Publisher("welfare"), Day()), body)
        seconds = time.perf_counter() - start
        engine.dispose()
        out.put(("ok", {"seconds": seconds, "affected": result.households_affected,
                        "difference": str(result.funds[0].difference),
                        "peak_mib": peak_rss_mib()}))  # fmt: skip
    except BaseException as exc:  # the parent reports it
        out.put(("error", repr(exc)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", default="1000,5000,12500")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        for n in (int(x) for x in args.households.split(",")):
            with database(backend, "welfare") as url:
                from shared.migrations import upgrade

                upgrade("welfare", url)
                write_households(url, n)
                figures = in_child(_run, url)
            print(
                f"{backend:10} {n:>6,} households x 12 months: {figures['seconds']:.2f} s "
                f"({n * 12 / figures['seconds']:,.0f} household-months/s), "
                f"{figures['affected']:,} affected, difference {figures['difference']} yuan, "
                f"peak {figures['peak_mib']:.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
