"""Request and response models of the medical targets (PLAN-1, PLAN-2) and of the
general-diagnosis-fee ledger reports (一般诊疗费清理台账上报)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from shared.ids import TownshipCode
from shared.plan.schemas import TargetOut, TargetsOut, TownshipProgressOut

__all__ = [
    "LedgerReportIn",
    "LedgerReportOut",
    "TargetOut",
    "TargetsOut",
    "TownshipProgressOut",
]


class LedgerReportIn(BaseModel):
    township_code: TownshipCode
    reported_on: date


class LedgerReportOut(BaseModel):
    id: int
    county_code: str
    township_code: str
    period_from: date
    period_to: date
    reported_on: date
    visits: int
    refund_total: Decimal
