"""The committed event catalogue (docs/asyncapi.yaml, docs/events.md) is what the code generates,
and it tells a reader who produces and who consumes every event type."""

from __future__ import annotations

import copy
import inspect
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from shared import REPO_ROOT, SERVICES
from shared.bus.consumer import ConsumerRunner
from shared.events.asyncapi import (
    DEFAULT_OUT,
    DLQ_HEADERS,
    PRODUCTION_HOST,
    REGENERATE,
    SECURITY_SCHEME,
    Catalogue,
    build_document,
    main,
    render_all,
)
from shared.events.catalogue import EVENT_MODELS
from shared.events.subscribers import handler_names

KEY = re.compile(r"^[A-Za-z0-9.\-_]+$")  # AsyncAPI 3 map keys of channels, operations, messages
# The official AsyncAPI 3.0.0 JSON Schema, bundled (tests/support/asyncapi/README.md).
ASYNCAPI_SCHEMA = REPO_ROOT / "tests" / "support" / "asyncapi" / "3.0.0.schema.json"
# `package.module.Qualified.name`: no `<locals>`, `<lambda>` or other generated part.
HANDLER_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_code()


@pytest.fixture(scope="module")
def document(catalogue: Catalogue) -> dict[str, Any]:
    return build_document(catalogue)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_OUT.read_text())


def test_committed_documents_are_up_to_date() -> None:
    for path, text in render_all(DEFAULT_OUT).items():
        assert path.exists(), f"{path} is missing; generate it with: {REGENERATE}"
        assert path.read_text() == text, (
            f"{path} is stale: the event models or subscriptions changed. "
            f"Regenerate it with: {REGENERATE}"
        )


def test_committed_document_is_asyncapi_3(committed: dict[str, Any]) -> None:
    assert committed["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= committed["info"].keys()
    for key in ("channels", "operations"):
        assert all(KEY.match(k) for k in committed[key]), key
    for name, channel in committed["channels"].items():
        assert channel["address"] and channel["messages"], name
    for name, op in committed["operations"].items():
        assert op["action"] in ("send", "receive"), name
        assert op["channel"]["$ref"].startswith("#/channels/"), name
        # An operation's messages are a subset of its channel's.
        prefix = op["channel"]["$ref"] + "/messages/"
        assert all(m["$ref"].startswith(prefix) for m in op["messages"]), name
    assert all(KEY.match(k) for k in committed["components"]["messages"])


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves(committed: dict[str, Any]) -> None:
    for ref in _refs(committed):
        assert ref.startswith("#/"), ref
        node: Any = committed
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
            node = node[part]


def test_every_event_model_appears(document: dict[str, Any]) -> None:
    messages = document["components"]["messages"]
    for event_type, model in EVENT_MODELS.items():
        assert event_type in messages, event_type
        assert messages[event_type]["x-producer"] == model.producer
        assert event_type in document["channels"][model.topic]["messages"]
        sends = [
            op
            for op in document["operations"].values()
            if op["action"] == "send"
            and {"$ref": f"#/channels/{model.topic}/messages/{event_type}"} in op["messages"]
        ]
        assert len(sends) == 1, f"{event_type}: one producer operation expected"


def test_every_consumed_event_type_has_a_producer(catalogue: Catalogue) -> None:
    assert catalogue.consumptions, "no service consumes anything: subscriptions not found"
    for c in catalogue.consumptions:
        assert c.event_type in EVENT_MODELS, f"{c.group} handles unknown type {c.event_type}"
        topic = EVENT_MODELS[c.event_type].topic
        # Otherwise the handler is never reached: the event arrives on a topic not subscribed.
        assert topic in c.topics, f"{c.group} handles {c.event_type} but does not read {topic}"


def test_consumers_are_listed_per_message(document: dict[str, Any]) -> None:
    messages = document["components"]["messages"]
    deceased = {c["service"]: c for c in messages["person.deceased"]["x-consumers"]}
    assert {"enrollment", "welfare", "employment"} <= deceased.keys()
    assert any("dibao" in h for h in deceased["welfare"]["handlers"])
    services = {c["service"] for m in messages.values() for c in m.get("x-consumers", [])}
    assert services == set(SERVICES)
    groups = document["channels"]["dlq"]["parameters"]["group"]["enum"]
    assert {"enrollment", "medical", "welfare", "employment"} <= set(groups)


def test_headers_are_the_ones_written() -> None:
    headers = build_document(Catalogue({}, []))["components"]["schemas"]["CloudEventHeaders"]
    names = set(headers["properties"])
    assert {"ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"} <= names
    assert {"ce_specversion", "ce_correlationid", "content-type"} <= names
    assert {"ce_id", "ce_type", "ce_source", "ce_time"} <= set(headers["required"])
    source = inspect.getsource(ConsumerRunner._dead_letter)
    assert all(f'"{name}"' in source for name in DLQ_HEADERS)


def test_chained_handlers_are_named_by_their_parts() -> None:
    def first(*_: object) -> None: ...

    def second(*_: object) -> None: ...

    def chain(*handlers: Any) -> Any:
        def apply(*args: object) -> None:
            for handler in handlers:
                handler(*args)

        return apply

    names = handler_names(chain(first, second))
    assert [n.rsplit(".", 1)[1] for n in names] == ["first", "second"]


def test_check_command_fails_on_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "asyncapi.yaml"
    assert main(["--check", "--out", str(out)]) == 1
    assert "regenerate with: make catalogue" in capsys.readouterr().err
    assert main(["--out", str(out)]) == 0
    assert main(["--check", "--out", str(out)]) == 0
    (tmp_path / "events.md").write_text("edited by hand\n")
    assert main(["--check", "--out", str(out)]) == 1


def test_every_event_has_a_consumer_or_a_named_outside_audience(catalogue: Catalogue) -> None:
    """An event nothing consumes is published for someone: the catalogue says who."""
    orphans = [
        t for t, m in catalogue.models.items() if not catalogue.consumers_of(t) and not m.audience
    ]
    assert orphans == []


# --- the document against the AsyncAPI 3.0 schema, servers and security --------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema_rs.Validator:
    schema = json.loads(ASYNCAPI_SCHEMA.read_text())
    assert schema["properties"]["asyncapi"]["const"] == "3.0.0"
    # Bundled: every $ref is inside the file, so nothing is fetched.
    return jsonschema_rs.Draft7Validator(schema, offline=True)


def _errors(validator: jsonschema_rs.Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


def test_committed_document_is_valid_asyncapi_3(
    validator: jsonschema_rs.Validator, committed: dict[str, Any]
) -> None:
    assert _errors(validator, committed) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["components"]["securitySchemes"][SECURITY_SCHEME].update(type="password"),
        lambda d: d["servers"]["production"].pop("protocol"),
        lambda d: d["operations"]["subscriber.receive.welfare.events"].update(action="read"),
        lambda d: d["components"]["messages"]["person.deceased"].update(contentType=3),
    ],
)
def test_the_schema_catches_a_broken_document(
    validator: jsonschema_rs.Validator, document: dict[str, Any], damage: Any
) -> None:
    """The schema is not vacuous: each of these breaks the document."""
    broken = copy.deepcopy(document)
    damage(broken)
    assert _errors(validator, broken)


