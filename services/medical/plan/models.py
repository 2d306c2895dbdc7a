"""The clean-up ledgers of self-paid general diagnosis fees reported by the townships (一般诊疗费
清理台账上报, YA-HRSS §二(二)2; MED-9, PLAN-1)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from services.medical.columns import money_column
from shared.bus.tables import utcnow


class DiagnosisFeeLedgerReport(SQLModel, table=True):
    """A township's clean-up ledger of the visits from `period_from` to `period_to`, reported to
    the county HR bureau on `reported_on`. The visit count and refund total are the ledger's as
    the service computed it when the report was recorded."""

    __tablename__ = "plan_diagnosis_fee_ledger_report"
    __table_args__ = (
        UniqueConstraint("township_code", "period_from", name="uq_plan_diagnosis_fee_ledger"),
    )

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    township_code: str = Field(max_length=9)
    period_from: date
    period_to: date
    reported_on: date
    visits: int
    refund_total: Decimal = Field(sa_column=money_column())
    recorded_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


PLAN_TABLES = (DiagnosisFeeLedgerReport,)
