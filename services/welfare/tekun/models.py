"""Tables of extreme-poverty support (特困供养, WEL-5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


def _money() -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=True)


class TekunCase(SQLModel, table=True):
    """One person's 特困供养: from the application (or a direct certification) to its end.

    `open_person_id` is the person id while the case is open (applied, reviewed or certified)
    and NULL once it is rejected or ended: its unique index keeps one open case per person, even
    when two officers file at once."""

    __tablename__ = "tekun_case"
    __table_args__ = (Index("ix_tekun_case_county_status", "county_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, index=True)
    open_person_id: str | None = Field(default=None, max_length=36, unique=True)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    route: str = Field(max_length=20)  # application | direct
    status: str = Field(max_length=20)  # applied | township_reviewed | certified | rejected | ended
    basis: str = Field(default="", max_length=1000)
    self_care: str | None = Field(default=None, max_length=10)  # latest assessment
    monthly_amount: Decimal | None = Field(default=None, sa_column=_money())
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    support_mode: str = Field(default="dispersed", max_length=12)  # dispersed | centralised
    effective_from: date | None = None  # support in force from (certification)
    ended_on: date | None = None  # support in force until the day before
    end_reason: str | None = Field(default=None, max_length=30)
    end_note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TekunAssessment(SQLModel, table=True):
    """A self-care assessment (生活自理能力评估) and the amount it gives from `applies_from`.

    An assessment made before certification (ZA-GOV §三(三)6 has them done by the end of May,
    support paid from June) gets its amount, from the certification's effective date, when the
    case is certified; an assessment of a certified case gets it at once. Rows are added, never
    replaced, so the history of a case's amount stays readable."""

    __tablename__ = "tekun_assessment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    self_care: str = Field(max_length=10)
    assessed_on: date
    applies_from: date | None = None
    monthly_basic: Decimal | None = Field(default=None, sa_column=_money())
    care_monthly: Decimal | None = Field(default=None, sa_column=_money())
    monthly_amount: Decimal | None = Field(default=None, sa_column=_money())
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=500)
    assessed_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class CareHome(SQLModel, table=True):
    """A care home (敬老院) of a township, with its beds."""

    __tablename__ = "care_home"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    beds: int
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CarePlacement(SQLModel, table=True):
    """A 特困 person living in a care home (集中供养) from `moved_in` until the day before
    `moved_out` (NULL: still there)."""

    __tablename__ = "care_placement"
    __table_args__ = (Index("ix_care_placement_home", "home_id", "moved_in"),)

    id: int | None = Field(default=None, primary_key=True)
    home_id: int
    case_id: int = Field(index=True)
    person_id: str = Field(max_length=36, index=True)
    moved_in: date
    moved_out: date | None = None
    out_reason: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


TEKUN_TABLES = (TekunCase, TekunAssessment, CareHome, CarePlacement)
