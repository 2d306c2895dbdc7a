"""`python -m shared.audit verify <service> [--database-url URL]`: recompute the service's
audit chain; exit 0 when intact, 1 naming the first broken seq, 2 when it cannot be read."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from shared import SERVICES
from shared.audit.store import verify
from shared.audit.table import audit_log_table
from shared.db import make_engine
from shared.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.audit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("verify", help="recompute the hash chain of a service's audit log")
    check.add_argument("service", choices=SERVICES)
    check.add_argument("--database-url", default=None, help="default: the service's DATABASE_URL")
    args = parser.parse_args(argv)
    url = args.database_url or Settings(service_name=args.service).database_url
    url = url.replace("{service}", args.service)
    table = audit_log_table(args.service)
    engine = make_engine(url)
    try:
        count, broken = verify(engine, table)
    except SQLAlchemyError as exc:
        print(f"{args.service}: cannot read {table.name}: {type(exc).__name__}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if broken is not None:
        print(f"{args.service}: audit chain broken at seq {broken} ({count} entries)")
        return 1
    print(f"{args.service}: audit chain intact ({count} entries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
