"""Request and response bodies of the training API (技能培训, EMP-2; 求职创业补贴, EMP-7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from services.employment.training.rules import CertificateKind, ProgrammeKind
from shared.trace import Provenance, illustrative_of

Township = Field(pattern=r"^\d{9}$")


class ProgrammeIn(BaseModel):
    county_code: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=1, max_length=200)
    kind: ProgrammeKind = Field(
        description="引导性培训 guidance / 技能培训 skills / 创业培训 entrepreneurship"
    )
    provider_department: str = Field(min_length=1, max_length=100, description="e.g. 县人社局")
    townships: list[str] = Field(min_length=1, max_length=50)
    for_two_after: bool = Field(default=False, description="a programme for 两后生")
    hours: int = Field(ge=1, le=5000)
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _check(self) -> ProgrammeIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        for code in self.townships:
            if len(code) != 9 or not code.isdigit() or not code.startswith(self.county_code):
                raise ValueError(f"township {code!r} is not a 9-digit code of the county")
        if len(set(self.townships)) != len(self.townships):
            raise ValueError("a township is listed twice")
        return self


class ProgrammeOut(Provenance):
    id: int
    county_code: str
    name: str
    kind: ProgrammeKind
    kind_zh: str
    provider_department: str
    townships: list[str]
    for_two_after: bool
    hours: int
    starts_on: date
    ends_on: date
    enrolled: int = 0
    completed: int = 0
    assignment_trace: dict[str, Any]
    created_at: datetime

    @model_validator(mode="after")
    def _provenance(self) -> ProgrammeOut:
        self.illustrative_parameters = illustrative_of(self.assignment_trace)
        return self


class EnrolmentIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    enrolled_on: date | None = None


class CompletionIn(BaseModel):
    completed_on: date
    outcome: Literal["passed", "failed"] = Field(description="合格 passed / 不合格 failed")


class EnrolmentOut(BaseModel):
    id: int
    programme_id: int
    person_id: str
    household_id: str
    township_code: str
    village_code: str
    enrolled_on: date
    status: str
    completed_on: date | None
    outcome: str | None
    closed_reason: str | None


class CertificateIn(BaseModel):
    kind: CertificateKind = Field(
        description="职业资格证书 vocational_qualification / 技能等级证书 skill_level"
    )
    number: str = Field(min_length=1, max_length=60, description="证书编号")
    title: str | None = Field(default=None, max_length=100, description="职业 / 工种")
    issued_on: date
    issuer: str | None = Field(default=None, max_length=200)


class CertificateOut(BaseModel):
    id: int
    enrolment_id: int
    person_id: str
    kind: CertificateKind
    number: str
    title: str | None
    issued_on: date
    issuer: str | None


class SubsidyOut(Provenance):
    id: int
    person_id: str
    certificate_id: int
    amount: Decimal
    decided_on: date
    decided_by: str
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> SubsidyOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self


class AreaIndicators(BaseModel):
    code: str = Field(description="township (9 digits) or village (12 digits) code, or county")
    labourers: int = Field(description="registered poor labourers (劳动力)")
    willing: int = Field(description="labourers who wish to train")
    base: int = Field(description="labourers to be trained (coverage_base: willing or all)")
    trained: int = Field(description="of the base, trained by the date")
    two_after: int = Field(description="两后生 (two_after_students)")
    two_after_base: int
    two_after_trained: int
    training_rate: Decimal | None
    two_after_rate: Decimal | None
    placed: int = Field(description="trained labourers placed within the window")
    not_placed: int
    pending: int = Field(description="window still open, no job yet")
    placement_rate: Decimal | None


class IndicatorsOut(Provenance):
    county_code: str
    on: date
    by: Literal["township", "village"]
    placement_window_months: int
    total: AreaIndicators
    areas: list[AreaIndicators]
    trace: dict[str, Any]

    @model_validator(mode="after")
    def _provenance(self) -> IndicatorsOut:
        self.illustrative_parameters = illustrative_of(self.trace)
        return self
