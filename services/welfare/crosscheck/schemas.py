"""Request and response models of crosscheck (welfare), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from services.welfare.crosscheck.models import CrossCheckFinding
from services.welfare.crosscheck.rules import FindingKind
from services.welfare.dibao.rules import WorkAbility
from shared.ids import CountyCode

KIND_ZH = {
    FindingKind.two_without_not_on_dibao: "两无人员未纳入低保",
    FindingKind.exited_due_review: "已脱贫仍享受低保,应复核",
}


class Outcome(StrEnum):
    enrolled_dibao = "enrolled_dibao"  # 已纳入低保
    enrolled_tekun = "enrolled_tekun"  # 已纳入特困供养
    facts_corrected = "facts_corrected"  # 核实后信息已更正
    not_eligible = "not_eligible"  # 核实不符合条件
    dibao_continued = "dibao_continued"  # 复核后继续保障
    dibao_exited = "dibao_exited"  # 复核后退出低保


class FactsIn(BaseModel):
    work_ability: WorkAbility = Field(description="劳动能力: full / partial / none")
    has_income: bool = Field(description="有无收入")
    survey_year: int | None = Field(default=None, ge=2000, le=2100)


class FactsOut(FactsIn):
    person_id: str
    source: str
    updated_by: str
    updated_at: datetime


class ImportOut(BaseModel):
    id: int
    filename: str
    rows: int
    survey_year: int | None
    imported_by: str
    imported_at: datetime


class RunIn(BaseModel):
    county_code: CountyCode
    on: date = Field(description="the date the check refers to")


class KindCount(BaseModel):
    kind: FindingKind
    label: str
    open: int
    closed: int


class TownshipCount(BaseModel):
    township_code: str
    findings: int
    by_kind: list[KindCount]


class RunOut(BaseModel):
    id: int
    rule: str = "WEL-8"
    county_code: str
    on: date
    people_checked: int
    people_without_facts: int
    findings: int  # in the whole run
    visible_findings: int  # within the caller's jurisdiction
    seconds: float
    dibao_source: str
    parameters: dict[str, Any]
    created_by: str
    created_at: datetime
    townships: list[TownshipCount]


class FindingOut(BaseModel):
    id: int
    run_id: int
    kind: FindingKind
    kind_label: str
    person_id: str
    household_id: str
    name: str
    id_number: str
    township_code: str
    village_code: str
    poverty_status: str
    work_ability: str | None
    has_income: bool | None
    on_dibao: bool
    on_tekun: bool
    detail: str
    due_since: date | None
    status: str
    outcome: Outcome | None
    outcome_note: str | None
    closed_by: str | None
    closed_at: datetime | None
    trace: dict[str, Any]

    @classmethod
    def of(cls, f: CrossCheckFinding) -> FindingOut:
        return cls(**f.model_dump(), kind_label=KIND_ZH[FindingKind(f.kind)])


class Worklist(BaseModel):
    run_id: int
    township_code: str | None
    total: int
    offset: int
    limit: int
    items: list[FindingOut]


class CloseIn(BaseModel):
    outcome: Outcome = Field(description="处理结果")
    note: str = Field(default="", max_length=500)
