"""Events published by the employment service (EMP-*). Consumers: welfare (WEL-8 review and
gradual exit when a member finds work) and employment itself."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.events.catalogue import EventData, event_model
from shared.events.recalculated import Recalculated
from shared.ids import CountyCode

JobLocation = Literal["local", "province", "other_province"]  # 县内 / 省内县外 / 省外


class _PersonEvent(EventData):
    person_id: str
    household_id: str
    county_code: CountyCode


@event_model(
    "employment.training_completed",
    producer="employment",
    audience="county poverty office (扶贫办), training ledger (EMP-2, ZA-GOV §三(四)2)",
)
class TrainingCompleted(_PersonEvent):
    """A registered labourer completed a training programme (EMP-2)."""

    programme_id: str
    completed_on: date
    certificate: str | None = None
    enrolment_id: str | None = None
    outcome: Literal["passed", "failed"] | None = None  # 合格 / 不合格


@event_model("employment.job_placed", producer="employment")
class JobPlaced(_PersonEvent):
    """A registered labourer started a job (EMP-3): welfare reviews the household's dibao and
    keeps it on for the gradual-exit months (WEL-8)."""

    placement_id: str
    placed_on: date
    location: JobLocation
    employer: str | None = None


@event_model(
    "employment.job_lost",
    producer="employment",
    audience="county poverty office (扶贫办), watching households at risk of 返贫",
)
class JobLost(_PersonEvent):
    """A registered labourer's job placement ended (EMP-3); published once per placement."""

    placement_id: str
    lost_on: date


@event_model(
    "employment.business_started",
    producer="employment",
    audience="county poverty office (扶贫办); the guarantee-loan handling bank (EMP-6)",
)
class BusinessStarted(_PersonEvent):
    """A registered person started a business (EMP-6)."""

    business_id: str
    started_on: date


@event_model(
    "employment.subsidy_recalculated",
    producer="employment",
    audience="county finance bureau (财政局) and poverty office (扶贫办): back-pay and "
    "claw-back of employment subsidies already paid after a county's correction of its "
    "figures (EMP-5, EMP-6, EMP-7)",
)
class SubsidyRecalculated(Recalculated):
    """An employment subsidy already paid (a workshop's worker-year, a one-off entrepreneurship
    or job-seeking subsidy) was recomputed under figures the county published since: back-pay
    when due exceeds paid, a claw-back otherwise. `scheme` is workshop_subsidy, business_subsidy
    or job_seeking_subsidy, `subject` the id of the payment or grant."""
