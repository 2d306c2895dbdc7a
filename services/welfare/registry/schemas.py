"""Response models of registry (welfare): a person as civil affairs knows them, the registry's
facts (or, for a person the registry does not know, what welfare's own records say) with a short
summary of each of the service's records about them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.domain import PovertyStatus

LIST_NOTE = "the latest first, at most 50 (`total` counts them all)"


class PersonFacts(BaseModel):
    """Who the person is and where they live: the registry read model's facts, or for a person
    it does not know (`in_registry` false) those of the welfare record that names them."""

    in_registry: bool = Field(description="建档立卡: known to the registry read model")
    person_id: str | None = Field(default=None, description="the registry's id")
    id_number: str
    household_id: str | None = None
    name: str
    sex: str
    birth_date: date
    county_code: str
    township_code: str | None = None
    village_code: str | None = None
    poverty_status: PovertyStatus | None = Field(default=None, description="null: not registered")
    disability_grade: int | None = Field(default=None, description="残疾等级 1 .. 4")
    deceased_on: date | None = None


class DibaoApplicationSummary(BaseModel):
    """A dibao application (低保申请): GET /v1/dibao/applications/{application_id}."""

    id: int
    household_id: str
    status: str
    applicant_name: str
    category: str | None = None
    monthly_amount: Decimal | None = None
    notice_start: date | None = None
    notice_end: date | None = None
    case_id: int | None = None
    created_at: datetime


class DibaoApplications(BaseModel):
    total: int
    items: list[DibaoApplicationSummary] = Field(description=LIST_NOTE)


class DibaoCaseSummary(BaseModel):
    """A household on dibao (低保户): GET /v1/dibao/cases/{case_id}."""

    id: int
    application_id: int
    household_id: str
    status: str = Field(description="active / gradual_exit / ended")
    category: str
    monthly_amount: Decimal
    effective_from: date
    next_review_due: date
    gradual_exit_until: date | None = None
    ended_on: date | None = None


class DibaoCases(BaseModel):
    total: int
    items: list[DibaoCaseSummary] = Field(description=LIST_NOTE)


class TekunCaseSummary(BaseModel):
    """An extreme-poverty support case (特困供养): GET /v1/tekun/cases/{case_id}."""

    id: int
    status: str
    route: str
    support_mode: str = Field(description="dispersed 分散 / centralised 集中")
    self_care: str | None = None
    monthly_amount: Decimal | None = None
    effective_from: date | None = None
    ended_on: date | None = None


class TekunCases(BaseModel):
    total: int
    items: list[TekunCaseSummary] = Field(description=LIST_NOTE)


class CarePlacementSummary(BaseModel):
    """A stay in a care home (敬老院): GET /v1/tekun/care-homes/{home_id}."""

    id: int
    home_id: int
    case_id: int
    moved_in: date
    moved_out: date | None = None


class CarePlacements(BaseModel):
    total: int
    items: list[CarePlacementSummary] = Field(description=LIST_NOTE)


class ReliefCaseSummary(BaseModel):
    """A temporary relief case (临时救助) naming the person or their household:
    GET /v1/relief/cases/{case_id}."""

    id: int
    kind: str
    status: str
    household_id: str
    persons: int
    occurred_on: date
    amount: Decimal | None = None
    decided_on: date | None = None


class ReliefCases(BaseModel):
    total: int
    items: list[ReliefCaseSummary] = Field(description=LIST_NOTE)


class DisabilityEntry(BaseModel):
    """The person's entry in the disability register (残疾人):
    GET /v1/disability/persons/{disabled_person_id}."""

    id: int
    source: str
    grade: int | None = Field(default=None, description="残疾等级 in force")
    hardship: str
    deceased_on: date | None = None


class DisabilitySubsidySummary(BaseModel):
    """A month of a disability subsidy (两项补贴): GET /v1/disability/subsidies."""

    id: int
    scheme: str = Field(description="nursing 护理补贴 / disab_liv 生活补贴")
    month: date
    amount: Decimal
    grade: int
    status: str


class DisabilitySubsidies(BaseModel):
    total: int
    items: list[DisabilitySubsidySummary] = Field(description=LIST_NOTE)


class AccountOut(BaseModel):
    """The social security card account (社保卡金融账户) the registry reported."""

    bank_name: str
    bank_account: str = Field(description="masked: the last four digits only")


class PersonOut(PersonFacts):
    """A person as the welfare service knows them. A section the caller's role may not read on
    its own routes is null and named in `withheld`."""

    dibao_applications: DibaoApplications | None
    dibao_cases: DibaoCases | None
    tekun_cases: TekunCases | None
    care_placements: CarePlacements | None
    relief_cases: ReliefCases | None
    disability: DisabilityEntry | None = Field(default=None, description="null: not registered")
    disability_subsidies: DisabilitySubsidies | None
    account: AccountOut | None = Field(default=None, description="null: none reported")
    withheld: list[str] = Field(
        default_factory=list, description="sections your role may not read (null here)"
    )
