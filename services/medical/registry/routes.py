"""HTTP API over the registry read model."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from services.medical.models import RegistryPerson
from services.medical.registry.schemas import PersonOut
from shared.app import DbSession
from shared.auth import CurrentPrincipal, Role
from shared.errors import Forbidden, NotFound
from shared.ids import ResidentIdNumber

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
def get_person(id_number: ResidentIdNumber, session: DbSession, principal: CurrentPrincipal):  # type: ignore[no-untyped-def]
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read registry records")
    person = session.exec(
        select(RegistryPerson).where(RegistryPerson.id_number == id_number)
    ).first()
    if person is None:
        raise NotFound("no registered person with that ID number")
    principal.guard(person.village_code)
    return PersonOut.model_validate(person, from_attributes=True)
