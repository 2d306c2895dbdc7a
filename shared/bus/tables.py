"""Tables every service has: the outbox, the processed-event ledger and the dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

import shared.db  # noqa: F401  (naming convention before any table)
from shared import clock

BUS_TABLES = ("outbox_event", "processed_event", "dead_letter")


def utcnow() -> datetime:
    return clock.now()


class OutboxEvent(SQLModel, table=True):
    """An event written in the same transaction as the change it describes (architecture §4)."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_unpublished", "published_at", "seq"),)

    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    event_id: str = Field(max_length=64, unique=True)
    event_type: str = Field(max_length=120)
    topic: str = Field(max_length=200)
    key: str | None = Field(default=None, max_length=120)
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None)
    attempts: int = 0


class ProcessedEvent(SQLModel, table=True):
    """Event ids a consumer has applied, written in the same transaction as the effect."""

    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True, max_length=80)
    event_id: str = Field(primary_key=True, max_length=64)
    event_type: str = Field(max_length=120)
    processed_at: datetime = Field(default_factory=utcnow)


class DeadLetter(SQLModel, table=True):
    """A message this service gave up on; also sent to the dead-letter topic for operators."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    consumer: str = Field(max_length=80)
    topic: str = Field(max_length=200)
    partition: int
    offset: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_id: str | None = Field(default=None, max_length=64)
    event_type: str | None = Field(default=None, max_length=120)
    error: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int
    created_at: datetime = Field(default_factory=utcnow)
