"""Request and response models of stays (medical), as the routes parse and answer them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, Field

from services.medical.stays.models import HospitalStay, StayDecision
from services.medical.stays.service import (
    registered_poor_at_admission,
)
from shared.money import Money
from shared.trace import Provenance, illustrative_of


class DecisionOut(Provenance):
    claim_id: str
    version: int
    status: str
    person_id: str | None
    registered_poor: bool = Field(
        description="建档立卡 (not exited or exited) on the admission date; a marginal household "
        "(边缘户) is not"
    )
    total_cost: Money
    basic: Money
    critical_illness: Money
    assistance: Money
    topup: Money
    annual_cap: Money
    self_pay: Money
    compliant_self_pay: Money  # MED-3: counts toward the annual cap
    cost_basis: Money
    ratio_before_topup: Decimal
    ratio_after: Decimal
    eligible_for_guarantee: bool
    ytd_self_pay: Money
    high_burden: bool
    trace: dict[str, Any]

    @classmethod
    def of(
        cls, stay: HospitalStay | SimpleNamespace, d: StayDecision | SimpleNamespace
    ) -> DecisionOut:
        """From stored rows, or the plain values the settling path returns (same names)."""
        return cls(
            claim_id=stay.claim_id,
            version=d.version,
            status=stay.status,
            person_id=stay.person_id,
            registered_poor=registered_poor_at_admission(d.trace),
            total_cost=d.total_cost,
            basic=d.basic,
            critical_illness=d.critical_illness,
            assistance=d.assistance,
            topup=d.topup,
            annual_cap=d.annual_cap,
            self_pay=d.self_pay,
            compliant_self_pay=d.compliant_self_pay,
            cost_basis=d.cost_basis,
            ratio_before_topup=d.ratio_before_topup,
            ratio_after=d.ratio_after,
            eligible_for_guarantee=d.eligible_for_guarantee,
            ytd_self_pay=d.ytd_self_pay,
            high_burden=d.high_burden,
            trace=d.trace,
            illustrative_parameters=illustrative_of(d.trace),
        )


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class AdjustmentOut(BaseModel):
    kind: str = Field(
        description="corrected | cancelled (by the hospital) | recalculated (under figures the "
        "county published after the stay was settled)"
    )
    from_version: int
    to_version: int
    topup_delta: Money
    annual_cap_delta: Money
    self_pay_delta: Money
    reason: str
    created_by: str
    created_at: datetime


class HistoryOut(BaseModel):
    claim_id: str
    versions: list[DecisionOut]
    adjustments: list[AdjustmentOut]
