"""python -m deploy.seed: generate the synthetic county's files, or load it into running
services through their HTTP interfaces."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from pathlib import Path

from deploy.seed import county as cty
from deploy.seed import employment
from deploy.seed.client import Endpoints, SeedError
from deploy.seed.load import Loader, registered_people
from deploy.seed.people import PEOPLE


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=cty.DEFAULT_SEED, help="same seed, same county")
    parser.add_argument("--people", type=int, default=PEOPLE, help="registered poor people")
    parser.add_argument("--stays", type=int, default=cty.DEFAULT_STAYS, help="hospital stays")
    parser.add_argument("--dibao", type=int, default=cty.DEFAULT_DIBAO, help="dibao households")
    parser.add_argument("--tekun", type=int, default=cty.DEFAULT_TEKUN, help="特困 certifications")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=cty.DEFAULT_AS_OF,
        help="the date the county is drawn at: ages, roll and census year, the year of stays",
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m deploy.seed", description=__doc__)
    sub = main.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the county's files to a directory")
    _common(gen)
    gen.add_argument("--out", type=Path, required=True)
    load = sub.add_parser("load", help="generate the county and load it into running services")
    _common(load)
    load.add_argument("--base-port", type=int, default=8001, help="enrollment's port on 127.0.0.1")
    for name in ("enrollment", "medical", "employment", "welfare"):
        load.add_argument(f"--{name}", default="", help=f"{name} base URL (overrides the port)")
    load.add_argument("--auth-secret", default="", help="signing key (default: AUTH_SECRET)")
    load.add_argument("--concurrency", type=int, default=4, help="requests in flight per step")
    load.add_argument("--wait-timeout", type=float, default=300, help="seconds per wait")
    load.add_argument(
        "--employment-year",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load the year's training, recommendations, placements, posts and workshops",
    )
    load.add_argument(
        "--employment-share",
        type=float,
        default=None,
        help="share of the households the employment year covers (default: all of a county "
        f"of up to {employment.DEFAULT_PEOPLE} people, about that many of a larger one; "
        "1 for the whole county, one request per record: slower)",
    )
    load.add_argument(
        "--if-empty", action="store_true", help="do nothing when the registry has people"
    )
    return main


def _build(args: argparse.Namespace) -> cty.County:
    return cty.build_county(
        args.seed,
        people=args.people,
        as_of=args.as_of,
        stays=args.stays,
        dibao=args.dibao,
        tekun=args.tekun,
    )


def _employment_share(args: argparse.Namespace) -> float:
    if not args.employment_year:
        return 0.0
    if args.employment_share is None:
        return employment.default_share(args.people)
    return float(args.employment_share)


def generate(args: argparse.Namespace) -> int:
    county = _build(args)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in cty.files(county).items():
        (args.out / name).write_bytes(content)
    print(json.dumps(cty.summary(county), ensure_ascii=False))
    return 0


def load(args: argparse.Namespace) -> int:
    local = Endpoints.local(args.base_port)
    endpoints = Endpoints(
        **{n: getattr(args, n) or getattr(local, n) for n in local.__dataclass_fields__}
    )
    secret = args.auth_secret or None
    try:
        if args.if_empty:
            present = registered_people(endpoints, secret, args.as_of.year)
            if present:
                print(f"seed: the registry already has {present} people; nothing loaded")
                return 0
        start = time.monotonic()
        county = _build(args)
        print(f"seed: generated {cty.summary(county)} in {time.monotonic() - start:.1f}s")
        loader = Loader(
            county,
            endpoints,
            secret=secret,
            concurrency=args.concurrency,
            wait_timeout=args.wait_timeout,
            employment_share=_employment_share(args),
        )
        report = asyncio.run(loader.run())
    except SeedError as exc:
        print(f"seed: failed: {exc}", file=sys.stderr)
        return 1
    total = time.monotonic() - start
    print("seed: loaded " + json.dumps(report["loaded"], ensure_ascii=False, sort_keys=True))
    print(f"seed: finished in {total:.1f}s " + json.dumps(report["seconds"]))
    return 1 if report["failures"] else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return generate(args) if args.command == "generate" else load(args)


if __name__ == "__main__":
    raise SystemExit(main())
