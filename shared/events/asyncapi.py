"""The event catalogue, generated from the code: an AsyncAPI 3.0 document and a Markdown table.

    python -m shared.events.asyncapi [--out docs/asyncapi.yaml]   # writes it and docs/events.md
    python -m shared.events.asyncapi --check                       # non-zero if either is stale

Sources, all read from the running code rather than written by hand:
- event types, topics, producers and payload schemas: the registry of `@event_model` classes
  (`shared.events.catalogue.EVENT_MODELS`), schemas by pydantic `model_json_schema`;
- headers: what `Envelope.to_kafka` writes (CloudEvents 1.0, Kafka binary mode);
- consumers, their groups and handlers: each service's subscriptions, built with a real Runtime
  of that service (see `shared.events.subscribers`);
- dead-letter topics: `shared.bus.consumer.dlq_topic`, one per consumer group.

Every mapping is emitted in a fixed order, so the output is stable under diff."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from shared import REPO_ROOT, SERVICES
from shared.bus.consumer import dlq_topic
from shared.events.catalogue import (
    EVENT_MODELS,
    OUTSIDE_GROUPS,
    OUTSIDE_PRINCIPAL,
    EventData,
    docstring,
)
from shared.events.envelope import Envelope
from shared.events.markdown import render_markdown
from shared.events.subscribers import Consumption, all_consumptions
from shared.settings import Settings

DEFAULT_OUT = REPO_ROOT / "docs" / "asyncapi.yaml"
MARKDOWN_NAME = "events.md"
REGENERATE = "make catalogue  (python -m shared.events.asyncapi)"
KAFKA_BINDING = "0.5.0"
SCHEMA_REF = "#/components/schemas/{model}"
HEADERS_REF = "#/components/schemas/CloudEventHeaders"
SECURITY_SCHEME = "scramSha512"
# The compose stack's EXTERNAL listener as it advertises itself by default (KAFKA_EXTERNAL_HOST),
# the name its development certificate carries: a server a reader can reach once the stack runs.
# A county's deployment serves the same listener under its own host name (deploy/KAFKA.md).
PRODUCTION_HOST = "localhost:9094"

# What each CloudEvents attribute means here; the header names come from Envelope.to_kafka.
ATTRIBUTE_TEXT = {
    "id": "Event id (UUID); consumers record it to apply each event once.",
    "source": "Producer: `/services/<service>`, or an external system's own URI.",
    "type": "Event type, e.g. `person.registered`.",
    "subject": "What the event is about, usually the person id.",
    "time": "When the fact happened (RFC 3339).",
    "specversion": "CloudEvents version, `1.0`.",
    "datacontenttype": "Content type of the value, `application/json`.",
    "dataschema": "Payload schema and version, `urn:poverty-security:event:<type>:v<version>`.",
    "correlationid": "Correlation id of the request or event that caused this one.",
    "partitionkey": "The Kafka key (household id), repeated as an attribute.",
}
# Added by ConsumerRunner._dead_letter to the original message's headers.
DLQ_HEADERS = {
    "dlq_error": "Why the event could not be applied.",
    "dlq_attempts": "How many times it was tried.",
    "dlq_group": "Consumer group that gave up on it.",
    "dlq_original_topic": "Topic the event was read from.",
    "dlq_original_partition": "Partition it was read from.",
    "dlq_original_offset": "Offset it was read from.",
}


@dataclass(frozen=True)
class Catalogue:
    models: dict[str, type[EventData]]  # event type -> model, sorted by type
    consumptions: list[Consumption]

    @classmethod
    def from_code(cls) -> Catalogue:
        return cls(dict(sorted(EVENT_MODELS.items())), all_consumptions())

    def topics(self) -> list[str]:
        return sorted({m.topic for m in self.models.values()})

    def consumers_of(self, event_type: str) -> list[Consumption]:
        return [c for c in self.consumptions if c.event_type == event_type]

    def groups(self) -> list[str]:
        return sorted({c.group for c in self.consumptions})

    def published_topics(self) -> list[str]:
        """The services' own event topics: what outside subscribers may read."""
        return sorted({m.topic for m in self.models.values() if m.producer in SERVICES})


def _attribute(header: str) -> str:
    # The Kafka binding carries `datacontenttype` as `content-type`, the rest as `ce_<name>`.
    return "datacontenttype" if header == "content-type" else header.removeprefix("ce_")


