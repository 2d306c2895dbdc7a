"""Tables of the registry (建档立卡): households and their members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow
from shared.domain import PovertyStatus


class Household(SQLModel, table=True):
    """A registered poor household (建档立卡贫困户, REG-1); `id` is the poverty office's 户编号."""

    __tablename__ = "household"
    # Reconciliation filters by division and joins on id: one index serves both.
    __table_args__ = (Index("ix_household_division", "village_code", "township_code", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9, index=True)
    village_code: str = Field(max_length=12, index=True)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    relocated: bool = False  # 易地扶贫搬迁
    head_person_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    """A member of a registered household. `id` is internal; `id_number` is the resident ID."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, unique=True)
    household_id: str = Field(foreign_key="household.id", max_length=40, index=True)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)
    birth_date: date = Field(index=True)
    relation: str | None = Field(default=None, max_length=40)
    disability_grade: int | None = None  # 残疾等级 1-4 (1 most severe)
    student: bool = False  # 在校生 (full-time)
    employee_pension: bool = False  # 参加职工养老保险
    # The person's social security card's financial account (社会保障卡金融账户), into which
    # pension and assistance are paid; optional on the roster.
    bank_name: str | None = Field(default=None, max_length=100)  # 开户银行
    bank_account: str | None = Field(default=None, max_length=30)  # 银行账号
    deceased_on: date | None = None
    missing_since_import: str | None = Field(default=None, max_length=36)  # flagged, never deleted
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
