"""Request and response models of reconciliation (enrollment), as the routes answer them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from services.enrollment.reconciliation.repository import GapKind, Scheme
from shared.domain import PovertyStatus


class Coverage(BaseModel):
    division: str
    eligible: int
    enrolled: int
    paid: int
    not_enrolled: int
    enrolled_not_paid: int
    enrollment_rate: float | None
    payment_rate: float | None


class ReconciliationOut(BaseModel):
    scheme: Scheme
    year: int
    division: str
    rule: str
    total: Coverage
    groups: list[Coverage]


class GapRow(BaseModel):
    township_code: str
    village_code: str
    household_id: str
    person_id: str
    name: str
    id_number: str
    birth_date: date
    poverty_status: PovertyStatus
    tier: int | None = None


class GapPage(BaseModel):
    scheme: Scheme
    year: int
    kind: GapKind
    total: int
    offset: int
    limit: int
    items: list[GapRow]
