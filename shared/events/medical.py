"""Medical insurance events (MED-*): the hospital input topic and what the medical service
publishes."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from shared.events.catalogue import EventData, event_model
from shared.events.recalculated import Recalculated
from shared.ids import CountyCode, ResidentIdNumber, parse_resident_id
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance

INPUT_TOPIC = "medical.hospital-stays.input"
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")


class UpstreamPaid(EventData):
    """Amounts already settled upstream by the one-stop settlement (一站式结算)."""

    basic: NonNegativeMoney
    critical_illness: NonNegativeMoney
    assistance: NonNegativeMoney


class RehabilitationItem(EventData):
    """A medical rehabilitation item (医疗康复项目) charged during the stay (MED-11)."""

    item: str = Field(
        min_length=1,
        max_length=60,
        description="the item, e.g. 运动疗法 (or its key, movement_therapy)",
    )
    cost: NonNegativeMoney


class StayData(EventData):
    """A hospital stay as a hospital system reports it (HTTP body and input-topic payload)."""

    claim_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    id_number: ResidentIdNumber
    county_code: CountyCode
    hospital_level: int = Field(ge=1, le=3, description="1/2/3 (一级/二级/三级)")
    admin_level: Literal["county", "city", "province"] = Field(
        description="administrative level of the hospital (县级/市级/省级)"
    )
    admission: date
    discharge: date
    referral_compliant: bool = Field(description="符合转诊转院规范")
    total_cost: NonNegativeMoney
    covered_cost: NonNegativeMoney = Field(description="政策范围内费用")
    diagnosis_codes: list[str] = Field(
        min_length=1, max_length=20, description="ICD-10 codes, e.g. C34.9"
    )
    upstream: UpstreamPaid | None = None
    rehabilitation: list[RehabilitationItem] = Field(
        default_factory=list,
        max_length=50,
        description="medical rehabilitation items charged (医疗康复项目), part of total_cost and "
        "not in covered_cost: those the county lists count as covered (MED-11)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> StayData:
        if self.discharge < self.admission:
            raise ValueError("discharge is before admission")
        born = parse_resident_id(self.id_number).birth_date
        if self.admission < born:
            raise ValueError(f"admission is before the patient's birth date {born} (id_number)")
        if self.covered_cost > self.total_cost:
            raise ValueError("covered_cost exceeds total_cost")
        if self.covered_cost + sum(r.cost for r in self.rehabilitation) > self.total_cost:
            raise ValueError("covered_cost and the rehabilitation items exceed total_cost")
        for code in self.diagnosis_codes:
            if not _ICD10.match(code):
                raise ValueError(f"diagnosis code {code!r} is not ICD-10 (e.g. C34.9)")
        if self.upstream is not None:
            paid = self.upstream.basic + self.upstream.critical_illness + self.upstream.assistance
            if paid > self.total_cost:
                raise ValueError("upstream payments exceed total_cost")
        return self


@event_model("medical.hospital_stay_submitted", producer="hospital", topic=INPUT_TOPIC)
class HospitalStaySubmitted(StayData):
    """Input topic for hospital information systems: same schema and validation as HTTP."""


@event_model(
    "medical.hospitalization_recorded",
    producer="medical",
    audience="the hospital's information system (one-stop settlement result, MED-1)",
)
class HospitalizationRecorded(EventData, Provenance):
    """A stay was recorded and settled (MED-1); the 90% check ran on it (MED-2, MED-3)."""

    claim_id: str
    person_id: str | None
    county_code: CountyCode
    admission: date
    discharge: date
    referral_compliant: bool
    total_cost: Money
    reimbursed: Money
    self_pay: Money
    ratio_after: str


@event_model(
    "medical.topup_granted",
    producer="medical",
    audience="county finance bureau (top-up funds, MED-2/MED-3); county poverty office (扶贫办)",
)
class TopupGranted(EventData, Provenance):
    """The county safety-net top-up (MED-2) and/or the annual-cap excess (MED-3) for a stay."""

    claim_id: str
    person_id: str
    county_code: CountyCode
    year: int
    topup: Money
    annual_cap: Money
    ratio_before: str
    ratio_after: str


@event_model("medical.high_burden_detected", producer="medical")
class HighBurdenDetected(EventData, Provenance):
    """Still in hardship after the 90% (MED-4): welfare opens a temporary-relief case (WEL-6)."""

    person_id: str
    household_id: str
    county_code: CountyCode
    year: int
    claim_id: str
    ytd_self_pay: Money
    threshold: Money


@event_model(
    "medical.stay_adjusted",
    producer="medical",
    audience="county finance bureau (corrections of top-ups paid, MED-2)",
)
class StayAdjusted(EventData, Provenance):
    """A hospital corrected or cancelled a stay; the difference (negative too) is recorded."""

    claim_id: str
    person_id: str | None
    county_code: CountyCode
    kind: Literal["corrected", "cancelled"]
    from_version: int
    to_version: int
    topup_delta: Money
    annual_cap_delta: Money
    self_pay_delta: Money


@event_model(
    "medical.stay_recalculated",
    producer="medical",
    audience="county finance bureau and medical insurance fund: back-pay of top-ups and annual-cap "
    "cover owed to the patient, or a claw-back, after the county published figures that apply "
    "to stays already settled",
)
class StayRecalculated(Recalculated):
    """A stay already settled was settled again under figures its county published since (a
    guarantee ratio, the rural income of the annual cap): a new version of its decision, with
    what it paid and what is now due. Positive: back-pay to the patient, who paid too much
    themselves; negative: a claw-back, recovered or written off, never a negative payment."""
