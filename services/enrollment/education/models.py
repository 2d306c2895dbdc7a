"""Tables of education aid: the education bureau's student register (在校生名册), per school year
and county, joined with the registry by ID number when read (EDU-6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class StudentRecord(SQLModel, table=True):
    """A line of a county's student register for a school year: one school per student and year.

    `county_code` is the county whose education bureau registered the student (its schools, its
    figures); the student's household, when registered, places them for township and village
    staff. `school_year` is the year the school year starts (2018 = 2018-09 to 2019-08)."""

    __tablename__ = "education_student"
    __table_args__ = (
        UniqueConstraint("school_year", "id_number"),
        Index("ix_education_student_county_year", "county_code", "school_year", "school"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_year: int
    county_code: str = Field(max_length=6)
    id_number: str = Field(max_length=18, index=True)
    name: str = Field(max_length=100)
    school: str = Field(max_length=100)
    stage: str = Field(max_length=20)  # Stage
    grade: int
    boarding: bool = False  # 寄宿
    public_inclusive: bool | None = None  # 普惠性公办幼儿园 (学前 rows)
    poor_village: bool | None = None  # 贫困村 (学前 rows)
    art_performance: bool = False  # 艺术类表演专业 (中职)
    import_id: str = Field(max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)
