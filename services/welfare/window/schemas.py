"""Request and response bodies of the one window (一门受理、协同办理, WEL-7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from services.welfare.relief.schemas import PastDate, WindowKind
from services.welfare.window.models import WindowRequest
from services.welfare.window.procedure import (
    DEPARTMENT_ZH,
    STATUS_ZH,
    TYPE_ZH,
    Department,
    RequestStatus,
    RequestType,
)
from services.welfare.workflow import StepOut
from shared.ids import ResidentIdNumber, VillageCode, mask_id_number
from shared.money import NonNegativeMoney


class ReliefDetails(BaseModel):
    """What a temporary-relief request (临时救助) needs to open its case (WEL-6)."""

    kind: WindowKind
    occurred_on: PastDate
    assessed_need: NonNegativeMoney | None = None
    persons: int | None = Field(default=None, ge=1, le=50)


class RequestIn(BaseModel):
    applicant_name: str = Field(min_length=1, max_length=100)
    applicant_id_number: ResidentIdNumber
    village_code: VillageCode | None = Field(
        default=None, description="where the applicant lives; required outside the registry"
    )
    request_type: RequestType
    content: str = Field(min_length=1, max_length=2000, description="诉求内容")
    department: Department | None = Field(
        default=None,
        validate_default=True,
        description="the department, when the request type is `other`",
    )
    relief: ReliefDetails | None = Field(
        default=None,
        validate_default=True,
        description="required for `temporary_relief`: the case is opened at once",
    )

    @field_validator("department")
    @classmethod
    def _department(cls, value: Department | None, info: ValidationInfo) -> Department | None:
        if info.data.get("request_type") == RequestType.other and value is None:
            raise ValueError("a request of type `other` names its department")
        return value

    @field_validator("relief")
    @classmethod
    def _relief(cls, value: ReliefDetails | None, info: ValidationInfo) -> ReliefDetails | None:
        if info.data.get("request_type") == RequestType.temporary_relief and value is None:
            raise ValueError("a temporary-relief request needs its details (kind, occurred_on)")
        return value


class StepIn(BaseModel):
    to: RequestStatus = Field(description="accepted, resolved or returned")
    note: str = Field(
        default="",
        max_length=2000,
        validate_default=True,
        description="the outcome, or why returned",
    )
    department_ref: str | None = Field(
        default=None, max_length=100, description="the department's own reference (文号)"
    )

    @field_validator("note")
    @classmethod
    def _note(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("to") in (RequestStatus.resolved, RequestStatus.returned):
            if not value.strip():
                raise ValueError("resolving or returning needs a note (the outcome or reason)")
        return value.strip()


class RequestOut(BaseModel):
    id: int
    rule: str = "WEL-7"
    request_no: str
    applicant_name: str
    applicant_id_number: str
    person_id: str | None
    household_id: str | None
    county_code: str
    township_code: str
    village_code: str | None
    request_type: RequestType
    request_type_label: str
    content: str
    department: Department
    department_label: str
    channel: str
    status: RequestStatus
    status_label: str
    received_on: date
    deadline: date
    overdue: bool
    trace: dict[str, Any]
    linked_entity: str | None
    linked_id: str | None
    department_ref: str | None
    outcome: str | None
    received_by: str
    resolved_on: date | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: WindowRequest, today: date) -> RequestOut:
        data = row.model_dump()
        data.update(_labels(row, today))
        return cls.model_validate(data)


def _labels(row: WindowRequest, today: date) -> dict[str, Any]:
    status = RequestStatus(row.status)
    return {
        "request_type_label": TYPE_ZH[RequestType(row.request_type)],
        "department_label": DEPARTMENT_ZH[Department(row.department)],
        "status_label": STATUS_ZH[status],
        "overdue": is_overdue(row, today),
    }


def is_overdue(row: WindowRequest, today: date) -> bool:
    return row.status in ("referred", "accepted") and row.deadline < today


class RequestDetail(RequestOut):
    steps: list[StepOut]


class RequestPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[RequestOut]


class TrackStep(BaseModel):
    status: RequestStatus
    status_label: str
    on: date


class TrackOut(BaseModel):
    """What an applicant sees with the request number: no name, the ID number masked."""

    request_no: str
    applicant: str
    request_type: RequestType
    request_type_label: str
    department: Department
    department_label: str
    status: RequestStatus
    status_label: str
    received_on: date
    deadline: date
    overdue: bool
    resolved_on: date | None
    steps: list[TrackStep]

    @classmethod
    def of(cls, row: WindowRequest, steps: list[StepOut], today: date) -> TrackOut:
        return cls(
            request_no=row.request_no,
            applicant=mask_id_number(row.applicant_id_number),
            request_type=RequestType(row.request_type),
            department=Department(row.department),
            status=RequestStatus(row.status),
            received_on=row.received_on,
            deadline=row.deadline,
            resolved_on=row.resolved_on,
            steps=[
                TrackStep(
                    status=RequestStatus(s.to_status),
                    status_label=STATUS_ZH[RequestStatus(s.to_status)],
                    on=s.at.date(),
                )
                for s in steps
            ],
            **{k: v for k, v in _labels(row, today).items()},
        )
