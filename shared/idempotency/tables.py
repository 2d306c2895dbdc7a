"""The answers kept for requests sent with an `Idempotency-Key`, per caller and key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

import shared.db  # noqa: F401  (naming convention before any table)
from shared.bus.tables import utcnow

IDEMPOTENCY_TABLE = "idempotent_request"


class IdempotentRequest(SQLModel, table=True):
    """A request made with a key: `pending` while it runs, then its answer as sent."""

    __tablename__ = IDEMPOTENCY_TABLE
    __table_args__ = (Index("ix_idempotent_request_created_at", "created_at"),)

    subject: str = Field(primary_key=True, max_length=200)  # the token's caller
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)  # sha256 of method, path, query and body
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    state: str = Field(max_length=10)  # pending | done
    status: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=500)
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
