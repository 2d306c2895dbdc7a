"""Extreme-poverty support (特困供养) and care-home occupancy (WEL-5).

Pure functions: facts and `Params` in; a frozen result with Decimal yuan (2 places) and a `Trace`
out. No database, clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used; every step names its
rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
- WEL-5, basic support: ZA-GOV §三(三)6 pays 741 yuan per person per month from June 2018 (6月起
  按2018年城市低保标准的1.3倍（741元/月/人）发放); §一(四) gives the same figure. It is shipped
  for county 520324 from 2018-06-01, and no figure before that date (the old one is not in the
  seed). The other counties have no figure in the seeds: 姚安 532325 gets an illustrative value
  from 2017, every other county ZA-GOV's 741 from June 2018, marked illustrative.
- WEL-5, care: the seed has 特困 people's self-care assessed (生活自理能力评估) by the end of May,
  but gives no care standard; the care standard by self-care level (全自理 / 半自理 / 全护理) is an
  illustrative parameter, per person per month, added to the basic support.
- WEL-5, occupancy: the seed's targets are deadlines, 6月底前入住率达70%，9月底前…85%，12月底前…
  100% in the 2018 plan: 70% from 2018-06-30, 85% from 2018-09-30, 100% from 2018-12-31 (the
  spec's "June / Sept / Dec" read as the end of those months). Before 2018-06-30 there is no
  target and the parameter does not resolve. The dates are ZA-GOV's; other counties get the same
  figures as an illustrative default. `met` compares the exact share (occupied ≥ target × beds);
  `rate` is reported to 4 places, half-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.welfare.parameters import amount_param
from shared.money import yuan
from shared.rule_inputs import count, day
from shared.trace import Params, Trace

WEL_5 = "WEL-5"


class SelfCare(StrEnum):
    """Self-care ability of an extreme-poverty person (生活自理能力)."""

    full = "full"  # 全自理
    partial = "partial"  # 半自理
    none = "none"  # 全护理


P_BASIC = "welfare.tekun.monthly_support"
P_CARE = {
    SelfCare.full: "welfare.tekun.care_standard.full",
    SelfCare.partial: "welfare.tekun.care_standard.partial",
    SelfCare.none: "welfare.tekun.care_standard.none",
}
P_OCCUPANCY = "welfare.tekun.occupancy_target"

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class TekunSupport:
    """monthly_amount == monthly_basic + care_monthly, per person."""

    monthly_basic: Decimal  # 基本生活标准
    care_monthly: Decimal  # 照料护理标准
    monthly_amount: Decimal
    trace: Trace = field(repr=False)


def tekun_support(
    self_care: SelfCare, params: Params, *, trace: Trace | None = None
) -> TekunSupport:
    """WEL-5: monthly support of one extreme-poverty person, basic support plus the care standard
    of their self-care level."""
    trace = Trace() if trace is None else trace
    try:
        level = SelfCare(self_care)
    except ValueError:
        raise ValueError(f"self-care must be full, partial or none, not {self_care!r}") from None
    basic = yuan(amount_param(params, P_BASIC, trace))
    care = yuan(amount_param(params, P_CARE[level], trace))
    total = basic + care
    trace.step(
        WEL_5,
        f"extreme-poverty support: basic plus the care standard of self-care {level.value}",
        self_care=level.value,
        monthly_basic=basic,
        care_monthly=care,
        monthly_amount=total,
    )
    return TekunSupport(basic, care, total, trace)


@dataclass(frozen=True)
class Occupancy:
    rate: Decimal  # occupied / beds, 4 places
    target: Decimal
    target_from: date  # the deadline from which the target applies
    met: bool
    trace: Trace = field(repr=False)


def occupancy(
    occupied: int, beds: int, on: date, params: Params, *, trace: Trace | None = None
) -> Occupancy:
    """WEL-5: a care home's occupancy against the target in force on `on`."""
    trace = Trace() if trace is None else trace
    occupied = count(occupied, "occupied beds")
    beds = count(beds, "beds", minimum=1)
    on = day(on, "date")
    if occupied > beds:
        raise ValueError(f"occupied beds {occupied} exceed the beds {beds}")
    # The target is the one in force on the day measured, whatever day `params` is bound to.
    target = replace(params, on=on).ratio(P_OCCUPANCY, trace)
    target_from = trace.parameters[P_OCCUPANCY].effective_from
    rate = (Decimal(occupied) / Decimal(beds)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    met = Decimal(occupied) >= target * beds
    trace.step(
        WEL_5,
        "care-home occupancy target met" if met else "care-home occupancy below the target",
        occupied=occupied,
        beds=beds,
        rate=rate,
        on=on,
        target=target,
        target_from=target_from,
    )
    return Occupancy(rate, target, target_from, met, trace)
