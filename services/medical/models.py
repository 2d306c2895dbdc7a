"""Tables owned by the medical service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES, utcnow
from shared.domain import PovertyStatus


def money_column() -> Column:  # type: ignore[type-arg]
    return Column(Numeric(14, 2), nullable=False, default=0)


def added_money_column() -> Column:  # type: ignore[type-arg]
    """A money column added to a table that already has rows (the migration backfills it)."""
    return Column(Numeric(14, 2), nullable=False, default=0, server_default="0")


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
    """Read model of civil affairs' decisions (dibao, 特困): the state today. A stay is judged by
    `welfare_flag_history` on its admission date (MED-5), never by this row."""

    __tablename__ = "welfare_flags"

    person_id: str = Field(primary_key=True, max_length=36)
    dibao: bool = False
    tekun: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class WelfareFlagHistory(SQLModel, table=True):
    """Dibao / 特困 of a person by effective date (MED-5): one row per change, in force from
    `effective_from` until a later row of the same flag. `household_id` lets a dibao change that
    drops a member end that member's flag."""

    __tablename__ = "welfare_flag_history"
    __table_args__ = (
        Index("ix_welfare_flag_history_person", "person_id", "flag", "effective_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=36)
    household_id: str | None = Field(default=None, max_length=40, index=True)
    flag: str = Field(max_length=10)  # dibao | tekun
    active: bool
    effective_from: date
    source_event_id: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow)


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
    compliant_self_pay: Decimal = Field(sa_column=added_money_column())  # MED-3
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
    compliant_self_pay: Decimal = Field(sa_column=added_money_column())  # MED-3
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
    # The account that wrote the step down: the actor's own, except for the household's
    # confirmation (贫困户认定), which the helper cadre records and the household (actor
    # `household:<id>`) gives. None on rows older than the column: the actor recorded it.
    recorded_by: str | None = Field(default=None, max_length=120)
    # The household's confirmation (MED-10): who of the household, how, on which day.
    confirmed_by_id_number: str | None = Field(default=None, max_length=18)
    confirmed_by_name: str | None = Field(default=None, max_length=100)
    confirmed_relation: str | None = Field(default=None, max_length=20)
    confirmed_method: str | None = Field(default=None, max_length=30)
    confirmed_on: date | None = None


class OutpatientBill(SQLModel, table=True):
    """One outpatient bill of a chronic disease: MED-6 (门诊特殊慢性病, category I or II) or MED-8
    (36种慢性病). The bill id is the idempotency key; the facts and the decision are kept as
    posted, with the running totals of the category before and after it."""

    __tablename__ = "outpatient_bill"

    bill_id: str = Field(primary_key=True, max_length=64)
    rule: str = Field(max_length=10)  # MED-6 | MED-8
    category: str = Field(max_length=12)  # chronic_I | chronic_II | chronic36
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36)
    county_code: str = Field(max_length=6, index=True)
    year: int
    bill_date: date
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    facts_hash: str = Field(max_length=64)
    poverty_status: str | None = Field(default=None, max_length=20)  # on the bill date
    eligible: bool
    reason: str | None = Field(default=None, max_length=300)
    amount: Decimal = Field(sa_column=money_column())  # covered cost (MED-6), self-pay (MED-8)
    paid: Decimal = Field(sa_column=money_column())  # reimbursed (MED-6) or aid (MED-8)
    basic_fund: Decimal = Field(sa_column=money_column())
    commercial_insurer: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    ytd_before: Decimal = Field(sa_column=money_column())
    ytd_after: Decimal = Field(sa_column=money_column())
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class OutpatientYear(SQLModel, table=True):
    """Running totals of one person's outpatient chronic bills per year and category: what the
    MED-6 cap and band and the MED-8 self-pay cap are measured against."""

    __tablename__ = "outpatient_year"

    id_number: str = Field(primary_key=True, max_length=18)
    year: int = Field(primary_key=True)
    category: str = Field(primary_key=True, max_length=12)
    bills: int = 0
    paid: Decimal = Field(sa_column=money_column())
    basic_fund: Decimal = Field(sa_column=money_column())
    commercial_insurer: Decimal = Field(sa_column=money_column())
    self_pay: Decimal = Field(sa_column=money_column())
    updated_at: datetime = Field(default_factory=utcnow)


class DiagnosisFeeVisit(SQLModel, table=True):
    """One visit with a self-paid general diagnosis fee (一般诊疗费) at a township health centre
    or village clinic, and its MED-9 refund decision. The township is the facility's: the
    clean-up ledger (台账) is kept by the facilities of a township."""

    __tablename__ = "diagnosis_fee_visit"
    __table_args__ = (Index("ix_diagnosis_fee_visit_ledger", "county_code", "visit_date"),)

    visit_id: str = Field(primary_key=True, max_length=64)
    submitted_by: str = Field(max_length=120)
    id_number: str = Field(max_length=18, index=True)
    person_id: str | None = Field(default=None, max_length=36)
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9, index=True)
    facility_type: str = Field(max_length=40)
    facility_name: str = Field(max_length=120)
    visit_date: date
    fee_self_pay: Decimal = Field(sa_column=money_column())
    facts_hash: str = Field(max_length=64)
    poverty_status: str | None = Field(default=None, max_length=20)  # on the visit date
    refund: Decimal = Field(sa_column=money_column())
    reason: str | None = Field(default=None, max_length=300)
    in_cleanup_window: bool
    ledger_deadline: date | None = None
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("medical")

TABLES = (
    *BUS_TABLES,
    AUDIT_LOG.name,
    "registry_person",
    "registry_status_history",
    "welfare_flags",
    "welfare_flag_history",
    "outpatient_bill",
    "outpatient_year",
    "diagnosis_fee_visit",
    "hospital_stay",
    "stay_decision",
    "stay_adjustment",
    "person_year",
    "topup_campaign",
    "topup_form",
    "topup_form_step",
)
