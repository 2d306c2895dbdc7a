"""Response models of the welfare targets (PLAN-1, PLAN-2): the shared plan answer."""

from __future__ import annotations

from shared.plan.schemas import TargetOut, TargetsOut, TownshipProgressOut

__all__ = ["TargetOut", "TargetsOut", "TownshipProgressOut"]
