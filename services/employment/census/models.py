"""Tables of the labour census (劳动力调查, EMP-1). A census record belongs to a person of the
registry read model; the person's township and village are the registry's (current), so a move
carries the record along."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class LabourCensusPerson(SQLModel, table=True):
    """One surveyed person (EMP-1). `closed_on` is set when the person leaves the census (death)."""

    __tablename__ = "labour_census_person"

    person_id: str = Field(primary_key=True, max_length=36)
    household_id: str = Field(max_length=40, index=True)
    surveyed_on: date
    work_ability: str = Field(max_length=10)  # WorkAbility
    wishes_to_work: bool = False  # 就业意愿
    wishes_to_train: bool = False  # 培训意愿
    skills: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    education: str | None = Field(default=None, max_length=20)  # Education
    in_school: bool = False  # 在读
    declared_two_after: bool | None = None  # 两后生 as declared, used when education is unknown
    job_location: str = Field(default="none", max_length=20)  # JobLocation
    employer: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    closed_on: date | None = None
    closed_reason: str | None = Field(default=None, max_length=40)
    import_id: int | None = None
    updated_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LabourCensusImport(SQLModel, table=True):
    """One accepted census spreadsheet."""

    __tablename__ = "labour_census_import"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    filename: str = Field(max_length=200)
    rows: int
    created: int
    updated: int
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


CENSUS_TABLES = (LabourCensusPerson, LabourCensusImport)
