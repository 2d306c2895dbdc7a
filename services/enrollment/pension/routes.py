"""HTTP API of the resident pension for the registered poor (ENR-P1, P3..P9): every amount is
returned with its trace and the figures of it that are illustrative for the county."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.enrollment.pension import service
from services.enrollment.pension.schemas import (
    BenefitIn,
    BenefitResult,
    EarlySubsidyResult,
    FuneralGrantOut,
    LedgerPage,
    SubsidyResult,
    TransferIn,
    TransferResult,
)
from shared.app import Uow
from shared.ids import ResidentIdNumber

router = APIRouter(prefix="/v1", tags=["pension"])
YearQuery = Annotated[int, Query(ge=2000, le=2100)]


@router.get(
    "/persons/{id_number}/pension/subsidy",
    response_model=SubsidyResult,
    summary="Contribution subsidy for a year (ENR-P1 eligibility, ENR-P3, ENR-P4, ENR-P5)",
)
def get_subsidy(
    id_number: ResidentIdNumber,
    year: YearQuery,
    uow: Uow,
    tier: Annotated[int | None, Query(ge=1, description="default: the tier on the roll")] = None,
) -> SubsidyResult:
    return service.subsidy(uow, id_number, year, tier)


@router.get(
    "/persons/{id_number}/pension/early-subsidy",
    response_model=EarlySubsidyResult,
    summary="The 55-60 subsidy of the certified severely disabled (ENR-P4)",
)
def get_early_subsidy(
    id_number: ResidentIdNumber, uow: Uow, on: date | None = None
) -> EarlySubsidyResult:
    return service.early_subsidy(uow, id_number, on)


@router.get(
    "/pension/ledger",
    response_model=LedgerPage,
    summary="Ledger of registered poor at or near 60 without a pension (ENR-P6), with the "
    "lump-sum back-payment",
)
def get_ledger(
    uow: Uow,
    division: Annotated[str, Query(pattern=r"^(\d{6}(\d{3}){0,2})?$")] = "",
    on: date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LedgerPage:
    return service.ledger(uow, division, on, offset, limit)


@router.post(
    "/pension/benefit",
    response_model=BenefitResult,
    summary="Monthly pension: basic + 2 yuan per year beyond 15 + account / 139 (ENR-P7)",
)
def post_benefit(body: BenefitIn, uow: Uow) -> BenefitResult:
    return service.benefit(uow, body)


@router.post(
    "/pension/transfer-in",
    response_model=TransferResult,
    summary="Transfer in from the employee pension with fewer than 15 years (ENR-P9)",
)
def post_transfer(body: TransferIn, uow: Uow) -> TransferResult:
    return service.transfer_in(uow, body)


@router.get(
    "/persons/{id_number}/pension/funeral-grant",
    response_model=FuneralGrantOut,
    summary="The funeral grant (丧葬补助金) paid on the person's death (ENR-P8)",
)
def get_funeral_grant(id_number: ResidentIdNumber, uow: Uow) -> FuneralGrantOut:
    return service.funeral_grant(uow, id_number)
