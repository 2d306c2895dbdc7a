"""Request and response models of medical (enrollment), as the routes parse and answer them."""

from __future__ import annotations

from shared.money import Money
from shared.trace import Provenance, TraceOut


class ContributionOut(Provenance):
    person_id: str
    year: int
    contribution: Money
    medical_assistance: Money
    province: Money
    prefecture_county: Money
    person_pays: Money
    grounds: list[str]
    trace: TraceOut


class FundingTotals(Provenance):
    """Totals of the persons' decisions; illustrative_parameters lists every figure illustrative
    in any of them."""

    year: int
    division: str
    persons: int
    contribution: Money
    medical_assistance: Money
    province: Money
    prefecture_county: Money
    person_pays: Money
