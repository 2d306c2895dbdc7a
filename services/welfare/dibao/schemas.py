"""Request and response bodies of the dibao API (WEL-1 .. WEL-3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.welfare.dibao.rules import DibaoCategory, WorkAbility
from services.welfare.workflow import StepOut
from shared.ids import ResidentIdNumber, VillageCode
from shared.money import Money, NonNegativeMoney
from shared.trace import Provenance, TracedProvenance

BankAccount = Field(pattern=r"^\d{12,30}$", description="bank card or account number, digits")
Name = Field(min_length=1, max_length=50)
Text = Field(min_length=2, max_length=2000)


class MemberIn(BaseModel):
    """A household member (家庭成员) as the household declares and the township verifies."""

    id_number: ResidentIdNumber
    name: str = Name
    relation: str = Field(default="", max_length=20, description="与户主关系")
    work_ability: WorkAbility = Field(description="劳动能力: full 有 / partial 部分丧失 / none")
    self_care: bool = Field(default=True, description="生活能自理")
    disability_grade: int | None = Field(default=None, ge=1, le=4, description="残疾等级 1–4")
    serious_illness: bool = Field(default=False, description="重病")
    chronic_illness: bool = Field(default=False, description="慢性病")


IncomeSource = Literal["wage", "farming", "business", "property", "transfer", "other"]


class IncomeIn(BaseModel):
    """One source of household income over the last 12 months (工资性 / 家庭经营 (farming,
    business) / 财产性 / 转移性 / 其他)."""

    source: IncomeSource
    annual_amount: NonNegativeMoney
    id_number: ResidentIdNumber | None = Field(default=None, description="member it is earned by")
    note: str = Field(default="", max_length=500)


class AssetIn(BaseModel):
    kind: Literal["house", "vehicle", "deposit", "securities", "business", "livestock", "other"]
    description: str = Field(min_length=1, max_length=500)
    value: NonNegativeMoney


class CrossCheckIn(BaseModel):
    """The answer of another department to the household's economic check (信息核对)."""

    department: str = Field(min_length=2, max_length=50, description="e.g. 公安, 车管, 不动产")
    item: str = Field(min_length=1, max_length=200)
    consistent: bool
    note: str = Field(default="", max_length=500)


class ApplicationIn(BaseModel):
    village_code: VillageCode
    household_id: str | None = Field(
        default=None,
        max_length=40,
        description="registry household id (建档立卡户); found from the applicant when left out",
    )
    applicant_name: str = Name
    applicant_id_number: ResidentIdNumber
    reason: str = Text
    bank_name: str = Field(min_length=2, max_length=100)
    bank_account: str = BankAccount
    members: list[MemberIn] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _applicant_is_member(self) -> ApplicationIn:
        numbers = [m.id_number for m in self.members]
        if len(set(numbers)) != len(numbers):
            raise ValueError("members: the same ID number appears twice")
        if self.applicant_id_number not in numbers:
            raise ValueError("applicant_id_number: the applicant must be one of the members")
        return self


class AcceptanceIn(BaseModel):
    accept: bool
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _reason(self) -> AcceptanceIn:
        if not self.accept and len(self.note.strip()) < 2:
            raise ValueError("note: give the reason for refusing the application")
        return self


class EconomicReviewIn(BaseModel):
    """家庭经济状况核查: the members, income by source, assets and the other departments'
    answers, as verified by the township."""

    members: list[MemberIn] = Field(min_length=1, max_length=30)
    incomes: list[IncomeIn] = Field(default_factory=list, max_length=200)
    assets: list[AssetIn] = Field(default_factory=list, max_length=200)
    cross_checks: list[CrossCheckIn] = Field(default_factory=list, max_length=200)
    assets_within_limits: bool = Field(description="家庭财产符合规定")
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _members(self) -> EconomicReviewIn:
        numbers = [m.id_number for m in self.members]
        if len(set(numbers)) != len(numbers):
            raise ValueError("members: the same ID number appears twice")
        for i, income in enumerate(self.incomes):
            if income.id_number is not None and income.id_number not in numbers:
                raise ValueError(f"incomes[{i}].id_number is not one of the members")
        return self


class DecisionIn(BaseModel):
    approve: bool
    category: DibaoCategory | None = Field(
        default=None, description="A/B/C; the proposed category when left out"
    )
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _reason(self) -> DecisionIn:
        if not self.approve and len(self.reason.strip()) < 2:
            raise ValueError("reason: a rejection must give its reason")
        return self


