"""Insurance events published by the enrollment service (ENR-*)."""

from __future__ import annotations

from pydantic import Field

from shared.events.catalogue import EventData, event_model
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
