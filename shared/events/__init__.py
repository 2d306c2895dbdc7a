"""Event envelope (CloudEvents 1.0) and the typed payloads every service publishes or consumes."""

from shared.events import enrollment, registry, welfare  # noqa: F401  (registers the models)
from shared.events.catalogue import EVENT_MODELS, EventData, event_model, parse_data
from shared.events.envelope import Envelope, MalformedEvent

__all__ = ["EVENT_MODELS", "Envelope", "EventData", "MalformedEvent", "event_model", "parse_data"]