def header_names() -> tuple[list[str], list[str]]:
    """(every header name, the ones always present), as Envelope.to_kafka writes them."""
    full = Envelope(
        source="/services/x",
        type="x",
        subject="s",
        dataschema="urn:x",
        correlationid="c",
        partitionkey="k",
        data={},
    )
    bare = full.model_copy(
        update={"subject": None, "dataschema": None, "correlationid": None, "partitionkey": None}
    )
    return [name for name, _ in full.to_kafka()[2]], [name for name, _ in bare.to_kafka()[2]]


def _describe(attribute: str) -> str:
    return f"`{attribute}`: {ATTRIBUTE_TEXT.get(attribute, '')}".rstrip(": ")


def headers_schema() -> dict[str, Any]:
    names, required = header_names()
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in Kafka binary mode (one header each).",
        "properties": {
            name: {"type": "string", "description": _describe(_attribute(name))} for name in names
        },
        "required": required,
    }


def dlq_headers_schema() -> dict[str, Any]:
    return {
        "allOf": [
            {"$ref": HEADERS_REF},
            {
                "type": "object",
                "properties": {
                    name: {"type": "string", "description": text}
                    for name, text in DLQ_HEADERS.items()
                },
                "required": list(DLQ_HEADERS),
            },
        ]
    }


