"""The welfare targets of the county plans (PLAN-1, PLAN-2), measured from this service's records.

Metrics (township code → count / base, as of a day):
- tekun.certified_assessed (WEL-5, ZA-GOV §三(三)6 5月底前全面完成特困对象认定和生活自理能力评估):
  of the 特困 cases filed by the day and not rejected by it, those certified by the day with a
  self-care assessment made by it. Days are the workflow steps' (China time).
- tekun.support_at_standard (WEL-5, ZA-GOV §三(三)6 6月起按…741元/月/人发放特困供养金): of the
  特困 people supported on the day, those whose monthly support in force is at least the
  county's basic support then (welfare.tekun.monthly_support), per township.
- tekun.occupancy (WEL-5 入住率): by `plan.occupancy_basis`: people - 特困 people supported on
  the day living in a care home over all supported, by the person's township; beds - occupied
  beds over beds, by the home's township."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from services.welfare.plan.repository import PlanCases, PlanHomes
from services.welfare.plan.schemas import TargetsOut
from shared.plan import answer
from shared.plan.rules import Measure
from shared.plan.targets import Target
from shared.policy import ParameterNotFound
from shared.trace import Trace
from shared.uow import UnitOfWork

SERVICE = "welfare"
P_BASIS = "plan.occupancy_basis"
P_BASIC_SUPPORT = "welfare.tekun.monthly_support"


def certified_assessed(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric tekun.certified_assessed (WEL-5): cases certified and assessed by the day
    over the cases filed and not rejected by it, per township."""
    repo = PlanCases(uow.session, uow.principal)
    states = repo.statuses_on(target.county, on)
    open_ids = [cid for cid, (_, status, _) in states.items() if status != "rejected"]
    assessed = repo.assessed_by(open_ids, on)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cid in open_ids:
        township, _, certified = states[cid]
        out[township][1] += 1
        out[township][0] += int(certified and cid in assessed)
    return {code: Measure(n, base) for code, (n, base) in out.items()}


def support_at_standard(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric tekun.support_at_standard (WEL-5): people supported on the day at no less
    than the county's basic support in force then, over all supported, per township."""
    try:
        standard = uow.params(target.county, on).decimal(P_BASIC_SUPPORT, trace)
    except ParameterNotFound:
        # Before the standard takes effect (正安: June 2018) there is nothing to pay at it yet.
        trace.step("PLAN-1", "no basic support in force yet: nothing to measure", on=on)
        return {}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for township, amount in PlanCases(uow.session, uow.principal).amounts_supported(
        target.county, on
    ):
        out[township][1] += 1
        out[township][0] += int(amount is not None and amount >= standard)
    trace.step(
        "PLAN-1",
        "特困 people supported on the day at the basic support in force or more",
        on=on,
        basic_support=standard,
    )
    return {code: Measure(n, base) for code, (n, base) in out.items()}


def occupancy(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric tekun.occupancy (WEL-5 入住率), people or beds by `plan.occupancy_basis`."""
    basis = uow.params(target.county, on).get(P_BASIS, trace)
    if basis == "beds":
        figures = PlanHomes(uow.session, uow.principal).beds_and_occupied(target.county, on)
        trace.step("PLAN-1", "occupancy counts beds", on=on)
        return {code: Measure(taken, beds) for code, (beds, taken) in figures.items()}
    if basis != "people":
        raise ValueError(f"parameter {P_BASIS} is people or beds, not {basis!r}")
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for township, in_home in PlanCases(uow.session, uow.principal).supported(target.county, on):
        out[township][1] += 1
        out[township][0] += int(in_home)
    trace.step("PLAN-1", "occupancy counts supported 特困 people living in a care home", on=on)
    return {code: Measure(n, base) for code, (n, base) in out.items()}


METRICS: dict[str, answer.Metric] = {
    "tekun.certified_assessed": certified_assessed,
    "tekun.occupancy": occupancy,
    "tekun.support_at_standard": support_at_standard,
}


def targets(uow: UnitOfWork, county: str, on: date | None) -> TargetsOut:
    """PLAN-1, PLAN-2: the county's welfare targets on `on`."""
    return answer.targets(uow, SERVICE, county, on, METRICS)
