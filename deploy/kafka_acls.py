"""Kafka topics and ACLs of the compose stack, derived from the event catalogue.

    python -m deploy.kafka_acls            # prints the script and writes deploy/kafka/acls.sh
    python -m deploy.kafka_acls --check    # non-zero if deploy/kafka/acls.sh is stale

One SCRAM principal per service (`User:<service>`), one per external producer (`User:hospital`),
the outside subscriber (`User:subscriber`) and `User:admin` (a super user, so it needs no ACL).
With `allow.everyone.if.no.acl.found=false` whatever is not granted here is denied:

- a service may write (describe, create) its own `<service>.events` topics and the dead-letter
  topics of its own consumer groups (`dlq.<service>`, prefixed: `dlq.<service>-1`, ...);
- it may read the topics its subscriptions read, in consumer groups named after it (prefixed);
- an external system may only write the input topics the catalogue names it the producer of;
- the outside subscriber (other government systems, over the TLS listener) may only read the
  services' published event topics (`<service>.events`), in consumer groups named `ext-...`:
  no write, no create, no dead-letter or input topic.

The generated script also creates every catalogue topic and dead-letter topic, so a consumer that
starts before the producer's first event finds its topic (it has no right to create it).
See deploy/KAFKA.md."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from shared import REPO_ROOT, SERVICES
from shared.bus.consumer import dlq_topic
from shared.events.asyncapi import Catalogue
from shared.events.catalogue import OUTSIDE_GROUPS, OUTSIDE_PRINCIPAL

DEFAULT_OUT = REPO_ROOT / "deploy" / "kafka" / "acls.sh"
REGENERATE = "python -m deploy.kafka_acls"
ADMIN = "admin"
# The outside subscriber, as the catalogue documents it. Its consumer groups are prefixed, so
# each system picks its own (`ext-<system>`), apart from the services' groups (a test checks
# that no service name starts with it).
SUBSCRIBER = OUTSIDE_PRINCIPAL
SUBSCRIBER_GROUPS = OUTSIDE_GROUPS

Resource = Literal["topic", "group"]
Pattern = Literal["literal", "prefixed"]

PRODUCE = ("Write", "Describe", "Create")
CONSUME = ("Read", "Describe")
JOIN = ("Read",)


@dataclass(frozen=True, order=True)
class Acl:
    """One allow rule: `principal` may do `operations` on a topic or group resource."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operations: tuple[str, ...]

    def arguments(self) -> list[str]:
        """Arguments of `kafka-acls.sh --add` for this rule."""
        args = ["--allow-principal", f"User:{self.principal}"]
        for op in self.operations:
            args += ["--operation", op]
        args += ["--resource-pattern-type", self.pattern, f"--{self.resource}", self.name]
        return args

    def covers(self, resource: Resource, name: str) -> bool:
        if resource != self.resource:
            return False
        return name.startswith(self.name) if self.pattern == "prefixed" else name == self.name


@dataclass(frozen=True)
class Plan:
    principals: list[str]  # every SCRAM user but the admin
    topics: list[str]  # created up front
    acls: list[Acl]

    def allowed(self, principal: str, operation: str, resource: Resource, name: str) -> bool:
        return any(
            a.principal == principal and operation in a.operations and a.covers(resource, name)
            for a in self.acls
        )


