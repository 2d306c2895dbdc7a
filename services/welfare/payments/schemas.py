"""Request and response models of payments (welfare), as the routes parse and answer them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from services.welfare.workflow import StepOut
from shared.ids import CountyCode
from shared.money import Money


class CycleIn(BaseModel):
    county_code: CountyCode
    month: str = Field(description="the month paid for, YYYY-MM", examples=["2026-11"])

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("must be a month as YYYY-MM")
        return value

    @property
    def first_day(self) -> date:
        year, month = self.month.split("-")
        return date(int(year), int(month), 1)


class CycleOut(BaseModel):
    id: int
    rule: str = "WEL-3"
    county_code: str
    month: date
    status: str
    lines: int
    total: Money
    prepared_by: str
    approved_by: str | None
    paid_by: str | None
    notes: dict
    steps: list[StepOut] = []


class LineOut(BaseModel):
    id: int
    cycle_id: int | None
    scheme: str
    beneficiary: str
    household_id: str
    township_code: str
    village_code: str
    month: date
    attempt: int
    payee_name: str
    amount: Money
    basis: str
    status: str
    failure_reason: str | None


class LinePage(BaseModel):
    total: int
    items: list[LineOut]


class TownshipTotal(BaseModel):
    township_code: str
    scheme: str
    lines: int
    amount: Money
    held: bool = Field(
        default=False,
        description="true: disability subsidies held for want of a payee account, not in the "
        "cycle's lines; paid with the first cycle after the account is recorded (WEL-4)",
    )


class FailureIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class ReissueIn(BaseModel):
    bank_account: str | None = Field(
        default=None, pattern=r"^\d{12,30}$", description="corrected account, if any"
    )


class BankReturnOut(BaseModel):
    """A bank return file imported for a paid cycle (银行回盘)."""

    id: int
    cycle_id: int
    filename: str
    sha256: str
    rows: int
    paid_lines: int
    paid_amount: Decimal
    failed_lines: int
    failed_amount: Decimal
    imported_by: str
    imported_at: datetime


class TallyOut(BaseModel):
    lines: int
    amount: Decimal


class TownshipReconciliation(BaseModel):
    township_code: str
    total: TallyOut = Field(description="Every line of the cycle (发放总额)")
    paid: TallyOut = Field(description="Confirmed by the bank's return file (已入账)")
    failed: TallyOut = Field(description="Returned by the bank (退回)")
    reissued: TallyOut = Field(description="Of the failed: re-issued in a later cycle (已补发)")
    awaiting_reissue: TallyOut = Field(description="Of the failed: not yet re-issued (待补发)")
    failed_after_reissue: TallyOut = Field(
        description="Of the failed: re-issues that failed again (a payment is re-issued once)"
    )
    unconfirmed: TallyOut = Field(description="Sent, no return from the bank yet (待回盘)")


class ReconciliationOut(BaseModel):
    cycle_id: int
    county_code: str
    month: date
    townships: list[TownshipReconciliation]
    totals: TownshipReconciliation
    bank_paid_amount: Decimal = Field(description="What the bank's return files say it paid")
    bank_failed_amount: Decimal
    balanced: bool = Field(
        description="The ledger's paid lines equal the bank's paid total to the fen, and paid + "
        "failed + unconfirmed make the cycle's total"
    )


class AdjustmentOut(BaseModel):
    """A month already paid, recomputed under figures published since (WEL-3, WEL-4)."""

    id: int
    cycle_id: int = Field(description="The cycle whose preparation found it (and pays back-pay)")
    household_id: str
    township_code: str
    scheme: str = Field(
        description="dibao (农村低保), nursing (重度残疾人护理补贴) or disab_liv "
        "(困难残疾人生活补贴)"
    )
    beneficiary: str = Field(description="The dibao case, or the disabled person's register id")
    month: date = Field(description="The month corrected")
    paid_amount: Decimal = Field(
        description="What the month was due under the figures it was paid on (before a claw-back "
        "withheld from its line), with what earlier adjustments of the month settled"
    )
    due_amount: Decimal
    difference: Decimal = Field(description="Back-pay when positive, claw-back when negative")
    kind: str = Field(description="back_pay (补发) | claw_back (追回)")
    changed: list[dict[str, Any]] = Field(
        description="The figures that changed: path, the value and source the month was paid "
        "on, and those it is due on now"
    )