def test_servers_name_a_protocol_and_existing_security_schemes(committed: dict[str, Any]) -> None:
    schemes = committed["components"].get("securitySchemes", {})
    assert {"local", "production"} <= committed["servers"].keys()
    for name, server in committed["servers"].items():
        assert server["host"] and server["protocol"] in ("kafka", "kafka-secure"), name
        for requirement in server.get("security", []):
            ref = requirement["$ref"]
            assert ref.startswith("#/components/securitySchemes/"), (name, ref)
            assert ref.rsplit("/", 1)[1] in schemes, (name, ref)
    production = committed["servers"]["production"]
    assert production["protocol"] == "kafka-secure"
    assert production["security"], "the production server requires authentication"
    assert committed["servers"]["local"].get("security") is None  # the development broker
    assert schemes[SECURITY_SCHEME]["type"] == "scramSha512"
    assert "TLS" in schemes[SECURITY_SCHEME]["description"]


def test_operations_name_existing_channels_and_messages(committed: dict[str, Any]) -> None:
    channels = committed["channels"]
    messages = committed["components"]["messages"]
    for name, op in committed["operations"].items():
        channel = op["channel"]["$ref"].removeprefix("#/channels/")
        assert channel in channels, (name, channel)
        for ref in op["messages"]:
            key = ref["$ref"].rsplit("/", 1)[1]
            assert key in channels[channel]["messages"], (name, key)
    for name, channel in channels.items():
        for key, ref in channel["messages"].items():
            assert ref["$ref"] == f"#/components/messages/{key}", name
            assert key in messages, (name, key)


def test_production_host_is_the_compose_external_listener() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    advertised = compose["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    # `${KAFKA_EXTERNAL_HOST:-localhost}` as compose resolves it with the variable unset.
    resolved = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", advertised)
    listeners = dict(item.split("://", 1) for item in resolved.split(","))
    assert listeners["EXTERNAL"] == PRODUCTION_HOST


def test_outside_subscribers_read_every_published_topic(
    document: dict[str, Any], catalogue: Catalogue
) -> None:
    published = {f"{service}.events" for service in SERVICES}
    assert set(catalogue.published_topics()) == published
    reads = {
        op["channel"]["$ref"].removeprefix("#/channels/"): op
        for name, op in document["operations"].items()
        if name.startswith("subscriber.receive.")
    }
    assert reads.keys() == published
    for topic, op in reads.items():
        assert op["action"] == "receive"
        assert len(op["messages"]) == len(document["channels"][topic]["messages"]), topic
        assert op["security"] == [{"$ref": f"#/components/securitySchemes/{SECURITY_SCHEME}"}]


def test_handler_names_are_clean(document: dict[str, Any]) -> None:
    names = [
        handler
        for message in document["components"]["messages"].values()
        for consumer in message.get("x-consumers", [])
        for handler in consumer["handlers"]
    ] + [
        handler
        for op in document["operations"].values()
        for handlers in op.get("x-handlers", {}).values()
        for handler in handlers
    ]
    assert names
    assert [n for n in names if not HANDLER_NAME.fullmatch(n)] == []
