"""An outside subscriber's view of the compose stack's broker: read one event, fail to write.

    python -m deploy.outside_consumer [--topic enrollment.events] [--group ext-demo]

Connects as `User:subscriber` to the external listener (SASL_SSL, SCRAM-SHA-512, the broker's
certificate checked against the development CA and the host name), reads one event from a
published topic and prints it, then tries to publish to the same topic and prints the broker's
refusal (TopicAuthorizationFailedError): the subscriber may read, never write. It exits 0 when the
write was refused, 1 when it was not, 2 when it could not connect or log in.

The password is KAFKA_SUBSCRIBER_PASSWORD, from the environment or else from `.env`. Steps and
what it prints: deploy/KAFKA.md, "An outside subscriber"."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from aiokafka.structs import ConsumerRecord
from pydantic import SecretStr

from deploy.kafka_acls import SUBSCRIBER, SUBSCRIBER_GROUPS
from shared import REPO_ROOT
from shared.bus.kafka import KafkaSecurity, new_consumer, new_producer

DEFAULT_BOOTSTRAP = "localhost:9094"
DEFAULT_CAFILE = REPO_ROOT / "deploy" / "kafka-certs" / "ca.pem"
PASSWORD_VARIABLE = "KAFKA_SUBSCRIBER_PASSWORD"


def subscriber_password(env_file: Path = REPO_ROOT / ".env") -> str:
    """KAFKA_SUBSCRIBER_PASSWORD from the environment, else the last such line of `.env`."""
    value = os.environ.get(PASSWORD_VARIABLE, "")
    if not value and env_file.is_file():
        for line in env_file.read_text().splitlines():
            name, sep, rest = line.partition("=")
            if sep and name.strip() == PASSWORD_VARIABLE:
                value = rest.strip()
    return value


def describe(record: ConsumerRecord[bytes, bytes]) -> str:
    """One line of where and what, then the payload (shortened)."""
    headers = {k: v.decode(errors="replace") for k, v in record.headers}
    key = record.key.decode(errors="replace") if record.key is not None else None
    try:
        payload = json.dumps(json.loads(record.value or b""), ensure_ascii=False)
    except ValueError:
        payload = repr(record.value)
    more = " ..." if len(payload) > 400 else ""
    return (
        f"read {record.topic} partition {record.partition} offset {record.offset}: "
        f"type={headers.get('ce_type')} id={headers.get('ce_id')} key={key}\n"
        f"  {payload[:400]}{more}"
    )


async def read_one(
    bootstrap: str, topic: str, group: str, security: KafkaSecurity, wait_s: float
) -> bool:
    """Print the group's next event of `topic` (from the start the first time); commit it, so a
    second run reads the one after. False when none came within `wait_s`."""
    consumer = new_consumer(bootstrap, group, [topic], security)
    try:
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), wait_s)
        except TimeoutError:
            print(f"no event on {topic} within {wait_s:g} s (nothing published yet?)")
            return False
        print(describe(record))
        await consumer.commit()
        return True
    finally:
        await consumer.stop()


async def try_to_write(bootstrap: str, topic: str, security: KafkaSecurity) -> bool:
    """True if the broker refused the write, as the subscriber's ACLs intend."""
    producer = new_producer(bootstrap, f"{SUBSCRIBER}-write-attempt", security)
    try:
        await producer.start()
        await producer.send_and_wait(topic, value=b'{"forged": true}', key=b"outside")
    except TopicAuthorizationFailedError as exc:
        print(f"write to {topic} refused: {type(exc).__name__}: {exc}")
        return True
    finally:
        await producer.stop()
    print(f"write to {topic} was ACCEPTED: the subscriber's ACLs are wrong", file=sys.stderr)
    return False


async def run(args: argparse.Namespace) -> int:
    password = subscriber_password()
    if not password:
        print(f"{PASSWORD_VARIABLE} is not set (environment or .env)", file=sys.stderr)
        return 2
    if not args.cafile.is_file():
        print(f"{args.cafile} is missing: run deploy/kafka/dev-certs.sh", file=sys.stderr)
        return 2
    security = KafkaSecurity(
        protocol="SASL_SSL",
        mechanism="SCRAM-SHA-512",
        username=SUBSCRIBER,
        password=SecretStr(password),
        cafile=args.cafile,
    )
    print(f"connecting to {args.bootstrap} as User:{SUBSCRIBER} (SASL_SSL, SCRAM-SHA-512)")
    try:
        await read_one(args.bootstrap, args.topic, args.group, security, args.wait)
        refused = await try_to_write(args.bootstrap, args.topic, security)
    except KafkaError as exc:
        print(f"could not use the broker: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0 if refused else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.outside_consumer", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--bootstrap", default=DEFAULT_BOOTSTRAP, help="the external listener")
    parser.add_argument("--cafile", type=Path, default=DEFAULT_CAFILE, help="CA to trust")
    parser.add_argument("--topic", default="enrollment.events", help="a published event topic")
    parser.add_argument(
        "--group",
        default=f"{SUBSCRIBER_GROUPS}demo",
        help=f"consumer group; the subscriber may only use groups named {SUBSCRIBER_GROUPS}...",
    )
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for an event")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
