"""Request and response models of education aid (enrollment), as the routes answer them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.money import Money
from shared.trace import Provenance, TracedProvenance, TraceOut

LineKindName = Literal["payment", "waiver", "in_kind", "information", "not_published"]


class LineOut(BaseModel):
    """One thing a student is due: a payment, a waiver, an in-kind line or information."""

    rule: str
    item: str
    item_zh: str
    kind: LineKindName = Field(
        description="payment (补助), waiver (减免, counted at the seed's figure), in_kind "
        "(免费教科书, no amount), information (a loan limit: told, never paid or counted), "
        "not_published (本县未出台: the county has no figure for this programme; the note names "
        "the parameter)"
    )
    amount: Money | None
    note: str = ""


class StudentOut(Provenance):
    """A register line and what the student is due for the school year (EDU-1, EDU-2, EDU-3,
    EDU-4, EDU-5); a student not in the registry is listed with no lines (the registry holds the
    facts the rules need)."""

    school_year: int
    id_number: str
    name: str
    school: str
    stage: str
    stage_zh: str
    grade: int
    boarding: bool
    in_registry: bool
    household_id: str | None
    township_code: str | None
    village_code: str | None
    poverty_status: str | None
    entitled: bool
    amount: Money = Field(description="payments and waivers for the school year, yuan")
    lines: list[LineOut]


class StudentDetail(StudentOut, TracedProvenance):
    """A student's decision with its trace (None for a student not in the registry)."""

    trace: TraceOut | None


class StudentPage(Provenance):
    school_year: int
    total: int
    entitled: int
    amount: Money = Field(description="payments and waivers of every listed student, yuan")
    not_in_registry: int
    offset: int
    limit: int
    items: list[StudentOut]


class OutOfSchoolChild(BaseModel):
    """A child of compulsory school age of a registered-poor household found in no school of the
    register (控辍保学, EDU-6): for the township and village cadres to visit."""

    id_number: str
    name: str
    birth_date: date
    age: int
    household_id: str
    township_code: str
    village_code: str
    poverty_status: str
    disability_grade: int | None


class OutOfSchoolList(TracedProvenance):
    school_year: int
    division: str
    total: int
    items: list[OutOfSchoolChild]
    trace: TraceOut


class TownshipCoverage(BaseModel):
    township_code: str
    students: int = Field(description="register lines of students in the registry")
    registered_poor_students: int
    entitled: int
    amount: Money
    out_of_school: int


class CoverageOut(Provenance):
    """Per township: the registry's students in the register, those due aid and how much, and
    the children of compulsory age in no school (EDU-6)."""

    school_year: int
    division: str
    townships: list[TownshipCoverage]
    not_in_registry: int = Field(
        description="register lines whose ID number is in no registered household (county-level "
        "callers only)"
    )
