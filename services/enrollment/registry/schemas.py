"""Request and response models of registry (enrollment), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from services.enrollment.registry.models import Household, Person
from shared.domain import PovertyStatus
from shared.ids import ResidentIdNumber, mask_id_number


class PersonOut(BaseModel):
    person_id: str
    id_number: str
    name: str
    sex: str
    birth_date: date
    household_id: str
    relation: str | None
    county_code: str
    township_code: str
    village_code: str
    poverty_status: PovertyStatus
    disability_grade: int | None
    student: bool
    employee_pension: bool
    deceased_on: date | None
    missing_from_roster: bool

    @classmethod
    def of(cls, p: Person, h: Household, mask: bool = False) -> PersonOut:
        return cls(
            person_id=p.id,
            id_number=mask_id_number(p.id_number) if mask else p.id_number,
            name=p.name,
            sex=p.sex,
            birth_date=p.birth_date,
            household_id=h.id,
            relation=p.relation,
            county_code=h.county_code,
            township_code=h.township_code,
            village_code=h.village_code,
            poverty_status=h.poverty_status,
            disability_grade=p.disability_grade,
            student=p.student,
            employee_pension=p.employee_pension,
            deceased_on=p.deceased_on,
            missing_from_roster=p.missing_since_import is not None,
        )


class PersonPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[PersonOut]


class DeathIn(BaseModel):
    deceased_on: date = Field(description="date of death")


class DisabilityIn(BaseModel):
    grade: int = Field(ge=1, le=4, description="残疾等级 1 (most severe) to 4")
    certified_on: date


class MemberIn(BaseModel):
    id_number: ResidentIdNumber
    name: str = Field(min_length=1, max_length=100)
    relation: str | None = Field(default=None, max_length=40)


class HeadIn(BaseModel):
    id_number: ResidentIdNumber


class MoveIn(BaseModel):
    to_household_id: str = Field(min_length=1, max_length=40)


class SplitIn(BaseModel):
    new_household_id: str = Field(min_length=1, max_length=40)
    id_numbers: list[ResidentIdNumber] = Field(min_length=1, max_length=50)
    head_id_number: ResidentIdNumber
