"""Tables of temporary relief (临时救助, WEL-6).

A case (`relief_case`) is opened once per occasion: `dedup_key` is unique, so a redelivered
high-burden event, a second event for the same person-year or a second trigger of the same
essential-spending run opens nothing new, even under a race; a childbirth's key is the delivery
(mother and birth date), so each delivery is paid once. Relocation relief is once per person:
`relief_beneficiary` holds (kind, person) uniquely while the case stands (a rejected case
releases its people). Steps of a case are in `workflow_step` (entity
`relief_case`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


def money_column(nullable: bool = False) -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=nullable)


class ReliefCase(SQLModel, table=True):
    """One temporary-relief case (临时救助案件) from opening to its single decision."""

    __tablename__ = "relief_case"
    __table_args__ = (
        Index("ix_relief_case_township_status", "township_code", "status"),
        Index("ix_relief_case_household", "household_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # ReliefKind
    source: str = Field(max_length=30)  # CaseSource
    status: str = Field(max_length=20)  # CaseStatus
    dedup_key: str | None = Field(default=None, max_length=160, unique=True)
    person_id: str | None = Field(default=None, max_length=36)
    id_number: str | None = Field(default=None, max_length=18)
    name: str | None = Field(default=None, max_length=100)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str | None = Field(default=None, max_length=9)
    village_code: str | None = Field(default=None, max_length=12)
    persons: int
    occurred_on: date
    poverty_status: str | None = Field(default=None, max_length=20)
    assessed_need: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    proposed_amount: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    cap: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    amount: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    description: str = Field(default="", max_length=2000)
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decision_trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    declaration_id: int | None = Field(default=None, foreign_key="relief_declaration.id")
    window_request_id: int | None = None
    reject_reason: str | None = Field(default=None, max_length=2000)
    decided_by: str | None = Field(default=None, max_length=120)
    decided_on: date | None = None
    opened_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReliefBeneficiary(SQLModel, table=True):
    """A person covered by a once-per-person relief (relocation 1,500). Childbirth is once per
    delivery, held by the case's `dedup_key` instead."""

    __tablename__ = "relief_beneficiary"
    __table_args__ = (UniqueConstraint("kind", "person_id", name="uq_relief_beneficiary_once"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="relief_case.id", index=True)
    kind: str = Field(max_length=30)
    person_id: str = Field(max_length=36)


class ReliefDeclaration(SQLModel, table=True):
    """A disaster declaration (自然灾害) covering many households: one case each."""

    __tablename__ = "relief_declaration"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    occurred_on: date
    description: str = Field(max_length=2000)
    households: int
    declared_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class SpendingMonth(SQLModel, table=True):
    """A household's declared essential spending (基本生活、医疗、子女教育 必需支出) and
    per-capita monthly income for one calendar month: the facts of the 3×-for-3-months trigger."""

    __tablename__ = "relief_spending_month"
    __table_args__ = (UniqueConstraint("household_id", "month", name="uq_relief_spending_month"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str | None = Field(default=None, max_length=9)
    village_code: str | None = Field(default=None, max_length=12)
    month: date  # first day of the month
    essential_spending: Decimal = Field(sa_column=money_column())
    per_capita_monthly_income: Decimal = Field(sa_column=money_column())
    declared_by: str = Field(max_length=120)
    declared_at: datetime = Field(default_factory=utcnow)


RELIEF_TABLES = (ReliefDeclaration, ReliefCase, ReliefBeneficiary, SpendingMonth)
