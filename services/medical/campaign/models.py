"""The retroactive top-up campaign (MED-10): campaigns, their forms and every step taken on
a form."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.medical.columns import money_column
from shared.bus.tables import utcnow


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
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
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
