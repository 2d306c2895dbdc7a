"""HTTP API over the registry read model: a person as the employment service knows them."""

from __future__ import annotations

from fastapi import APIRouter

from services.employment.census.routes import READERS as CENSUS_READERS
from services.employment.jobs.access import READERS
from services.employment.registry.schemas import PersonOut, RegistryFacts
from services.employment.registry.service import CENSUS, SECTIONS, TRAINING, person_records
from services.employment.training.routes import READERS as TRAINING_READERS
from shared.app import Uow
from shared.auth import Principal
from shared.errors import Forbidden
from shared.ids import ResidentIdNumber
from shared.roles import Role

router = APIRouter(prefix="/v1/persons", tags=["persons 建档立卡人口 as employment knows them"])


def withheld(principal: Principal) -> list[str]:
    """The sections the caller's role does not read on their own routes."""
    sections = {CENSUS: CENSUS_READERS, TRAINING: TRAINING_READERS}
    return [name for name, roles in sections.items() if not principal.has(*roles, Role.admin)]


@router.get(
    "/{id_number}",
    response_model=PersonOut,
    summary="A registered person and the employment service's records about them",
    description="The registry's facts and, per kind of record (census, placements, posts, "
    "training, workshops, businesses, 低保/特困 standing), the latest 50 in the caller's "
    "jurisdiction with their total; a person outside the jurisdiction is not found (404).",
)
def get_person(id_number: ResidentIdNumber, uow: Uow) -> PersonOut:
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read employment records")
    found = person_records(uow, id_number, withheld(uow.principal))
    sections = {name: getattr(found, name) for name in SECTIONS}
    facts = RegistryFacts.model_validate(found.person, from_attributes=True)
    return PersonOut.model_validate(
        {**facts.model_dump(), **sections, "withheld": found.withheld},
        from_attributes=True,
    )
