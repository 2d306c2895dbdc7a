"""HTTP API over the registry read model."""

from __future__ import annotations

from fastapi import APIRouter

from services.medical.registry.schemas import PersonOut
from services.medical.registry.service import get_person as person_of
from shared.app import Uow
from shared.errors import Forbidden
from shared.ids import ResidentIdNumber
from shared.roles import Role

router = APIRouter(prefix="/v1/persons", tags=["persons"])

READERS = (
    Role.county_medical,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)


@router.get(
    "/{id_number}",
    response_model=PersonOut,
    summary="A registered person as the medical service knows them (from registry events)",
)
def get_person(id_number: ResidentIdNumber, uow: Uow) -> PersonOut:
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read registry records")
    return PersonOut.model_validate(person_of(uow, id_number), from_attributes=True)
