"""Event envelope (CloudEvents 1.0) and the typed payloads every service publishes or consumes."""

from shared.events import (  # noqa: F401  (registers the event models)
    employment,
    enrollment,
    medical,
    registry,
    welfare,
)
from shared.events.catalogue import EVENT_MODELS, EventData, event_model, parse_data
from shared.events.envelope import Envelope, MalformedEvent

__all__ = ["EVENT_MODELS", "Envelope", "EventData", "MalformedEvent", "event_model", "parse_data"]
