"""Request and response bodies of the labour census API (劳动力调查, EMP-1)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator

from services.employment.census.rules import Education, JobLocation, WorkAbility

TWO_AFTER_DESCRIPTION = (
    "两后生: a junior or senior high school graduate who did not continue studying "
    "(初、高中毕业后未能升学), derived from education, in_school and age (EMP-2, YA-HRSS §三(一))"
)


class CensusIn(BaseModel):
    """One person's census facts (PUT: the whole record)."""

    surveyed_on: date | None = Field(default=None, description="调查日期; default today")
    work_ability: WorkAbility = Field(description="劳动能力: full / partial / none")
    wishes_to_work: bool = Field(description="就业意愿")
    wishes_to_train: bool = Field(description="培训意愿")
    skills: list[str] = Field(default_factory=list, max_length=30, description="技能")
    education: Education | None = Field(default=None, description="文化程度 (highest completed)")
    in_school: bool = Field(default=False, description="在读 (still studying)")
    declared_two_after: bool | None = Field(
        default=None, description="两后生 as declared; used only when education is not recorded"
    )
    job_location: JobLocation = Field(
        default=JobLocation.none,
        description="就业: none 未就业 / local 县内 / province 省内县外 / other_province 省外",
    )
    employer: str | None = Field(default=None, max_length=200, description="就业单位")
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _employer(self) -> CensusIn:
        if self.job_location is JobLocation.none and self.employer:
            raise ValueError("employer is given but job_location is none")
        self.skills = [s.strip() for s in self.skills if s.strip()]
        return self


class CensusPatch(BaseModel):
    """Some of one person's census facts (PATCH)."""

    surveyed_on: date | None = None
    work_ability: WorkAbility | None = None
    wishes_to_work: bool | None = None
    wishes_to_train: bool | None = None
    skills: list[str] | None = Field(default=None, max_length=30)
    education: Education | None = None
    in_school: bool | None = None
    declared_two_after: bool | None = None
    job_location: JobLocation | None = None
    employer: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)


class CensusOut(BaseModel):
    person_id: str
    household_id: str
    name: str
    township_code: str
    village_code: str
    age: int
    surveyed_on: date
    work_ability: WorkAbility
    wishes_to_work: bool
    wishes_to_train: bool
    skills: list[str]
    education: Education | None
    in_school: bool
    declared_two_after: bool | None
    job_location: JobLocation
    employer: str | None
    note: str | None
    working_age: bool
    labourer: bool = Field(description="劳动力: working age, alive, able to work (EMP-1)")
    two_after_students: bool = Field(description=TWO_AFTER_DESCRIPTION)
    closed_on: date | None
    closed_reason: str | None
    updated_at: datetime
    on_dibao: bool = Field(default=False, description="on 低保, from civil affairs' events")
    on_tekun: bool = Field(default=False, description="on 特困 support, from civil affairs' events")


class CensusPage(BaseModel):
    total: int
    items: list[CensusOut]


class ImportOut(BaseModel):
    id: int
    filename: str
    rows: int
    created: int
    updated: int


class UnsurveyedPerson(BaseModel):
    person_id: str
    household_id: str
    name: str
    age: int


class UnsurveyedVillage(BaseModel):
    township_code: str
    village_code: str
    count: int
    persons: list[UnsurveyedPerson]
