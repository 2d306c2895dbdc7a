"""Registry of event types -> versioned pydantic payload models. The generated event catalogue is
built from this registry, so a type exists only if its model is registered here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

EVENT_MODELS: dict[str, type[EventData]] = {}
# Outside subscribers (other government systems) read the services' event topics as this one
# read-only principal, each in its own consumer group `ext-<system>` (deploy/kafka_acls.py grants
# exactly that; the catalogue documents it).
OUTSIDE_PRINCIPAL = "subscriber"
OUTSIDE_GROUPS = "ext-"
T = TypeVar("T", bound="EventData")


class EventData(BaseModel):
    """Base of every event payload. `event_type` is the CloudEvents `type`; `version` bumps on any
    incompatible change and is carried in `dataschema`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    producer: ClassVar[str]
    # One topic per producing service keeps each household's events in order.
    topic: ClassVar[str]
    # Who outside the project subscribes, for an event no service of the project consumes.
    audience: ClassVar[str | None] = None

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:poverty-security:event:{cls.event_type}:v{cls.version}"


def event_model(
    event_type: str,
    *,
    producer: str,
    topic: str | None = None,
    version: int = 1,
    audience: str | None = None,
) -> Callable[[type[T]], type[T]]:
    def register(cls: type[T]) -> type[T]:
        if event_type in EVENT_MODELS:
            raise ValueError(f"event type {event_type} registered twice")
        cls.event_type = event_type
        cls.version = version
        cls.producer = producer
        cls.topic = topic or f"{producer}.events"
        cls.audience = audience
        EVENT_MODELS[event_type] = cls
        return cls

    return register


def docstring(model: type[EventData]) -> str:
    """The model's own docstring as one paragraph (not inherited from its bases)."""
    return " ".join((model.__dict__.get("__doc__") or "").split())


class UnknownEventType(ValueError):
    pass


def parse_data(event_type: str, data: Any) -> EventData:
    model = EVENT_MODELS.get(event_type)
    if model is None:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    return model.model_validate(data)
