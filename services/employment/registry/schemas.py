"""Response models of registry (employment): a person as the employment service knows them, the
registry's facts with a short summary of each of the service's records about them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.domain import PovertyStatus

LIST_NOTE = "the latest first, at most 50 (`total` counts them all)"


class CensusSummary(BaseModel):
    """The person's labour census record (劳动力调查, EMP-1): GET /v1/census/persons/{person_id}."""

    surveyed_on: date
    work_ability: str = Field(description="劳动能力: full / partial / none")
    wishes_to_work: bool = Field(description="就业意愿")
    wishes_to_train: bool = Field(description="培训意愿")
    education: str | None = Field(default=None, description="文化程度")
    in_school: bool = Field(description="在读")
    job_location: str = Field(description="就业: none / local / province / other_province")
    employer: str | None = None
    closed_on: date | None = Field(default=None, description="left the census (death)")


class PlacementSummary(BaseModel):
    """A job placement (就业): GET /v1/jobs/placements/{placement_id}."""

    id: str
    employer: str
    location: str
    monthly_wage: Decimal | None = None
    start_on: date
    ended_on: date | None = None


class Placements(BaseModel):
    total: int
    items: list[PlacementSummary] = Field(description=LIST_NOTE)


class PostAssignmentSummary(BaseModel):
    """A public-welfare post assignment (公益岗位, EMP-4): GET /v1/posts/{post_id}/assignments."""

    id: int
    post_id: int
    start_on: date
    end_on: date | None = None


class PostAssignments(BaseModel):
    total: int
    items: list[PostAssignmentSummary] = Field(description=LIST_NOTE)


class EnrolmentSummary(BaseModel):
    """A training enrolment (技能培训, EMP-2): GET /v1/training/programmes/{programme_id}."""

    id: int
    programme_id: int
    status: str = Field(description="enrolled / completed / withdrawn")
    enrolled_on: date
    completed_on: date | None = None
    outcome: str | None = Field(default=None, description="passed / failed")


class Enrolments(BaseModel):
    total: int
    items: list[EnrolmentSummary] = Field(description=LIST_NOTE)


class CertificateSummary(BaseModel):
    """A certificate obtained after training (职业资格证书 / 技能等级证书)."""

    id: int
    enrolment_id: int
    kind: str
    number: str
    title: str | None = None
    issued_on: date


class Certificates(BaseModel):
    total: int
    items: list[CertificateSummary] = Field(description=LIST_NOTE)


class WorkshopSpellSummary(BaseModel):
    """A spell on a poverty workshop's roll (扶贫车间, EMP-5):
    GET /v1/workshops/{workshop_id}/workers."""

    id: int
    workshop_id: int
    registered_poor: bool
    start_on: date
    end_on: date | None = None


class WorkshopSpells(BaseModel):
    total: int
    items: list[WorkshopSpellSummary] = Field(description=LIST_NOTE)


class BusinessSummary(BaseModel):
    """A business started (创业, EMP-6): GET /v1/businesses/{business_id}."""

    id: str
    name: str
    business_type: str
    trade: str
    started_on: date
    closed_on: date | None = None


class Businesses(BaseModel):
    total: int
    items: list[BusinessSummary] = Field(description=LIST_NOTE)


class WelfareStandingOut(BaseModel):
    """On dibao (低保) or 特困 support, and since when, as civil affairs' events reported it."""

    dibao: bool
    dibao_since: date | None = None
    tekun: bool
    tekun_since: date | None = None


class RegistryFacts(BaseModel):
    """A registered person (建档立卡人口) as the registry's events last described them."""

    person_id: str
    id_number: str
    household_id: str
    name: str
    sex: str
    birth_date: date
    county_code: str
    township_code: str
    village_code: str
    poverty_status: PovertyStatus
    disability_grade: int | None = Field(default=None, description="残疾等级 1 .. 4")
    deceased_on: date | None = None


class PersonOut(RegistryFacts):
    """A registered person (建档立卡人口) as the employment service knows them. A section the
    caller's role may not read elsewhere in the service (the census and training for `service`)
    is null and named in `withheld`."""

    census: CensusSummary | None = Field(default=None, description="劳动力调查; null: none")
    placements: Placements
    post_assignments: PostAssignments
    training_enrolments: Enrolments | None
    certificates: Certificates | None
    workshop_spells: WorkshopSpells
    businesses: Businesses
    welfare: WelfareStandingOut | None = Field(
        default=None, description="低保 / 特困 standing; null: none reported"
    )
    withheld: list[str] = Field(
        default_factory=list, description="sections your role may not read (null here)"
    )
