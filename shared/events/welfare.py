"""Events published by the welfare service (civil affairs, WEL-*). Consumers: enrollment (ENR-M3
medical contribution subsidies) and medical (MED-5 deductible waivers). Every decision carries
`illustrative_parameters`: the figures it rests on that are no document's of its county."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.events.catalogue import EventData, event_model
from shared.ids import CountyCode
from shared.money import Money
from shared.trace import Provenance


class _HouseholdBenefit(EventData):
    household_id: str
    county_code: CountyCode
    person_ids: list[str]


@event_model("welfare.dibao_granted", producer="welfare")
class DibaoGranted(_HouseholdBenefit, Provenance):
    """A household was approved for the minimum living guarantee (低保, WEL-1)."""

    category: Literal["A", "B", "C"]
    monthly_amount: Money
    effective_from: date


@event_model("welfare.dibao_changed", producer="welfare")
class DibaoChanged(_HouseholdBenefit, Provenance):
    """A review changed a dibao household's category, members or amount (WEL-2)."""

    category: Literal["A", "B", "C"]
    monthly_amount: Money
    effective_from: date


@event_model(
    "welfare.dibao_recalculated",
    producer="welfare",
    audience="county poverty office (扶贫办) and finance bureau: back-pay and claw-back of months "
    "already paid after a county's correction of its figures (WEL-3)",
)
class DibaoRecalculated(_HouseholdBenefit, Provenance):
    """A month already paid was recomputed under figures the county published since (WEL-3):
    back-pay when due exceeds paid (paid in `cycle_month`), a claw-back balance otherwise."""

    month: date
    paid_amount: Money
    due_amount: Money
    difference: Money
    kind: Literal["back_pay", "claw_back"]
    cycle_month: date
    sources: list[str]  # the parameter versions the month is now due on (e.g. publication 7)


@event_model(
    "welfare.disability_subsidy_recalculated",
    producer="welfare",
    audience="county disabled persons' federation (县残联) and finance bureau: back-pay and "
    "claw-back of disability subsidies already paid after a county's correction of its figures "
    "(WEL-4)",
)
class DisabilitySubsidyRecalculated(EventData, Provenance):
    """A month's disability subsidy already paid was recomputed under figures the county
    published since (WEL-4): back-pay when due exceeds paid (paid in `cycle_month`), a claw-back
    balance otherwise."""

    disabled_person_id: int
    person_id: str | None
    household_id: str | None
    county_code: CountyCode
    scheme: Literal["nursing", "disab_liv"]
    month: date
    paid_amount: Money
    due_amount: Money
    difference: Money
    kind: Literal["back_pay", "claw_back"]
    cycle_month: date
    sources: list[str]  # the parameter versions the month is now due on (e.g. publication 7)


@event_model("welfare.dibao_ended", producer="welfare")
class DibaoEnded(_HouseholdBenefit, Provenance):
    """A household left dibao (review exit, gradual exit ended, death of the last member)."""

    effective_from: date
    reason: str


@event_model("welfare.tekun_certified", producer="welfare")
class TekunCertified(EventData, Provenance):
    """A person was certified for extreme-poverty support (特困供养, WEL-5)."""

    person_id: str
    household_id: str
    county_code: CountyCode
    effective_from: date


@event_model("welfare.tekun_ended", producer="welfare")
class TekunEnded(EventData):
    person_id: str
    household_id: str
    county_code: CountyCode
    effective_from: date
    reason: str


@event_model(
    "welfare.temporary_relief_granted",
    producer="welfare",
    audience="county poverty office (扶贫办): relief and poverty data shared (YA-GOV §四(三))",
)
class TemporaryReliefGranted(EventData, Provenance):
    """A temporary-relief case (临时救助, WEL-6) was decided with an amount; once per case."""

    case_id: str
    person_id: str | None
    household_id: str
    county_code: CountyCode
    kind: str
    amount: Money
    decided_on: date
