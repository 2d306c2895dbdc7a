"""Tables of training (技能培训, EMP-2) and of the job-seeking subsidy (求职创业补贴, EMP-7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class TrainingProgramme(SQLModel, table=True):
    """A training programme run by a department for some townships (部门包乡镇,
    YA-HRSS §三(二)1)."""

    __tablename__ = "training_programme"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # ProgrammeKind
    provider_department: str = Field(max_length=100)
    townships: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    for_two_after: bool = False  # a 两后生 programme
    hours: int
    starts_on: date
    ends_on: date
    assignment_trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class TrainingEnrolment(SQLModel, table=True):
    """A census person on a programme; completed once, with its outcome (EMP-2). The location
    codes are the person's when enrolled, for scope."""

    __tablename__ = "training_enrolment"
    __table_args__ = (
        UniqueConstraint("programme_id", "person_id", name="uq_training_enrolment_person"),
        Index("ix_training_enrolment_person", "person_id"),
        Index("ix_training_enrolment_village", "village_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="training_programme.id")
    person_id: str = Field(max_length=36)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    enrolled_on: date
    status: str = Field(max_length=20)  # enrolled / completed / withdrawn
    completed_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)  # passed / failed
    closed_reason: str | None = Field(default=None, max_length=40)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TrainingCertificate(SQLModel, table=True):
    """A certificate obtained after training (职业资格证书 / 技能等级证书)."""

    __tablename__ = "training_certificate"
    __table_args__ = (UniqueConstraint("kind", "number", name="uq_training_certificate_number"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="training_enrolment.id", index=True)
    person_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=30)  # CertificateKind
    number: str = Field(max_length=60)
    title: str | None = Field(default=None, max_length=100)  # 职业 / 工种
    issued_on: date
    issuer: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class JobSeekingSubsidyGrant(SQLModel, table=True):
    """The one job-seeking subsidy (一次性求职补贴, EMP-7) a person may ever get: unique by
    person."""

    __tablename__ = "training_job_seeking_subsidy"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, unique=True)
    household_id: str = Field(max_length=40)
    village_code: str = Field(max_length=12)
    certificate_id: int = Field(foreign_key="training_certificate.id")
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    decided_on: date
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decided_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


TRAINING_TABLES = (
    TrainingProgramme,
    TrainingEnrolment,
    TrainingCertificate,
    JobSeekingSubsidyGrant,
)
