"""A county's dated parameter set, from its proposal to its publication (or rejection)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

import shared.db  # noqa: F401  (naming convention before any table)
from shared.bus.tables import utcnow

PUBLICATION_TABLE = "policy_publication"


class PolicyPublication(SQLModel, table=True):
    """proposed → published (by a second officer, never the proposer; immutable from then on)
    or rejected. `items` are the figures: path, effective date, value, citation or the reason it
    is illustrative."""

    __tablename__ = PUBLICATION_TABLE
    __table_args__ = (Index("ix_policy_publication_county_status", "county_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    status: str = Field(max_length=10)  # proposed | published | rejected
    reason: str = Field(max_length=2000)  # why: the county's decision and what it changes
    items: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    proposed_by: str = Field(max_length=120)
    proposed_at: datetime = Field(default_factory=utcnow)
    decided_by: str | None = Field(default=None, max_length=120)
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=2000)
