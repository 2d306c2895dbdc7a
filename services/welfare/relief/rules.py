"""Temporary relief (临时救助 / 救急难): who may have it, the essential-spending trigger and the
amount (WEL-6).

Pure functions: facts and `Params` in; a frozen result with Decimal yuan (2 places) and a `Trace`
out. No database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used; every step names its
rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
- Essential spending: YA-GOV §三(七) reads 月人均生活必需支出连续3个月达到家庭人均月收入的3倍及
  以上 — the household's *per-capita* monthly essential spending (basic living, basic medical
  and children's basic education costs), not its total as the spec's wording may suggest; the
  seed wins: `MonthlySpending.essential_spending` is per capita. A month qualifies when that
  spending is positive and at least 3 × the per-capita monthly income (the multiple and the
  3 months are parameters); the months must be consecutive calendar months, so a missing month
  breaks the run. The input may come in any order; a month listed twice is an error. When
  several runs qualify, the latest maximal run is reported.
- Who: the same sentence gives essential-spending relief to 建档立卡贫困户 and 建档立卡贫困边缘户:
  registered poor households (not exited and exited, who keep their benefits) and marginal ones.
  Accidents (火灾、交通事故等意外事件) are for 识别到户的贫困对象 in YA-GOV, and childbirth for
  贫困家庭孕产妇: registered poor. ZA-GOV §三(三)3 gives 急难救助金 to any household in hardship
  from a traffic accident, a natural disaster or a serious illness (对因…造成家庭困难的), so for
  county 520324 accidents are open to everyone, as are disasters and serious illness everywhere;
  relocation relief is for 搬迁贫困移民 (registered poor), and relief after a high medical burden
  (ZA-GOV §三(二)2, 补偿90%后自付费用仍然过高导致生活有严重困难的贫困人口) for the registered poor.
  Who qualifies is a parameter per kind: a list of PovertyStatus values, "none" standing for a
  person outside the poverty registry.
- Amounts: childbirth 400 yuan per person once (YA-GOV §三(七), 400元/人一次性) and relocation
  1,500 per person (ZA-GOV §三(三)3, 按每人1500元) are fixed. No seed gives a figure for the other
  kinds: they pay the assessed need, capped at an illustrative number of months of the county's
  monthly dibao standard (standard / 12) per person in the household.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import cast

from services.welfare.dibao.rules import P_STANDARD
from services.welfare.parameters import amount_param
from shared.domain import PovertyStatus
from shared.money import yuan
from shared.rule_inputs import count, day, money, month_index, set_field
from shared.trace import Params, Trace

WEL_6 = "WEL-6"

MONTHS = Decimal(12)
UNREGISTERED = "none"  # in an eligibility list: someone outside the poverty registry


class ReliefKind(StrEnum):
    accident = "accident"  # 意外事件: fire, traffic accident...
    disaster = "disaster"  # 自然灾害
    serious_illness = "serious_illness"  # 重特大疾病
    essential_spending = "essential_spending"  # 生活必需支出突然增加
    childbirth = "childbirth"  # 孕产妇住院分娩
    relocation = "relocation"  # 易地扶贫搬迁
    high_medical_burden = "high_medical_burden"  # 补偿90%后自付仍然过高


FIXED_KINDS = frozenset({ReliefKind.childbirth, ReliefKind.relocation})

P_FIXED = {
    ReliefKind.childbirth: "welfare.temporary_relief.childbirth",
    ReliefKind.relocation: "welfare.temporary_relief.relocation",
}
P_CAP_MONTHS = "welfare.temporary_relief.cap_months."  # + kind
P_ELIGIBLE = "welfare.temporary_relief.eligible_statuses."  # + kind
P_SPENDING_MULTIPLE = "welfare.temporary_relief.essential_spending.income_multiple"
P_SPENDING_MONTHS = "welfare.temporary_relief.essential_spending.consecutive_months"


def _kind(kind: object) -> ReliefKind:
    try:
        return ReliefKind(cast(str, kind))
    except ValueError:
        raise ValueError(f"unknown relief kind {kind!r}") from None


# --- who -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefEligibility:
    """Truthy when eligible, so it can stand where a bool is expected."""

    eligible: bool
    reason: str | None  # why not; None when eligible
    status: str  # the PovertyStatus value, or "none" outside the registry
    trace: Trace = field(repr=False)

    def __bool__(self) -> bool:
        return self.eligible


def relief_eligible(
    kind: ReliefKind, poverty_status: str | None, params: Params, *, trace: Trace | None = None
) -> ReliefEligibility:
    """WEL-6: whether a person of this poverty status (a PovertyStatus value or its Chinese
    wording; None, "" or "none" outside the registry) may have this kind of relief."""
    trace = Trace() if trace is None else trace
    kind = _kind(kind)
    if poverty_status is None or poverty_status.strip() in ("", UNREGISTERED):
        status = UNREGISTERED
    else:
        status = PovertyStatus.parse(poverty_status).value
    path = P_ELIGIBLE + kind.value
    allowed = params.get(path, trace)
    if not isinstance(allowed, list) or not all(isinstance(s, str) for s in allowed):
        raise TypeError(f"parameter {path} must be a list of statuses: {allowed!r}")
    unknown = set(allowed) - {s.value for s in PovertyStatus} - {UNREGISTERED}
    if unknown:
        raise ValueError(f"parameter {path} has unknown statuses: {sorted(unknown)}")
    eligible = status in allowed
    reason = None if eligible else f"{kind.value} relief is not for status {status}"
    trace.step(
        WEL_6,
        f"{kind.value} relief open to this status" if eligible else f"not eligible: {reason}",
        kind=kind.value,
        poverty_status=status,
        allowed=",".join(allowed),
    )
    return ReliefEligibility(eligible, reason, status, trace)


# --- essential-spending trigger ----------------------------------------------------------------


@dataclass(frozen=True)
class MonthlySpending:
    """One calendar month of a household: per-capita essential spending (月人均生活必需支出) and
    per-capita income (家庭人均月收入)."""

    month: date  # first day of the month
    essential_spending: Decimal
    per_capita_monthly_income: Decimal

    def __post_init__(self) -> None:
        month = day(self.month, "month")
        if month.day != 1:
            raise ValueError(f"month must be the first day of a month: {month}")
        set_field(self, "essential_spending", money(self.essential_spending, "spending"))
        set_field(
            self,
            "per_capita_monthly_income",
            money(self.per_capita_monthly_income, "per-capita monthly income"),
        )


@dataclass(frozen=True)
class SpendingTrigger:
    triggered: bool
    run: tuple[date, ...]  # the consecutive qualifying months; empty when not triggered
    trace: Trace = field(repr=False)


def essential_spending_trigger(
    months: Sequence[MonthlySpending], params: Params, *, trace: Trace | None = None
) -> SpendingTrigger:
    """WEL-6: relief is triggered when per-capita essential spending reaches 3x the per-capita
    income in 3 consecutive calendar months."""
    trace = Trace() if trace is None else trace
    items = sorted(months, key=lambda m: m.month)
    for item in items:
        if not isinstance(item, MonthlySpending):
            raise TypeError(f"not a MonthlySpending: {item!r}")
    for before, after in pairwise(items):
        if before.month == after.month:
            raise ValueError(f"month {after.month:%Y-%m} is listed twice")
    multiple = amount_param(params, P_SPENDING_MULTIPLE, trace)
    needed = params.whole(P_SPENDING_MONTHS, trace, minimum=1)

    best: list[date] = []
    run: list[date] = []
    previous: int | None = None
    for item in items:
        qualifies = (
            item.essential_spending > 0
            and item.essential_spending >= multiple * item.per_capita_monthly_income
        )
        index = month_index(item.month)
        if not qualifies:
            run = []
        elif previous is not None and index == previous + 1 and run:
            run.append(item.month)
        else:
            run = [item.month]
        previous = index
        if len(run) >= needed:
            best = list(run)  # a later run replaces an earlier one; a longer run itself
    triggered = len(best) >= needed
    trace.step(
        WEL_6,
        f"per-capita essential spending at least {multiple}x per-capita income in {needed} "
        "consecutive months" + ("" if triggered else ": not reached"),
        months_given=len(items),
        income_multiple=multiple,
        consecutive_months=needed,
        run=",".join(f"{m:%Y-%m}" for m in best) or "none",
    )
    return SpendingTrigger(triggered, tuple(best), trace)


# --- amount --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefAmount:
    amount: Decimal
    cap: Decimal  # the fixed amount for fixed kinds
    reason: str  # how the amount was set
    trace: Trace = field(repr=False)


def relief_amount(
    kind: ReliefKind,
    persons: int,
    assessed_need: Decimal,
    params: Params,
    *,
    trace: Trace | None = None,
) -> ReliefAmount:
    """WEL-6: childbirth and relocation relief are fixed amounts per person; other kinds pay the
    assessed need up to a cap of months of the monthly dibao standard per person."""
    trace = Trace() if trace is None else trace
    kind = _kind(kind)
    persons = count(persons, "persons", minimum=1)
    need = money(assessed_need, "assessed need")
    if kind in FIXED_KINDS:
        each = yuan(amount_param(params, P_FIXED[kind], trace))
        amount = each * persons
        reason = f"fixed {kind.value} relief per person, once"
        trace.step(WEL_6, reason, kind=kind.value, per_person=each, persons=persons, amount=amount)
        return ReliefAmount(amount, amount, reason, trace)

    cap_months = amount_param(params, P_CAP_MONTHS + kind.value, trace)
    standard = amount_param(params, P_STANDARD, trace)
    cap = yuan(standard / MONTHS * cap_months * persons)
    amount = min(need, cap)
    reason = "assessed need" if need <= cap else "assessed need capped"
    trace.step(
        WEL_6,
        f"{kind.value} relief: {reason} (cap: months of the monthly dibao standard per person)",
        kind=kind.value,
        assessed_need=need,
        standard_annual=standard,
        cap_months=cap_months,
        persons=persons,
        cap=cap,
        amount=amount,
    )
    return ReliefAmount(amount, cap, reason, trace)
