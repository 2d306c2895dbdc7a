"""Entrepreneurship: the one-off start-up subsidy (一次性创业补贴) and loan caps (创业担保贷款,
扶贫小额信贷), EMP-6.

Pure functions, as in jobs/rules.py.

Reading of the seeds
--------------------
- EMP-6 subsidy: FL-HRSS §三(一)5: 对建档立卡农村贫困劳动力在我县行政区域内初次创办企业且稳定经营
  6个月以上的，可享受5000元的一次性创业补贴。每个建档立卡贫困劳动力一次性创业补贴只能享受一次.
  Conditions: the business is in the county, it is the person's first, it has run without a
  break for 6 months (stable_months) on the day of the grant: closed businesses qualify only if
  they closed after that; once per person ever (unique in the table). The amount is
  employment.entrepreneurship.one_off_subsidy (5,000). The spec's reference FL-HRSS §三(一)4 for
  the subsidy is the loan item; the subsidy is item 5.
- EMP-6 who: FL-HRSS names registered poor labourers; ZA-GOV §三(四)6 gives its one-off support
  only to households not yet out of poverty (还未脱贫). The seed of each county wins: the
  statuses are a parameter, 正安 520324 not_exited only, 浮梁 360222 not_exited and exited (its
  own 建档立卡), the same illustratively elsewhere; 边缘户 never (no seed names them here).
- EMP-6 loans: FL-HRSS §三(一)4 caps business-guarantee loans at 100,000 (individual), 500,000
  (partnership or organised start), 4,000,000 (small firm) with interest subsidy 按规定: 浮梁's
  figures, illustrative defaults for other counties; the amount and 6 months likewise. The term
  and the interest share are not in the seeds (illustrative 36 months, 100%). Poverty microcredit
  (扶贫小额信贷) is named only as 扶贫贴息贷款 in YA-GOV §三(七); its cap 50,000 and term 36 months
  are illustrative (the national scheme's 5万元以下、3年以内).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shared.money import yuan
from shared.rule_inputs import add_months, day
from shared.trace import Params, Trace

EMP_6 = "EMP-6"

P_SUBSIDY = "employment.entrepreneurship.one_off_subsidy"
P_STABLE = "employment.entrepreneurship.stable_months"
P_STATUSES = "employment.entrepreneurship.subsidy_statuses"
P_GUARANTEE_CAP = "employment.loans.guarantee_cap."
P_GUARANTEE_TERM = "employment.loans.guarantee_term_months"
P_MICRO_CAP = "employment.loans.microcredit_cap"
P_MICRO_TERM = "employment.loans.microcredit_term_months"
P_INTEREST = "employment.loans.interest_subsidy_ratio"


@dataclass(frozen=True)
class BusinessFacts:
    started_on: date
    closed_on: date | None
    in_county: bool  # 在我县行政区域内
    first_business: bool  # 初次创办
    poverty_status: str | None  # registry status on the day of the grant (REG-2)
    already_granted: bool  # the person has had the subsidy before


@dataclass(frozen=True)
class StartupSubsidy:
    eligible: bool
    amount: Decimal
    stable_from: date  # the day the business has run the stable months
    reasons: tuple[str, ...]  # why not, when not eligible
    trace: Trace = field(repr=False)


def startup_subsidy(
    facts: BusinessFacts, on: date, params: Params, *, trace: Trace | None = None
) -> StartupSubsidy:
    """EMP-6: the one-off entrepreneurship subsidy on `on`, once per person."""
    trace = Trace() if trace is None else trace
    on = day(on, "date")
    started = day(facts.started_on, "start date")
    months = params.whole(P_STABLE, trace)
    statuses = params.get(P_STATUSES, trace)
    amount = yuan(params.decimal(P_SUBSIDY, trace))
    stable_from = add_months(started, months)
    reasons: list[str] = []
    if facts.already_granted:
        reasons.append("the one-off entrepreneurship subsidy was granted to this person before")
    if facts.poverty_status not in statuses:
        reasons.append(
            f"registry status {facts.poverty_status} is not one of {', '.join(statuses)}"
        )
    if not facts.in_county:
        reasons.append("the business is not in the county")
    if not facts.first_business:
        reasons.append("not the person's first business")
    if on < stable_from:
        reasons.append(f"not yet {months} months of operation (from {stable_from.isoformat()})")
    elif facts.closed_on is not None and facts.closed_on < stable_from:
        reasons.append(f"closed on {facts.closed_on.isoformat()}, before {months} months")
    eligible = not reasons
    granted = amount if eligible else yuan(0)
    trace.step(
        EMP_6,
        "one-off entrepreneurship subsidy due" if eligible else "; ".join(reasons),
        started_on=started,
        stable_from=stable_from,
        on=on,
        poverty_status=facts.poverty_status,
        amount=granted,
    )
    return StartupSubsidy(eligible, granted, stable_from, tuple(reasons), trace)


class LoanKind(StrEnum):
    guarantee = "guarantee"  # 创业担保贷款
    microcredit = "microcredit"  # 扶贫小额信贷


class Borrower(StrEnum):
    individual = "individual"  # 个人创业
    partnership = "partnership"  # 合伙经营和组织起来创业
    small_firm = "small_firm"  # 小微企业


LOAN_ZH = {LoanKind.guarantee: "创业担保贷款", LoanKind.microcredit: "扶贫小额信贷"}


@dataclass(frozen=True)
class LoanCheck:
    within_caps: bool
    cap: Decimal
    term_cap_months: int
    interest_subsidy_ratio: Decimal
    reasons: tuple[str, ...]
    trace: Trace = field(repr=False)


def loan_check(
    kind: LoanKind,
    borrower: Borrower,
    amount: Decimal,
    term_months: int,
    params: Params,
    *,
    trace: Trace | None = None,
) -> LoanCheck:
    """EMP-6: a loan application against the cap of its kind and borrower, and the term."""
    trace = Trace() if trace is None else trace
    kind, borrower = LoanKind(kind), Borrower(borrower)
    if amount <= 0:
        raise ValueError(f"loan amount must be positive: {amount}")
    if term_months < 1:
        raise ValueError(f"loan term must be at least one month: {term_months}")
    if kind is LoanKind.guarantee:
        cap = yuan(params.decimal(P_GUARANTEE_CAP + borrower.value, trace))
        term_cap = params.whole(P_GUARANTEE_TERM, trace, minimum=1)
    else:
        cap = yuan(params.decimal(P_MICRO_CAP, trace))
        term_cap = params.whole(P_MICRO_TERM, trace, minimum=1)
    interest = params.ratio(P_INTEREST, trace)
    reasons: list[str] = []
    if kind is LoanKind.microcredit and borrower is not Borrower.individual:
        reasons.append("扶贫小额信贷 is lent to a registered poor household, not to a firm")
    if amount > cap:
        reasons.append(f"amount {amount} exceeds the cap {cap} of {LOAN_ZH[kind]} ({borrower})")
    if term_months > term_cap:
        reasons.append(f"term {term_months} months exceeds {term_cap}")
    within = not reasons
    trace.step(
        EMP_6,
        f"{LOAN_ZH[kind]} within the caps" if within else "; ".join(reasons),
        kind=kind.value,
        borrower=borrower.value,
        amount=amount,
        cap=cap,
        term_months=term_months,
        term_cap_months=term_cap,
        interest_subsidy_ratio=interest,
    )
    return LoanCheck(within, cap, term_cap, interest, tuple(reasons), trace)