class NoticeIn(BaseModel):
    start: date | None = Field(
        default=None, description="first day of the notice; today if left out"
    )
    note: str = Field(default="", max_length=2000)


class ObjectionIn(BaseModel):
    objector: str = Name
    content: str = Text
    lodged_on: date | None = None


class ResolutionIn(BaseModel):
    upheld: bool
    resolution: str = Text


class ActivationIn(BaseModel):
    effective_from: date | None = Field(
        default=None, description="first day on dibao; today if left out; after the notice"
    )
    note: str = Field(default="", max_length=2000)


class ObjectionOut(BaseModel):
    id: int
    lodged_on: date
    objector: str
    content: str
    status: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None


class ApplicationOut(TracedProvenance):
    trace_fields = ("benefit",)

    id: int
    rule: str = "WEL-1"
    household_id: str
    county_code: str
    township_code: str
    village_code: str
    applicant_name: str
    applicant_id_number: str
    reason: str
    status: str
    status_zh: str
    registered_poor: bool
    members: list[dict]
    incomes: list[dict]
    assets: list[dict]
    cross_checks: list[dict]
    annual_income: Money | None
    proposed_category: str | None
    category: str | None
    monthly_amount: Money | None
    benefit: dict
    decision_reason: str | None
    notice_start: date | None
    notice_end: date | None
    case_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    next_steps: list[str] = Field(default_factory=list)
    objections: list[ObjectionOut] = Field(default_factory=list)
    steps: list[StepOut] = Field(default_factory=list)


class ApplicationPage(BaseModel):
    total: int
    items: list[ApplicationOut]


class NoticeRow(Provenance):
    """A line of the public-notice list (公示名单)."""

    application_id: int
    township_code: str
    village_code: str
    applicant_name: str
    members: int
    category: str | None
    monthly_amount: Money | None
    registered_poor: bool
    notice_start: date
    notice_end: date


class CaseMemberOut(BaseModel):
    id_number: str
    person_id: str | None
    name: str
    active: bool


class ReviewOut(TracedProvenance):
    id: int
    reviewed_on: date
    outcome: str
    reason: str
    category_before: str
    category_after: str
    amount_before: Money
    amount_after: Money
    actor: str
    actor_role: str
    trace: dict


class CaseOut(TracedProvenance):
    trace_fields = ("benefit",)

    id: int
    application_id: int
    household_id: str
    county_code: str
    township_code: str
    village_code: str
    payee_name: str
    status: str
    category: str
    annual_income: Money
    monthly_amount: Money
    clawback_balance: Money = Field(
        default=Decimal("0.00"),
        description="Overpaid and not yet recovered (追回余额): withheld from later payments at "
        "most the county's share a month, or written off by the county",
    )
    benefit: dict
    effective_from: date
    last_review_on: date
    next_review_due: date
    gradual_exit_until: date | None
    ended_on: date | None
    end_reason: str | None
    version: int
    members: list[CaseMemberOut] = Field(default_factory=list)
    reviews: list[ReviewOut] = Field(default_factory=list)


class CasePage(BaseModel):
    total: int
    items: list[CaseOut]


class WriteOffIn(BaseModel):
    reason: str = Field(
        min_length=2,
        max_length=500,
        description="The county's decision (核销依据), e.g. 县民政局决定",
    )


class ReviewIn(BaseModel):
    """A review (复核) of a dibao household (WEL-2): keep, adjust (new facts or category) or
    end. Ending a household a member of which found work puts it on gradual exit (渐退)."""

    outcome: Literal["keep", "adjust", "end"]
    reviewed_on: date | None = None
    reason: str = Text
    members: list[MemberIn] | None = Field(default=None, min_length=1, max_length=30)
    annual_income: NonNegativeMoney | None = None
    category: DibaoCategory | None = None

    @model_validator(mode="after")
    def _facts(self) -> ReviewIn:
        changes = (self.members, self.annual_income, self.category)
        if self.outcome == "adjust" and all(c is None for c in changes):
            raise ValueError("outcome: adjust needs new members, annual_income or category")
        if self.outcome != "adjust" and any(c is not None for c in changes):
            raise ValueError(f"outcome: {self.outcome} takes no new facts; use adjust")
        return self


class OverdueReview(BaseModel):
    case_id: int
    household_id: str
    township_code: str
    village_code: str
    payee_name: str
    category: str
    next_review_due: date
    days_overdue: int
