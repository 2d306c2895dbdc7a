"""CloudEvents 1.0 envelope, carried on Kafka in binary mode: attributes in `ce_*` headers, the
payload as plain JSON in the value, the household id as the key (per-household ordering)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, ConfigDict, Field

from shared import clock
from shared.clock import CHINA
from shared.events.catalogue import EventData

_FORMAT = JSONFormat()

CORRELATION_ATTR = "correlationid"
PARTITION_ATTR = "partitionkey"


_REQUIRED = ("id", "source", "type", "specversion")


class MalformedEvent(ValueError):
    """A message that cannot be read as one of our events: it goes to the dead-letter topic."""


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=clock.now)
    specversion: str = "1.0"
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    correlationid: str | None = None
    partitionkey: str | None = None
    data: dict[str, Any]

    def day(self) -> date:
        """The day (China time) the event happened. A consumer judges "today" by it, never by the
        day it runs, so replaying the same events later gives the same result."""
        return self.time.astimezone(CHINA).date()

    @classmethod
    def wrap(
        cls,
        data: EventData,
        *,
        source: str,
        subject: str | None,
        key: str | None,
        correlation_id: str | None = None,
    ) -> Envelope:
        return cls(
            source=source,
            type=data.event_type,
            subject=subject,
            dataschema=data.dataschema(),
            correlationid=correlation_id,
            partitionkey=key,
            data=data.model_dump(mode="json"),
        )

    def to_kafka(self) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
        attrs = self.model_dump(exclude={"data"}, exclude_none=True)
        # Serialised here so that Chinese text stays UTF-8 rather than \u escapes.
        body = json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()
        msg = ce_kafka.to_binary(CloudEvent(attributes=attrs, data=body), _FORMAT)
        key = msg.key.encode() if isinstance(msg.key, str) else msg.key
        return key, msg.value, list(msg.headers.items())

    @staticmethod
    def stored_to_kafka(
        attributes: dict[str, Any], payload: str
    ) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
        """What `to_kafka()` gives, built straight from an envelope's stored attributes (its JSON
        dump without `data`, None left out) and its serialised data: the relay's hot path, with
        no validation or re-serialisation (tests/unit/test_envelope.py holds the two equal)."""
        headers = [
            ("content-type", str(value).encode())
            if name == "datacontenttype"
            else (f"ce_{name}", str(value).encode())
            for name, value in attributes.items()
        ]
        key = attributes.get(PARTITION_ATTR)
        return (key.encode() if key is not None else None), payload.encode(), headers

    @classmethod
    def from_kafka(
        cls,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
    ) -> Envelope:
        own = cls._own_binary(key, value, headers)
        if own is not None:
            return own
        try:
            message = ce_kafka.KafkaMessage(
                headers={k: v for k, v in headers}, key=key, value=value or b""
            )
            event = ce_kafka.from_binary(message, _FORMAT)
            data = event.get_data()
            if isinstance(data, bytes | str):
                data = json.loads(data)
            if not isinstance(data, dict):
                raise MalformedEvent("event data must be a JSON object")
            return cls(**event.get_attributes(), data=data)
        except MalformedEvent:
            raise
        except Exception as exc:  # the SDK raises several types; all mean the same to us
            raise MalformedEvent(f"not a CloudEvent in Kafka binary mode: {exc}") from exc

    @classmethod
    def _own_binary(
        cls,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
    ) -> Envelope | None:
        """The envelope of a message exactly as `to_kafka()` writes it (only our attributes,
        JSON data, the key as partition key), read without the SDK's generic parsing: the
        consumer's hot path. Anything else gives None and is left to the SDK."""
        attrs: dict[str, str] = {}
        for name, raw in headers:
            if name == "content-type":
                attrs["datacontenttype"] = raw.decode()
            elif name.startswith("ce_") and name[3:] in _ATTRIBUTES:
                attrs[name[3:]] = raw.decode()
            else:
                return None
        if (
            attrs.get("specversion") != "1.0"
            or attrs.get("datacontenttype") != "application/json"
            or any(a not in attrs for a in _REQUIRED)
            or (key is not None and attrs.get(PARTITION_ATTR, "").encode() != key)
        ):
            return None
        try:
            data = json.loads(value or b"")
            return cls.model_validate({**attrs, "data": data}) if isinstance(data, dict) else None
        except ValueError:  # not JSON, or a pydantic ValidationError: the SDK says why
            return None


_ATTRIBUTES = frozenset(name for name in Envelope.model_fields if name != "data")
