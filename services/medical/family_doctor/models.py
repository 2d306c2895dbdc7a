"""Family-doctor signing (家庭医生签约服务, MED-12): teams, the chronic diagnoses the service has
seen, signings and follow-up visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class FamilyDoctorTeam(SQLModel, table=True):
    """A family-doctor team (家庭医生签约服务团队) of the county, a township or a village; its area
    is its division. `members` lists the accounts of its doctors ({subject, name})."""

    __tablename__ = "family_doctor_team"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    division_code: str = Field(max_length=12, index=True)
    level: str = Field(max_length=10)  # county | township | village
    name: str = Field(max_length=100)
    members: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class ChronicDiagnosis(SQLModel, table=True):
    """A diagnosis of one of the 36 chronic diseases seen on a record of the service: an
    in-patient stay, an outpatient bill or a family doctor's visit. Written in the same unit of
    work as the record (replaced when a stay is corrected, removed when it is cancelled); a
    person with any row is in the chronic-patient register."""

    __tablename__ = "chronic_diagnosis"
    __table_args__ = (UniqueConstraint("source", "source_ref", "disease"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, index=True)
    county_code: str = Field(max_length=6, index=True)
    disease: str = Field(max_length=40)
    code: str = Field(max_length=16)
    source: str = Field(max_length=12)  # stay | outpatient | visit
    source_ref: str = Field(max_length=64)
    seen_on: date
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class FamilyDoctorSigning(SQLModel, table=True):
    """One signing (签约) of a patient with a team for a contract period. `active_person_id` is
    the person id while the signing is active and NULL once ended: unique, it keeps one active
    signing per patient on SQLite and PostgreSQL alike."""

    __tablename__ = "family_doctor_signing"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, index=True)
    active_person_id: str | None = Field(default=None, max_length=36, unique=True)
    id_number: str = Field(max_length=18)
    team_id: int = Field(index=True)
    county_code: str = Field(max_length=6, index=True)
    village_code: str = Field(max_length=12, index=True)
    starts: date
    ends: date
    status: str = Field(default="active", max_length=10)  # active | ended
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=20)  # renewed | moved | death | ...
    renews: int | None = None  # the signing this one renews
    signed_by: str = Field(max_length=120)
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FollowUpVisit(SQLModel, table=True):
    """A follow-up visit (随访) of a signed patient by a doctor of the signed team, with the
    indicators recorded (监测指标) and the advice given."""

    __tablename__ = "follow_up_visit"

    id: int | None = Field(default=None, primary_key=True)
    signing_id: int = Field(index=True)
    person_id: str = Field(max_length=36, index=True)
    team_id: int
    village_code: str = Field(max_length=12, index=True)
    visit_date: date
    place: str = Field(max_length=10)  # home | clinic | phone
    indicators: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    advice: str = Field(default="", max_length=1000)
    recorded_by: str = Field(max_length=120)
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
