"""The committed event catalogue (docs/asyncapi.yaml, docs/events.md) is what the code generates,
and it tells a reader who produces and who consumes every event type."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared import SERVICES
from shared.bus.consumer import ConsumerRunner
from shared.events.asyncapi import (
    DEFAULT_OUT,
    DLQ_HEADERS,
    REGENERATE,
    Catalogue,
    build_document,
    main,
    render_all,
)
from shared.events.catalogue import EVENT_MODELS
from shared.events.subscribers import handler_names

KEY = re.compile(r"^[A-Za-z0-9.\-_]+$")  # AsyncAPI 3 map keys of channels, operations, messages


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
