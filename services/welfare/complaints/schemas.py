"""Request and response models of complaints (welfare), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator

from services.welfare.complaints.models import Complaint
from services.welfare.complaints.rules import WEL_9
from services.welfare.workflow import StepOut
from shared.ids import ResidentIdNumber, VillageCode


class ComplaintStatus(StrEnum):
    open = "open"  # 待答复
    answered = "answered"  # 已答复


STATUS_ZH = {ComplaintStatus.open: "待答复", ComplaintStatus.answered: "已答复"}


class ComplaintKind(StrEnum):
    complaint = "complaint"  # 投诉举报
    appeal = "appeal"  # 申诉 (against a decision)


class AgainstType(StrEnum):
    relief_case = "relief_case"  # 临时救助决定
    window_request = "window_request"  # 一门受理转办
    dibao_application = "dibao_application"  # 低保审批
    dibao_case = "dibao_case"  # 低保复核、退出
    tekun = "tekun"  # 特困供养
    staff_conduct = "staff_conduct"  # 工作作风
    other = "other"


class ComplaintIn(BaseModel):
    kind: ComplaintKind
    complainant_name: str = Field(min_length=1, max_length=100)
    complainant_id_number: ResidentIdNumber
    village_code: VillageCode | None = Field(
        default=None, description="required when the complainant is not in the registry"
    )
    against_type: AgainstType
    against_ref: str | None = Field(
        default=None, max_length=64, description="the decision's id (a relief case id, a number)"
    )
    content: str = Field(min_length=1, max_length=4000)

    @field_validator("against_ref")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=4000, description="答复内容")

    @field_validator("answer")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the answer is empty")
        return value.strip()


class ComplaintOut(BaseModel):
    id: int
    rule: str = WEL_9
    kind: ComplaintKind
    complainant_name: str
    complainant_id_number: str
    household_id: str | None
    county_code: str
    township_code: str
    village_code: str
    against_type: AgainstType
    against_ref: str | None
    content: str
    status: ComplaintStatus
    status_label: str
    received_on: date
    answer_due: date
    overdue: bool
    trace: dict[str, Any]
    answer: str | None
    answered_by: str | None
    answered_role: str | None
    answered_at: datetime | None
    recorded_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: Complaint, today: date) -> ComplaintOut:
        data = row.model_dump()
        data["status_label"] = STATUS_ZH[ComplaintStatus(row.status)]
        data["overdue"] = row.status == ComplaintStatus.open.value and row.answer_due < today
        return cls.model_validate(data)


class ComplaintDetail(ComplaintOut):
    steps: list[StepOut]


class ComplaintPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ComplaintOut]
