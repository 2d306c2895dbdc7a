"""Read model of civil affairs' decisions per person, fed by welfare events (never its DB)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class WelfareStanding(SQLModel, table=True):
    """Whether a person is on dibao (低保) or 特困 support, and since when. Employment staff
    give these people priority for recommendations and public-welfare posts (EMP-3, EMP-4), and
    a job found by one of them reaches welfare's gradual exit (WEL-8)."""

    __tablename__ = "employment_welfare_standing"

    person_id: str = Field(primary_key=True, max_length=36)
    dibao: bool = False
    dibao_since: date | None = None
    tekun: bool = False
    tekun_since: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(max_length=64)


WELFARE_TABLES = (WelfareStanding,)