def build_plan(cat: Catalogue, topic_prefix: str = "") -> Plan:
    produced: dict[str, set[str]] = defaultdict(set)  # principal -> topics it writes
    for model in cat.models.values():
        produced[model.producer].add(topic_prefix + model.topic)
    read: dict[str, set[str]] = defaultdict(set)  # service -> topics it reads
    groups: dict[str, set[str]] = defaultdict(set)  # service -> its consumer groups
    for c in cat.consumptions:
        read[c.service].update(topic_prefix + t for t in c.topics)
        groups[c.service].add(c.group)
    for service, names in groups.items():
        # Group-name ACLs are prefixed by the service: its groups must all start with its name.
        stray = sorted(g for g in names if not g.startswith(service))
        if stray:
            raise ValueError(f"groups of {service} not named after it: {stray}")

    if SUBSCRIBER in produced or SUBSCRIBER in SERVICES:
        raise ValueError(f"{SUBSCRIBER!r} is the outside subscriber; it produces nothing")
    principals = [*SERVICES, *sorted(p for p in produced if p not in SERVICES), SUBSCRIBER]
    acls: list[Acl] = []
    for principal in principals:
        for topic in sorted(produced.get(principal, ())):
            operations = PRODUCE if principal in SERVICES else ("Write", "Describe")
            acls.append(Acl(principal, "topic", topic, "literal", operations))
        if principal == SUBSCRIBER:
            acls += subscriber_acls(produced)
        if principal not in SERVICES:
            continue
        if groups.get(principal):
            acls.append(
                Acl(principal, "topic", dlq_topic(principal, topic_prefix), "prefixed", PRODUCE)
            )
        for topic in sorted(read.get(principal, ())):
            acls.append(Acl(principal, "topic", topic, "literal", CONSUME))
        if groups.get(principal):
            acls.append(Acl(principal, "group", principal, "prefixed", JOIN))

    topics = sorted(
        {t for ts in produced.values() for t in ts}
        | {dlq_topic(g, topic_prefix) for g in cat.groups()}
    )
    return Plan(principals=principals, topics=topics, acls=acls)


def subscriber_acls(produced: dict[str, set[str]]) -> list[Acl]:
    """Read-only: the services' published topics and the `ext-` groups, nothing else."""
    published = sorted(t for service in SERVICES for t in produced.get(service, ()))
    return [
        *(Acl(SUBSCRIBER, "topic", topic, "literal", CONSUME) for topic in published),
        Acl(SUBSCRIBER, "group", SUBSCRIBER_GROUPS, "prefixed", JOIN),
    ]


def _line(words: Iterable[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)


def render_script(plan: Plan, topic_prefix: str = "") -> str:
    prefix_note = f" --topic-prefix {shlex.quote(topic_prefix)}" if topic_prefix else ""
    lines = [
        "#!/usr/bin/env bash",
        f"# Generated by `{REGENERATE}{prefix_note}` from the event catalogue; do not edit.",
        "# Creates the topics and adds the ACLs of the compose stack (deploy/KAFKA.md).",
        "# Usage: acls.sh BOOTSTRAP_SERVER ADMIN_CLIENT_PROPERTIES",
        "set -euo pipefail",
        'bootstrap="${1:?bootstrap server, e.g. kafka:9092}"',
        'config="${2:?client properties of the admin principal}"',
        'partitions="${TOPIC_PARTITIONS:-3}"',
        'replication="${TOPIC_REPLICATION_FACTOR:-1}"',
        'bin="${KAFKA_HOME:-/opt/kafka}/bin"',
        "",
        "topic() {",
        '  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$config" \\',
        '    --create --if-not-exists --topic "$1" --partitions "$partitions" '
        '--replication-factor "$replication"',
        "}",
        "",
        "allow() {",
        '  "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$config" '
        '--add "$@"',
        "}",
        "",
        "# Topics: every catalogue topic and every consumer group's dead-letter topic.",
        *(_line(["topic", t]) for t in plan.topics),
    ]
    by_principal: dict[str, list[Acl]] = defaultdict(list)
    for acl in plan.acls:
        by_principal[acl.principal].append(acl)
    for principal in plan.principals:
        lines += ["", f"# User:{principal}"]
        lines += [_line(["allow", *acl.arguments()]) for acl in by_principal[principal]]
    lines += ["", 'echo "topics and ACLs in place"', ""]
    return "\n".join(lines)


def render(topic_prefix: str = "") -> str:
    return render_script(build_plan(Catalogue.from_code(), topic_prefix), topic_prefix)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.kafka_acls", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="script to write")
    parser.add_argument("--topic-prefix", default="", help="TOPIC_PREFIX of the services")
    parser.add_argument("--check", action="store_true", help="fail if --out is stale")
    args = parser.parse_args(argv)
    text = render(args.topic_prefix)
    out: Path = args.out
    if args.check:
        if not out.is_file() or out.read_text() != text:
            print(f"{out} is stale; regenerate with: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