def payload_schemas(models: dict[str, type[EventData]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(event type -> payload `$ref`, components schemas); nested models are shared by name."""
    refs, top = models_json_schema(
        [(m, "validation") for m in models.values()], ref_template=SCHEMA_REF
    )
    by_type = {t: refs[(m, "validation")] for t, m in models.items()}
    return by_type, dict(sorted(top.get("$defs", {}).items()))


def message(
    event_type: str, model: type[EventData], payload: dict[str, Any], cat: Catalogue
) -> dict[str, Any]:
    text = docstring(model)
    internal = model.producer in SERVICES
    key = (
        "Household id: one household's events stay in order."
        if internal
        else "Chosen by the sending system (e.g. the claim id); nothing relies on it."
    )
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": text.split(". ")[0].rstrip(".") if text else event_type,
        **({"description": text} if ". " in text.rstrip(".") else {}),
        "contentType": "application/json",
        "headers": {
            "allOf": [
                {"$ref": HEADERS_REF},
                {
                    "type": "object",
                    "properties": {
                        "ce_type": {"const": event_type},
                        "ce_dataschema": {"const": model.dataschema()},
                    },
                },
            ]
        },
        "payload": payload,
        "correlationId": {"$ref": "#/components/correlationIds/correlationId"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": key},
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "x-version": model.version,
        "x-producer": model.producer,
        "x-consumers": [
            {"service": c.service, "group": c.group, "handlers": list(c.handlers)}
            for c in cat.consumers_of(event_type)
        ],
        **({"x-audience": model.audience} if model.audience else {}),
    }


def channels(cat: Catalogue) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for topic in cat.topics():
        types = [t for t, m in cat.models.items() if m.topic == topic]
        producers = sorted({cat.models[t].producer for t in types})
        out[topic] = {
            "address": topic,
            "title": topic,
            "description": f"Produced by {', '.join(map(_who, producers))}.",
            "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
        }
    address = dlq_topic("{group}")
    out["dlq"] = {
        "address": address,
        "title": address,
        "description": "Dead-letter topic of one consumer group: an event it could not apply "
        "after bounded retries (or could not read), with the original key, value and headers.",
        "parameters": {
            "group": {"description": "Consumer group.", "enum": cat.groups()},
        },
        "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
    }
    return out


def _who(producer: str) -> str:
    return producer if producer in SERVICES else f"{producer} (external system)"


def _refs(topic: str, types: list[str]) -> list[dict[str, str]]:
    return [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in types]


def operations(cat: Catalogue) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    sends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t, m in cat.models.items():
        sends[(m.producer, m.topic)].append(t)
    for (producer, topic), types in sorted(sends.items()):
        ops[f"{producer}.send.{topic}"] = {
            "action": "send",
            "title": f"{_who(producer)} publishes to {topic}",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": _refs(topic, types),
        }
    receives: dict[tuple[str, str, str], list[Consumption]] = defaultdict(list)
    for c in cat.consumptions:
        model = cat.models.get(c.event_type)
        topic = model.topic if model is not None else c.topics[0]
        receives[(c.group, topic, c.service)].append(c)
    for (group, topic, service), cs in sorted(receives.items()):
        cs = sorted(cs, key=lambda c: c.event_type)
        ops[f"{group}.receive.{topic}"] = {
            "action": "receive",
            "title": f"{service} consumes {topic} as group {group}",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": _refs(topic, [c.event_type for c in cs]),
            "bindings": {
                "kafka": {
                    "groupId": {"type": "string", "enum": [group]},
                    "bindingVersion": KAFKA_BINDING,
                }
            },
            "x-service": service,
            "x-handlers": {c.event_type: list(c.handlers) for c in cs},
        }
    for topic in cat.published_topics():
        types = [t for t, m in cat.models.items() if m.topic == topic]
        ops[f"{OUTSIDE_PRINCIPAL}.receive.{topic}"] = {
            "action": "receive",
            "title": f"outside subscribers read {topic}",
            "description": f"Other government systems read every event of {topic} on the "
            f"`production` server as `{OUTSIDE_PRINCIPAL}`, read-only, each in its own consumer "
            f"group `{OUTSIDE_GROUPS}<system>`.",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": _refs(topic, types),
            "security": [{"$ref": f"#/components/securitySchemes/{SECURITY_SCHEME}"}],
            "bindings": {
                "kafka": {
                    "groupId": {"type": "string", "pattern": f"^{OUTSIDE_GROUPS}"},
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        }
    for group in cat.groups():
        ops[f"{group}.send.dlq"] = {
            "action": "send",
            "title": f"group {group} dead-letters to {dlq_topic(group)}",
            "channel": {"$ref": "#/channels/dlq"},
            "messages": [{"$ref": "#/channels/dlq/messages/deadLetter"}],
        }
    return ops


def build_document(cat: Catalogue) -> dict[str, Any]:
    payloads, schemas = payload_schemas(cat.models)
    settings_fields = Settings.model_fields
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Poverty security events",
            "version": "0.1.0",
            "description": "Events between the four services, generated from the code by "
            "`python -m shared.events.asyncapi`; do not edit by hand. CloudEvents 1.0 in Kafka "
            "binary mode: attributes in headers, the payload as JSON in the value, the "
            "household id as the key. Topic names get `TOPIC_PREFIX` prepended when it is set.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": settings_fields["kafka_bootstrap_servers"].default,
                "protocol": "kafka",
                "description": "The local development broker (`KAFKA_BOOTSTRAP_SERVERS`): no "
                "authentication, no TLS, events in memory. For development only; nothing outside "
                "the developer's machine subscribes to it.",
            },
            "production": {
                "host": PRODUCTION_HOST,
                "protocol": "kafka-secure",
                "description": "Apache Kafka's external listener for outside subscribers, as the "
                "compose stack publishes it (port 9094; the host is `KAFKA_EXTERNAL_HOST`, "
                "`localhost` by default, and a county's deployment uses its own name). SASL "
                "SCRAM-SHA-512 over TLS: the client verifies the broker's certificate and host "
                "name against the county's CA (the compose stack's development CA is "
                "`deploy/kafka-certs/ca.pem`). Outside subscribers log in as "
                f"`{OUTSIDE_PRINCIPAL}`, may only read the services' event topics, in consumer "
                f"groups named `{OUTSIDE_GROUPS}<system>`. See deploy/KAFKA.md.",
                "security": [{"$ref": f"#/components/securitySchemes/{SECURITY_SCHEME}"}],
            },
        },
        "channels": channels(cat),
        "operations": operations(cat),
        "components": {
            "messages": {
                **{t: message(t, m, payloads[t], cat) for t, m in cat.models.items()},
                "deadLetter": {
                    "name": "deadLetter",
                    "title": "Dead letter",
                    "summary": "An event a consumer group gave up on",
                    "description": "The original key and value, unchanged (the value may not be "
                    "valid JSON when it could not be read); the original headers plus why.",
                    "headers": dlq_headers_schema(),
                    "payload": {},
                },
            },
            "schemas": {"CloudEventHeaders": headers_schema(), **schemas},
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512, always inside TLS (`SASL_SSL`): the "
                    "password is never sent, the traffic is encrypted, and the broker is "
                    "authenticated by its certificate. Credentials per principal, handed over "
                    "through a channel meant for secrets.",
                }
            },
            "correlationIds": {
                "correlationId": {
                    "description": "Carried from the causing request or event.",
                    "location": "$message.header#/ce_correlationid",
                }
            },
        },
    }


def render_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def render_all(out: Path) -> dict[Path, str]:
    cat = Catalogue.from_code()
    header = "# Generated by `python -m shared.events.asyncapi`; do not edit by hand.\n"
    return {
        out: header + render_yaml(build_document(cat)),
        out.parent / MARKDOWN_NAME: render_markdown(cat),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the AsyncAPI file")
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    files = render_all(args.out)
    if args.check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"{path} is out of date with the event models and subscriptions", file=sys.stderr)
        if stale:
            print(f"regenerate with: {REGENERATE}", file=sys.stderr)
            return 1
        print("event catalogue is up to date")
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
