"""A county's monthly payment cycle and its lines (one per beneficiary, month and attempt)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class PaymentCycle(SQLModel, table=True):
    """prepared → approved (by a second officer, never the preparer; frozen) → paid."""

    __tablename__ = "payment_cycle"
    __table_args__ = (UniqueConstraint("county_code", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6)
    month: date  # first day of the month paid for
    status: str = Field(max_length=20)
    lines: int = 0
    total: Decimal = Field(sa_column=Column(Numeric(16, 2), nullable=False))
    prepared_by: str = Field(max_length=120)
    prepared_at: datetime = Field(default_factory=utcnow)
    approved_by: str | None = Field(default=None, max_length=120)
    approved_at: datetime | None = None
    paid_by: str | None = Field(default=None, max_length=120)
    paid_at: datetime | None = None
    notes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class PaymentLine(SQLModel, table=True):
    """What one beneficiary is paid for one month. The unique key makes a month's payment happen
    once per household (dibao) or person (tekun); a failed payment may be re-issued once, as
    attempt 2, carried by the county's next cycle."""

    __tablename__ = "payment_line"
    __table_args__ = (
        UniqueConstraint("scheme", "beneficiary", "month", "attempt"),
        Index("ix_payment_line_cycle", "cycle_id", "township_code"),
        Index("ix_payment_line_pending", "county_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int | None = None  # none while a re-issue waits for the next cycle
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    scheme: str = Field(max_length=10)  # dibao | tekun | nursing | disab_liv
    beneficiary: str = Field(max_length=40)  # dibao case id / person id (ID number if none)
    household_id: str = Field(max_length=40)
    month: date
    attempt: int = 1
    payee_name: str = Field(max_length=100)
    payee_id_number: str = Field(max_length=18)
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=32)
    amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    basis: str = Field(max_length=200)  # what the amount was taken from (case version, rule)
    status: str = Field(max_length=20)  # due | sent | paid | failed | reissued | waiting_reissue
    failure_reason: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)


class BankReturn(SQLModel, table=True):
    """A return file of the bank for a paid cycle (银行回盘): which payments it made and which
    it returned, and why. The same file imported again changes nothing (its digest is kept)."""

    __tablename__ = "bank_return"
    __table_args__ = (UniqueConstraint("cycle_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    rows: int
    paid_lines: int
    paid_amount: Decimal = Field(sa_column=Column(Numeric(16, 2), nullable=False))
    failed_lines: int
    failed_amount: Decimal = Field(sa_column=Column(Numeric(16, 2), nullable=False))
    imported_by: str = Field(max_length=120)
    imported_at: datetime = Field(default_factory=utcnow)


class PaymentAdjustment(SQLModel, table=True):
    """A month already paid, recomputed under figures published since (a county's correction
    effective before the month): what was paid, what is due now, the difference and both
    computations' traces (each citing the parameter versions it used). Back-pay is paid as its own
    line in the cycle that found it; an overpayment becomes the household's claw-back balance.
    Never rewritten: a later correction of the same month is another row, for what is left."""

    __tablename__ = "payment_adjustment"
    __table_args__ = (UniqueConstraint("scheme", "beneficiary", "month", "new_key"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(index=True)  # the cycle whose preparation found it
    county_code: str = Field(max_length=6)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    household_id: str = Field(max_length=40)
    scheme: str = Field(max_length=10)  # dibao
    beneficiary: str = Field(max_length=40)  # the dibao case id
    month: date  # the month corrected
    paid_amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    due_amount: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    difference: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    kind: str = Field(max_length=10)  # back_pay | claw_back
    old_key: str = Field(max_length=2000)  # the parameters the paid amount was computed on
    new_key: str = Field(max_length=2000)  # ... and the due amount
    old_trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    new_trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


PAYMENT_TABLES = (PaymentCycle, PaymentLine, BankReturn, PaymentAdjustment)
