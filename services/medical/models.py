"""Tables owned by the medical service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import BUS_TABLES, utcnow
from shared.domain import PovertyStatus


def money_column() -> Column:  # type: ignore[type-arg]
    return Column(Numeric(14, 2), nullable=False, default=0)


class RegistryPerson(SQLModel, table=True):
    """Read model of the poverty registry, fed by enrollment's registry events (never its DB)."""

    __tablename__ = "registry_person"

    person_id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, unique=True)
    household_id: str = Field(max_length=40, index=True)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)
    birth_date: date
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    poverty_status: PovertyStatus = Field(sa_type=String(20))
    registered_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    source_event_id: str = Field(max_length=64)


class RegistryStatusHistory(SQLModel, table=True):
    """A person's registry status over time (REG-2), so that a stay is judged by the status on
    its admission date. The first status is taken as valid from the start of time: the roster
    says who is registered, not since when."""

    __tablename__ = "registry_status_history"
    __table_args__ = (Index("ix_registry_status_history_person", "person_id", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    status: PovertyStatus = Field(sa_type=String(20))
    valid_from: date
    source_event_id: str = Field(max_length=64)


class WelfareFlags(SQLModel, table=True):
    """Read model of civil affairs' decisions (dibao, 特困) for the MED-5 deductible waivers."""

    __tablename__ = "welfare_flags"

    person_id: str = Field(primary_key=True, max_length=36)
    dibao: bool = False
    tekun: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class HospitalStay(SQLModel, table=True):
    """A stay as the hospital reported it; corrections bump `version`, never overwrite history
    (each version's facts and decision are kept in `stay_decision`)."""

    __tablename__ = "hospital_stay"

    claim_id: str = Field(primary_key=True, max_length=64)
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36, index=True)
    county_code: str = Field(max_length=6, index=True)
    township_code: str | None = Field(default=None, max_length=9)
    year: int = Field(index=True)
    admission: date
    status: str = Field(default="active", max_length=20)  # active | cancelled
    version: int = 1
    facts_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StayDecision(SQLModel, table=True):
    """One settlement decision per stay version: every layer, the ratios and the trace."""

    __tablename__ = "stay_decision"
    __table_args__ = (UniqueConstraint("claim_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(max_length=64, index=True)
    version: int
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    total_cost: Decimal = Field(sa_column=money_column())
    basic: Decimal = Field(sa_column=money_column())
    critical_illness: Decimal = Field(sa_column=money_column())
    assistance: Decimal = Field(sa_column=money_column())
    topup: Decimal = Field(sa_column=money_column())
    annual_cap: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    cost_basis: Decimal = Field(sa_column=money_column())
    ratio_before_topup: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    ratio_after: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    eligible_for_guarantee: bool
    basic_deductible: Decimal = Field(sa_column=money_column())
    critical_illness_counted: Decimal = Field(sa_column=money_column())
    ytd_self_pay: Decimal = Field(sa_column=money_column())
    high_burden: bool
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class StayAdjustment(SQLModel, table=True):
    """The difference between two versions of a stay's decision (negative when money goes back)."""

    __tablename__ = "stay_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=20)  # corrected | cancelled
    from_version: int
    to_version: int
    topup_delta: Decimal = Field(sa_column=money_column())
    annual_cap_delta: Decimal = Field(sa_column=money_column())
    self_pay_delta: Decimal = Field(sa_column=money_column())
    reason: str = Field(default="", max_length=500)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class PersonYear(SQLModel, table=True):
    """Running year-to-date totals of one person (by ID number) for one year."""

    __tablename__ = "person_year"

    id_number: str = Field(primary_key=True, max_length=18)
    year: int = Field(primary_key=True)
    basic_deductible_used: Decimal = Field(sa_column=money_column())
    critical_illness_base: Decimal = Field(sa_column=money_column())
    basic_paid: Decimal = Field(sa_column=money_column())
    critical_illness_paid: Decimal = Field(sa_column=money_column())
    assistance_paid: Decimal = Field(sa_column=money_column())
    topup_paid: Decimal = Field(sa_column=money_column())
    annual_cap_paid: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    high_burden_reported: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class TopupCampaign(SQLModel, table=True):
    """A retroactive top-up campaign (MED-10): one extraction of below-standard compliant stays
    of the registered poor of a county, admitted in a period."""

    __tablename__ = "topup_campaign"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    period_start: date
    period_end: date
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    forms_created: int = 0
    skipped_existing_form: int = 0  # below standard, but a form of an earlier campaign exists


class TopupForm(SQLModel, table=True):
    """One verification form (附件4 核查表) per stay. The unique claim id is what keeps a stay from
    ever getting a second campaign top-up, whichever campaign found it and however it ended.
    Figures are copied from the stay's decision at issue time: the form is what people sign."""

    __tablename__ = "topup_form"
    __table_args__ = (UniqueConstraint("claim_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(index=True)
    claim_id: str = Field(max_length=64)
    decision_version: int  # the stay version the figures come from; paying needs it unchanged
    status: str = Field(default="issued", max_length=30, index=True)
    person_id: str = Field(max_length=36)
    id_number: str = Field(max_length=18)
    household_id: str = Field(max_length=40)
    name: str = Field(max_length=100)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9, index=True)
    village_code: str = Field(max_length=12)
    hospital: str = Field(max_length=120)
    hospital_level: int
    admin_level: str = Field(max_length=20)
    admission: date
    discharge: date
    total_cost: Decimal = Field(sa_column=money_column())
    cost_basis: Decimal = Field(sa_column=money_column())
    basic: Decimal = Field(sa_column=money_column())
    critical_illness: Decimal = Field(sa_column=money_column())
    assistance: Decimal = Field(sa_column=money_column())
    reimbursed: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    ratio_before: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    target_ratio: Decimal = Field(sa_column=Column(Numeric(8, 4), nullable=False))
    topup_due: Decimal = Field(sa_column=money_column())
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    paid_version: int | None = None
    reject_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TopupFormStep(SQLModel, table=True):
    """Append-only record of every step of a form: who (subject, role, jurisdiction), when, what.
    Rows are only ever inserted; the form's status is the last step."""

    __tablename__ = "topup_form_step"

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(index=True)
    claim_id: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=40)
    actor_scope: str = Field(max_length=12)
    note: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow)


TABLES = (
    *BUS_TABLES,
    "registry_person",
    "registry_status_history",
    "welfare_flags",
    "hospital_stay",
    "stay_decision",
    "stay_adjustment",
    "person_year",
    "topup_campaign",
    "topup_form",
    "topup_form_step",
)
