"""Tables of the dibao procedure (WEL-1) and of the households it keeps on (WEL-2, WEL-3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


def money_column(nullable: bool = False) -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=nullable)


class DibaoApplication(SQLModel, table=True):
    """One application (低保申请) from submission to a decision; its steps are in
    `workflow_step` (entity `dibao_application`).

    `open_household_id` is the household id while the application is in progress (submitted
    to in notice; `applicant:<ID number>` for a household not in the registry), empty once it
    is refused, rejected or active: its unique constraint keeps a household to one application
    in progress, against a repeat or a concurrent submission."""

    __tablename__ = "dibao_application"
    __table_args__ = (Index("ix_dibao_application_village_status", "village_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: str = Field(max_length=40, index=True)
    open_household_id: str | None = Field(default=None, max_length=40, unique=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    applicant_name: str = Field(max_length=100)
    applicant_id_number: str = Field(max_length=18, index=True)
    reason: str = Field(max_length=2000)
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=32)
    status: str = Field(max_length=20)
    registered_poor: bool = False  # 建档立卡户, flagged on the public-notice list
    members: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    incomes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    assets: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cross_checks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    annual_income: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    proposed_category: str | None = Field(default=None, max_length=1)
    category: str | None = Field(default=None, max_length=1)
    monthly_amount: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    benefit: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decision_reason: str | None = Field(default=None, max_length=2000)
    notice_start: date | None = None
    notice_end: date | None = None
    case_id: int | None = None
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DibaoObjection(SQLModel, table=True):
    """An objection lodged during the public notice (公示异议); it must be resolved before the
    household can be put on dibao."""

    __tablename__ = "dibao_objection"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(index=True)
    lodged_on: date
    objector: str = Field(max_length=100)
    content: str = Field(max_length=2000)
    status: str = Field(default="open", max_length=20)  # open | upheld | dismissed
    resolution: str | None = Field(default=None, max_length=2000)
    resolved_by: str | None = Field(default=None, max_length=120)
    resolved_at: datetime | None = None
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class DibaoCase(SQLModel, table=True):
    """A household on dibao (低保户): its category, the amount in force and when it is due for
    review. Every change is a review row or a workflow step; `version` counts them."""

    __tablename__ = "dibao_case"
    __table_args__ = (Index("ix_dibao_case_county_status", "county_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(unique=True)
    household_id: str = Field(max_length=40, index=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    payee_name: str = Field(max_length=100)
    payee_id_number: str = Field(max_length=18)
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=32)
    status: str = Field(max_length=20)  # active | gradual_exit | ended
    category: str = Field(max_length=1)
    members: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    annual_income: Decimal = Field(sa_column=money_column())
    monthly_amount: Decimal = Field(sa_column=money_column())
    benefit: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    policy_key: str = Field(default="", max_length=2000)  # parameters the amount was computed on
    effective_from: date
    last_review_on: date
    next_review_due: date = Field(index=True)
    # Overpaid and not yet recovered (a figure lowered after months were paid): withheld from
    # later payments at most a county's share a month (services.welfare.payments.adjustments).
    clawback_balance: Decimal = Field(
        default=Decimal("0.00"),
        sa_column=Column(Numeric(14, 2), nullable=False, server_default="0"),
    )
    gradual_exit_until: date | None = None
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=500)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DibaoCaseMember(SQLModel, table=True):
    """Who a dibao case covers, for lookups by person (enrollment and medical learn of them from
    events; the WEL-8 cross-check reads them here)."""

    __tablename__ = "dibao_case_member"
    __table_args__ = (UniqueConstraint("case_id", "id_number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36, index=True)
    name: str = Field(max_length=100)
    active: bool = True  # false once deceased or moved out


class DibaoReview(SQLModel, table=True):
    """A review of a dibao household (WEL-2): kept, adjusted, ended or put on gradual exit."""

    __tablename__ = "dibao_review"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    reviewed_on: date
    outcome: str = Field(max_length=20)  # keep | adjust | end | gradual_exit | recompute
    reason: str = Field(max_length=2000)
    category_before: str = Field(max_length=1)
    category_after: str = Field(max_length=1)
    amount_before: Decimal = Field(sa_column=money_column())
    amount_after: Decimal = Field(sa_column=money_column())
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


DIBAO_TABLES = (DibaoApplication, DibaoObjection, DibaoCase, DibaoCaseMember, DibaoReview)
