"""Tables of public-welfare posts (扶贫公益岗位, EMP-4): the posts with their positions, and the
registered poor people assigned to them over time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class PublicPost(SQLModel, table=True):
    """A public-welfare post (公益岗位) in a village or township with `capacity` positions."""

    __tablename__ = "public_post"
    __table_args__ = (Index("ix_public_post_county_township", "county_code", "township_code"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str | None = Field(default=None, max_length=12)
    post_type: str = Field(max_length=20)  # PostType
    name: str = Field(max_length=200)
    capacity: int
    opened_on: date
    closed_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class PublicPostAssignment(SQLModel, table=True):
    """A registered poor person on a post (上岗) from `start_on` to `end_on` (inclusive)."""

    __tablename__ = "public_post_assignment"
    __table_args__ = (
        Index("ix_public_post_assignment_post", "post_id", "start_on"),
        Index("ix_public_post_assignment_person", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="public_post.id")
    person_id: str = Field(max_length=36)
    household_id: str = Field(max_length=40, index=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    start_on: date
    end_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


POSTS_TABLES = (PublicPost, PublicPostAssignment)
