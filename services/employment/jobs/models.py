"""Tables of job recommendation (EMP-3): vacancies (用工岗位信息库), recommendations of a vacancy to
a registered poor labourer with their outcome, placements (就业) and recruitment fairs (招聘会).

A recommendation and a placement copy the person's household and division codes from the
registry read model when recorded, so that scope filters and per-township counts need no join."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class JobVacancy(SQLModel, table=True):
    """A vacancy in the county's vacancy database (用工岗位信息库, EMP-3)."""

    __tablename__ = "job_vacancy"
    __table_args__ = (Index("ix_job_vacancy_county_status", "county_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    township_code: str | None = Field(default=None, max_length=9)
    employer: str = Field(max_length=200)
    location: str = Field(max_length=20)  # local / province / other_province
    address: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    monthly_wage: Decimal = Field(sa_type=Numeric(12, 2))
    skills: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    positions: int
    status: str = Field(default="open", max_length=10)  # open / closed
    opened_on: date
    closed_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class JobRecommendation(SQLModel, table=True):
    """A vacancy recommended to a registered poor labourer (岗位推荐) and what came of it."""

    __tablename__ = "job_recommendation"
    __table_args__ = (
        Index("ix_job_recommendation_county_year", "county_code", "year"),
        Index("ix_job_recommendation_person", "person_id", "year"),
        UniqueConstraint("vacancy_id", "person_id", name="uq_job_recommendation_vacancy_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: int = Field(foreign_key="job_vacancy.id")
    person_id: str = Field(max_length=36)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    recommended_on: date
    year: int
    outcome: str = Field(default="pending", max_length=20)
    outcome_on: date | None = None
    note: str = Field(default="", max_length=500)
    placement_id: str | None = Field(default=None, max_length=36)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class JobPlacement(SQLModel, table=True):
    """A registered labourer in work (就业): published once as employment.job_placed; its end,
    if it ends, once as employment.job_lost."""

    __tablename__ = "job_placement"
    __table_args__ = (
        UniqueConstraint("person_id", "start_on", name="uq_job_placement_person_start"),
        UniqueConstraint("recommendation_id", name="uq_job_placement_recommendation"),
        Index("ix_job_placement_county", "county_code", "township_code"),
    )

    id: str = Field(primary_key=True, max_length=36)
    person_id: str = Field(max_length=36, index=True)
    household_id: str = Field(max_length=40, index=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    employer: str = Field(max_length=200)
    location: str = Field(max_length=20)
    vacancy_id: int | None = Field(default=None, foreign_key="job_vacancy.id")
    recommendation_id: int | None = Field(default=None, foreign_key="job_recommendation.id")
    monthly_wage: Decimal | None = Field(default=None, sa_type=Numeric(12, 2))
    start_on: date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class RecruitmentFair(SQLModel, table=True):
    """A recruitment fair (招聘会 / 送岗下乡) held in a township (EMP-3)."""

    __tablename__ = "job_fair"
    __table_args__ = (Index("ix_job_fair_township", "township_code", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    name: str = Field(max_length=200)
    held_on: date
    employers: int
    vacancies: int
    attendees: int
    hires: int
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


JOBS_TABLES = (JobVacancy, JobRecommendation, JobPlacement, RecruitmentFair)
