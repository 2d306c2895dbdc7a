"""Insurance events published by the enrollment service (ENR-*)."""

from __future__ import annotations

from pydantic import Field

from shared.events.catalogue import EventData, event_model
from shared.events.recalculated import Recalculated
from shared.money import Money
from shared.trace import Provenance


@event_model(
    "enrollment.pension_enrolled",
    producer="enrollment",
    audience="county poverty office (扶贫办), insurance status of the registered poor (ENR-P1)",
)
class PensionEnrolled(EventData):
    """A registered person appears on the resident pension roll for a year (ENR-P1)."""

    person_id: str
    household_id: str
    year: int = Field(ge=2000, le=2100)
    tier: int
    paid: bool


@event_model(
    "enrollment.medical_enrolled",
    producer="enrollment",
    audience="county poverty office (扶贫办), insurance status of the registered poor (ENR-M1)",
)
class MedicalEnrolled(EventData):
    """A registered person appears on the resident medical roll for a year (ENR-M1)."""

    person_id: str
    household_id: str
    year: int = Field(ge=2000, le=2100)
    paid: bool
    critical_illness: bool


@event_model(
    "enrollment.funeral_grant_paid",
    producer="enrollment",
    audience="county finance bureau's payment system (the grant is paid from public funds, ENR-P8)",
)
class FuneralGrantPaid(EventData, Provenance):
    """The one-off funeral grant (ENR-P8) was decided for a deceased person; once, ever. The
    amount is a rule's: illustrative_parameters says whether the county's own figure set it."""

    person_id: str
    household_id: str
    amount: Money


@event_model(
    "enrollment.subsidy_recalculated",
    producer="enrollment",
    audience="county finance bureau (财政局), medical insurance bureau (医保局) and HR & social "
    "security (人社局): back-pay and claw-back of resident medical and pension contribution "
    "subsidies already decided, after a county's correction of its figures (ENR-M2, ENR-M3, "
    "ENR-P3, ENR-P4, ENR-P5)",
)
class ContributionSubsidyRecalculated(Recalculated):
    """A contribution subsidy already decided was recomputed under figures the county published
    since: the public funding of a person's resident medical contribution for a year (`scheme`
    medical_contribution: contribution less what the person pays) or what public funds put into
    their resident pension account for a year (pension_subsidy: the subsidies and the tier paid
    on their behalf). `subject` is person id/year. Positive: back-pay (the person paid too much
    of their own share, or the account is owed a credit); negative: a claw-back, recovered or
    written off, never a negative payment."""
