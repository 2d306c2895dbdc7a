"""Employment subsidies already paid, recomputed when the county publishes figures that take
effect before the day they are published (shared.policy.recalculation): a workshop's
worker-years (workshops/recalculation.py), the one-off entrepreneurship subsidy
(business/recalculation.py) and the job-seeking subsidy (training/recalculation.py). Each
difference is an adjustment and an `employment.subsidy_recalculated` event, in the same
transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.events.employment import SubsidyRecalculated
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided, adjusted_so_far, record_and_publish
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.uow import UnitOfWork


def regranted(
    uow: UnitOfWork,
    publication: PolicyPublication,
    decided: Decided,
) -> PolicyAdjustment | None:
    """A subsidy granted once, due again under the published figures: `decided.paid` is what
    was granted, to which what earlier recalculations of it added (or took back) is counted;
    the adjustment and its `SubsidyRecalculated` event, None when nothing differs."""
    so_far = adjusted_so_far(uow.session, decided.scheme, decided.subject)
    return record_and_publish(
        uow, publication, replace(decided, paid=decided.paid + so_far), SubsidyRecalculated
    )


def decided_figure(trace: dict[str, Any], rule: str, name: str) -> str | None:
    """A figure of the first step of `rule` in a stored trace: a fact as the decision saw it."""
    for step in trace.get("steps") or ():
        if step.get("rule") == rule and name in (step.get("figures") or {}):
            return str(step["figures"][name])
    return None
