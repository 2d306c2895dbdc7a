"""Request and response models of campaign (medical), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator

from services.medical.campaign.models import TopupForm, TopupFormStep
from services.medical.campaign.rules import (
    STATUS_ZH,
    ConfirmMethod,
    ConfirmRelation,
    FormStatus,
)
from shared.ids import CountyCode, ResidentIdNumber
from shared.money import Money
from shared.trace import Provenance, illustrative_of


class CampaignIn(BaseModel):
    county_code: CountyCode
    period_start: date = Field(description="first admission date included")
    period_end: date = Field(description="last admission date included")

    @model_validator(mode="after")
    def _ordered(self) -> CampaignIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class StatusCount(BaseModel):
    status: FormStatus
    label: str
    forms: int
    topup_due: Money


class TownshipSummary(BaseModel):
    township_code: str
    forms: int
    topup_due: Money
    topup_paid: Money
    by_status: list[StatusCount]


class CampaignOut(BaseModel):
    id: int
    rule: str = "MED-10"
    county_code: str
    period_start: date
    period_end: date
    created_by: str
    created_at: datetime
    forms_created: int
    skipped_existing_form: int
    forms: int  # within the caller's jurisdiction
    topup_due: Money
    topup_paid: Money
    by_status: list[StatusCount]
    townships: list[TownshipSummary]


class HouseholdConfirmation(BaseModel):
    """The household's confirmation of the form (经贫困户认定, YA-HRSS §二(二)3, MED-10): given by
    a member of the patient's household, recorded by the helper cadre at the home visit."""

    id_number: ResidentIdNumber = Field(description="the confirming household member's ID number")
    name: str = Field(min_length=1, max_length=100, description="as in the poverty registry")
    relation: ConfirmRelation = Field(description="relation to the patient (本人 = self)")
    method: ConfirmMethod = Field(description="签字 / 按手印 / 签字并按手印")
    confirmed_on: date = Field(description="the day the household confirmed; not in the future")


class StepOut(BaseModel):
    from_status: FormStatus | None
    to_status: FormStatus
    actor: str  # for the household's confirmation: household:<household id>
    actor_role: str
    actor_scope: str
    recorded_by: str  # the account that wrote the step down
    note: str
    at: datetime
    household_confirmation: HouseholdConfirmation | None = None

    @classmethod
    def of(cls, row: TopupFormStep) -> StepOut:
        # The stored statuses, relation and method are validated back into their enums.
        confirmation = (
            HouseholdConfirmation.model_validate(
                {
                    "id_number": row.confirmed_by_id_number,
                    "name": row.confirmed_by_name or "",
                    "relation": row.confirmed_relation,
                    "method": row.confirmed_method,
                    "confirmed_on": row.confirmed_on,
                }
            )
            if row.confirmed_by_id_number and row.confirmed_on
            else None
        )
        return cls.model_validate(
            {
                "from_status": row.from_status,
                "to_status": row.to_status,
                "actor": row.actor,
                "actor_role": row.actor_role,
                "actor_scope": row.actor_scope,
                "recorded_by": row.recorded_by or row.actor,
                "note": row.note,
                "at": row.at,
                "household_confirmation": confirmation,
            }
        )


class FormOut(Provenance):
    id: int
    campaign_id: int
    claim_id: str
    decision_version: int
    status: FormStatus
    status_label: str
    person_id: str
    id_number: str
    household_id: str
    name: str
    county_code: str
    township_code: str
    village_code: str
    hospital: str
    hospital_level: int
    admin_level: str
    admission: date
    discharge: date
    total_cost: Money
    cost_basis: Money
    basic: Money
    critical_illness: Money
    assistance: Money
    reimbursed: Money
    self_pay: Money
    ratio_before: Decimal
    target_ratio: Decimal
    topup_due: Money
    paid_version: int | None
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
    trace: dict[str, Any]

    @classmethod
    def of(cls, form: TopupForm) -> FormOut:
        data = form.model_dump()
        data["status_label"] = STATUS_ZH[FormStatus(form.status)]
        data["illustrative_parameters"] = illustrative_of(form.trace)
        return cls.model_validate(data)


class FormDetail(FormOut):
    steps: list[StepOut]


class FormPage(BaseModel):
    campaign_id: int
    total: int
    offset: int
    limit: int
    items: list[FormOut]


class StepIn(BaseModel):
    to: FormStatus = Field(description="the next status, or `rejected` (with the reason)")
    note: str = Field(default="", max_length=500, description="the reason, when rejecting")
    confirmation: HouseholdConfirmation | None = Field(
        default=None,
        description="required with `household_confirmed` (and only then): who of the household "
        "confirmed, how and when; the helper cadre records it, the household gives it",
    )

    @model_validator(mode="after")
    def _reason(self) -> StepIn:
        if self.to == FormStatus.rejected and not self.note.strip():
            raise ValueError("a rejection needs its reason in `note`")
        if (self.to == FormStatus.household_confirmed) != (self.confirmation is not None):
            raise ValueError("`confirmation` is required with household_confirmed and only with it")
        return self
