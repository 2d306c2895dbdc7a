"""Request and response models of family-doctor signing (家庭医生签约服务, MED-12)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from services.medical.family_doctor.models import (
    FamilyDoctorSigning,
    FamilyDoctorTeam,
    FollowUpVisit,
)
from services.medical.family_doctor.rules import TeamLevel, VisitPlace
from shared.ids import ResidentIdNumber
from shared.trace import TracedProvenance

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")
SUBJECT = r"^[A-Za-z0-9._:@-]+$"


class MemberIn(BaseModel):
    subject: str = Field(min_length=1, max_length=120, pattern=SUBJECT, description="account")
    name: str = Field(min_length=1, max_length=50, description="医生姓名")


class TeamIn(BaseModel):
    """A family-doctor team (家庭医生签约服务团队) of the county, a township or a village."""

    name: str = Field(min_length=1, max_length=100)
    level: TeamLevel = Field(description="county 县 / township 乡 / village 村")
    division_code: str = Field(
        pattern=r"^\d{6}(\d{3}(\d{3})?)?$",
        description="the area: county (6), township (9) or village (12 digits), as the level",
    )
    members: list[MemberIn] = Field(min_length=1, max_length=30)

    @field_validator("members")
    @classmethod
    def _distinct(cls, members: list[MemberIn]) -> list[MemberIn]:
        subjects = [m.subject for m in members]
        if len(set(subjects)) != len(subjects):
            raise ValueError("a member is listed twice")
        return members


class TeamOut(BaseModel):
    id: int
    county_code: str
    division_code: str
    level: str
    name: str
    members: list[dict[str, Any]]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, team: FamilyDoctorTeam) -> TeamOut:
        return cls.model_validate(team, from_attributes=True)


class DiagnosisIn(BaseModel):
    """A diagnosis seen at a family doctor's visit (MED-12)."""

    id_number: ResidentIdNumber
    diagnosis_codes: list[str] = Field(min_length=1, max_length=20, description="ICD-10 codes")
    seen_on: date

    @field_validator("diagnosis_codes")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not ICD10.match(code):
                raise ValueError(f"diagnosis code {code!r} is not ICD-10 (e.g. I10)")
        return codes


class DiagnosisOut(BaseModel):
    person_id: str
    disease: str
    code: str
    source: str
    source_ref: str
    seen_on: date


class DiagnosesRecorded(TracedProvenance):
    id_number: str
    recorded: list[DiagnosisOut]
    trace: dict[str, Any]


class SigningIn(BaseModel):
    id_number: ResidentIdNumber
    team_id: int = Field(ge=1)
    signed_on: date


class RenewIn(BaseModel):
    renewed_on: date


class EndIn(BaseModel):
    ended_on: date
    reason: Literal["moved", "declined"] = Field(
        description="moved 迁出 (out of the team's area) / declined 解约; a death comes from the "
        "registry"
    )


class SigningOut(TracedProvenance):
    id: int
    person_id: str
    id_number: str
    team_id: int
    county_code: str
    village_code: str
    starts: date
    ends: date
    status: str
    ended_on: date | None
    end_reason: str | None
    renews: int | None
    signed_by: str
    trace: dict[str, Any]

    @classmethod
    def of(cls, s: FamilyDoctorSigning) -> SigningOut:
        return cls.model_validate(s, from_attributes=True)


class VisitIn(BaseModel):
    visit_date: date
    place: VisitPlace = Field(description="home 入户 / clinic / phone; only home visits count")
    indicators: dict[str, Decimal] = Field(
        default_factory=dict,
        description="监测指标, e.g. systolic_bp, diastolic_bp (mmHg), fasting_glucose (mmol/L)",
    )
    advice: str = Field(default="", max_length=1000, description="就诊、服药指导、健康管理")


class VisitOut(TracedProvenance):
    id: int
    signing_id: int
    person_id: str
    team_id: int
    village_code: str
    visit_date: date
    place: str
    indicators: dict[str, Any]
    advice: str
    recorded_by: str
    trace: dict[str, Any]

    @classmethod
    def of(cls, v: FollowUpVisit) -> VisitOut:
        return cls.model_validate(v, from_attributes=True)


class PatientVisits(BaseModel):
    id_number: str
    person_id: str
    diseases: list[str]
    signings: list[SigningOut]
    visits: list[VisitOut]


class TownshipRate(BaseModel):
    township_code: str
    chronic_patients: int
    must_sign: int
    signed: int
    rate: Decimal | None
    target: Decimal
    met: bool


class RateOut(TracedProvenance):
    county_code: str
    on: date
    townships: list[TownshipRate]
    total: TownshipRate
    trace: dict[str, Any]


class UnsignedPatient(BaseModel):
    person_id: str
    id_number: str
    name: str
    household_id: str
    diseases: list[str]


class VillageUnsigned(BaseModel):
    village_code: str
    township_code: str
    patients: list[UnsignedPatient]


class UnsignedOut(TracedProvenance):
    county_code: str
    on: date
    villages: list[VillageUnsigned]
    trace: dict[str, Any]


class OverdueSigning(BaseModel):
    signing_id: int
    person_id: str
    id_number: str
    team_id: int
    village_code: str
    last_home_visit: date | None
    due: date
    days_overdue: int


class OverdueOut(TracedProvenance):
    county_code: str
    on: date
    signings: list[OverdueSigning]
    trace: dict[str, Any]
