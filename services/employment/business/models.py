"""Tables of entrepreneurship (EMP-6): business starts (published as
employment.business_started), the one-off start-up subsidy (创业补贴), unique per person ever,
and loan applications (创业担保贷款 / 扶贫小额信贷) with their cap check."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class BusinessStart(SQLModel, table=True):
    """A business started by a registered poor person (创办企业 / 个体经营)."""

    __tablename__ = "business_start"
    __table_args__ = (
        Index("ix_business_start_county", "county_code", "township_code"),
        UniqueConstraint("person_id", "started_on", "name", name="uq_business_start_person"),
    )

    id: str = Field(primary_key=True, max_length=36)
    person_id: str = Field(max_length=36, index=True)
    household_id: str = Field(max_length=40, index=True)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    business_type: str = Field(max_length=20)  # Borrower: individual / partnership / small_firm
    name: str = Field(max_length=200)
    trade: str = Field(default="", max_length=200)  # 行业, e.g. 种养殖, 电商, 农家乐
    in_county: bool = True
    first_business: bool = True
    started_on: date
    closed_on: date | None = None
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class BusinessSubsidy(SQLModel, table=True):
    """The one-off start-up subsidy (一次性创业补贴): once per person, ever (EMP-6)."""

    __tablename__ = "business_subsidy"
    __table_args__ = (UniqueConstraint("person_id", name="uq_business_subsidy_person"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    business_id: str = Field(foreign_key="business_start.id", max_length=36)
    county_code: str = Field(max_length=6)
    amount: Decimal = Field(sa_type=Numeric(12, 2))
    granted_on: date
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    granted_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class BusinessLoanApplication(SQLModel, table=True):
    """A loan application (创业担保贷款 / 扶贫小额信贷) checked against the caps (EMP-6)."""

    __tablename__ = "business_loan_application"
    __table_args__ = (Index("ix_business_loan_application_county", "county_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36, index=True)
    household_id: str = Field(max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    business_id: str | None = Field(default=None, foreign_key="business_start.id", max_length=36)
    loan_kind: str = Field(max_length=20)  # LoanKind
    borrower: str = Field(max_length=20)  # Borrower
    amount: Decimal = Field(sa_type=Numeric(14, 2))
    term_months: int
    applied_on: date
    within_caps: bool
    cap: Decimal = Field(sa_type=Numeric(14, 2))
    interest_subsidy_ratio: Decimal = Field(sa_type=Numeric(5, 4))
    check_trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=20)  # pending / approved / rejected
    decision_reason: str | None = Field(default=None, max_length=500)
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=100)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


BUSINESS_TABLES = (BusinessStart, BusinessSubsidy, BusinessLoanApplication)
