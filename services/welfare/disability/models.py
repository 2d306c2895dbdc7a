"""Tables of disability support (残疾人保障): the register of disabled people welfare pays, their
grade history, their payee accounts (惠民惠农“一卡通”), the monthly subsidy ledger (WEL-4) and
the rehabilitation cases with what was granted (WEL-10, WEL-11, WEL-12)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


def _money(nullable: bool = False) -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=nullable)


class DisabledPerson(SQLModel, table=True):
    """A disabled person welfare knows (残疾人): from the registry's events (a grade on the
    person), from a dibao household's facts (a member's grade) or enrolled by the township or
    the disabled persons' federation (县残联). One row per ID number."""

    __tablename__ = "disabled_person"
    __table_args__ = (Index("ix_disabled_person_county_village", "county_code", "village_code"),)

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, unique=True)
    person_id: str | None = Field(default=None, max_length=36, index=True)  # registry's
    name: str = Field(max_length=100)
    birth_date: date
    household_id: str = Field(default="", max_length=40)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    source: str = Field(max_length=20)  # registry | dibao | application
    grade: int | None = None  # 残疾等级 in force (1 most severe .. 4)
    certificate_no: str | None = Field(default=None, max_length=40)  # 残疾证号
    hardship: str = Field(default="none", max_length=10)  # declared at enrolment
    dibao_category: str | None = Field(default=None, max_length=1)  # declared with dibao
    diagnosis: str | None = Field(default=None, max_length=200)
    deceased_on: date | None = None
    # Owed back of subsidies overpaid (WEL-4 recalculated): withheld from later subsidy lines.
    clawback_balance: Decimal = Field(
        default=Decimal("0"),
        sa_column=Column(Numeric(12, 2), nullable=False, server_default="0"),
    )
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DisabilityGrade(SQLModel, table=True):
    """A grade in force from `valid_from` (None: the grade was withdrawn), where it came from."""

    __tablename__ = "disability_grade"

    id: int | None = Field(default=None, primary_key=True)
    disabled_person_id: int = Field(index=True)
    grade: int | None = None
    valid_from: date
    source: str = Field(max_length=120)  # the event, the dibao case or the officer
    created_at: datetime = Field(default_factory=utcnow)


class PayeeAccount(SQLModel, table=True):
    """Where a disabled person's subsidies are paid (惠民惠农“一卡通”): taken from the household's
    dibao case, or recorded by the township or the 县残联 (which then wins)."""

    __tablename__ = "payee_account"

    id: int | None = Field(default=None, primary_key=True)
    disabled_person_id: int = Field(unique=True)
    village_code: str = Field(max_length=12)
    payee_name: str = Field(max_length=100)
    payee_id_number: str = Field(max_length=18)
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=32)
    source: str = Field(max_length=20)  # dibao | recorded
    recorded_by: str = Field(max_length=120)
    updated_at: datetime = Field(default_factory=utcnow)


class DisabilitySubsidy(SQLModel, table=True):
    """The ledger of WEL-4: what a person is owed for a month under a scheme, with its trace;
    `paid` once on a payment line (of `cycle_id`), `held_no_account` while there is no account
    (paid with the first cycle after one is recorded)."""

    __tablename__ = "disability_subsidy"
    __table_args__ = (
        UniqueConstraint("disabled_person_id", "scheme", "month"),
        Index("ix_disability_subsidy_county_status", "county_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    disabled_person_id: int = Field(index=True)
    scheme: str = Field(max_length=10)  # nursing | disab_liv
    month: date
    amount: Decimal = Field(sa_column=_money())
    grade: int
    hardship: str = Field(max_length=10)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    basis: str = Field(max_length=200)
    status: str = Field(max_length=20)  # paid | held_no_account
    cycle_id: int | None = None  # the cycle whose line pays it
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RehabCase(SQLModel, table=True):
    """A rehabilitation assistance case (康复救助): applied for by the township or the 县残联,
    decided by a 县残联 officer other than the applicant, with the eligibility trace."""

    __tablename__ = "disability_rehab_case"
    __table_args__ = (Index("ix_disability_rehab_case_village", "village_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    disabled_person_id: int = Field(index=True)
    kind: str = Field(max_length=20)
    rule: str = Field(max_length=10)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    request: str = Field(max_length=500)  # what is asked (a device, the hospital, a programme)
    stay_from: date | None = None  # WEL-10 in hospital
    stay_to: date | None = None
    status: str = Field(max_length=10)  # applied | approved | refused
    applied_on: date
    applied_by: str = Field(max_length=120)
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=120)
    decision_note: str | None = Field(default=None, max_length=500)
    eligible: bool | None = None
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RehabGrant(SQLModel, table=True):
    """The ledger of an approved case: a month of a hospital stay paid, drugs issued against the
    year's 800, a device issued, an adaptation done, rehabilitation sessions given."""

    __tablename__ = "disability_rehab_grant"
    __table_args__ = (UniqueConstraint("case_id", "kind", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    kind: str = Field(max_length=20)  # hospital_month | drugs | device | adaptation | sessions
    on: date
    month: date | None = None  # hospital_month: the month paid (once)
    amount: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    quantity: int | None = None
    item: str = Field(default="", max_length=200)
    village_code: str = Field(max_length=12)
    township_code: str = Field(max_length=9)
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


DISABILITY_TABLES = (
    DisabledPerson,
    DisabilityGrade,
    PayeeAccount,
    DisabilitySubsidy,
    RehabCase,
    RehabGrant,
)
