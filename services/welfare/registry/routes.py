"""HTTP API over the registry read model: a person as the welfare service knows them."""

from __future__ import annotations

from fastapi import APIRouter

from services.welfare.dibao.procedure import READERS as DIBAO_READERS
from services.welfare.disability.routes import READERS as DISABILITY_READERS
from services.welfare.registry.schemas import PersonOut
from services.welfare.registry.service import (
    DIBAO,
    DISABILITY,
    RELIEF,
    SECTIONS,
    TEKUN,
    person_records,
)
from services.welfare.relief.procedure import READERS as RELIEF_READERS
from services.welfare.tekun.routes import READERS as TEKUN_READERS
from shared.app import Uow
from shared.auth import Principal
from shared.errors import Forbidden
from shared.ids import ResidentIdNumber
from shared.roles import Role

router = APIRouter(prefix="/v1/persons", tags=["persons 建档立卡人口 as civil affairs knows them"])

# Each section is shown to the roles that read its records on their own routes.
SECTION_READERS = {
    DIBAO: DIBAO_READERS,
    TEKUN: TEKUN_READERS,
    RELIEF: RELIEF_READERS,
    DISABILITY: DISABILITY_READERS,
}
READERS = tuple(sorted({r for roles in SECTION_READERS.values() for r in roles}))


def withheld(principal: Principal) -> list[str]:
    """The sections the caller's role does not read on their own routes."""
    return [s for s, roles in SECTION_READERS.items() if not principal.has(*roles, Role.admin)]


@router.get(
    "/{id_number}",
    response_model=PersonOut,
    summary="A person and the welfare service's records about them",
    description="Who the person is (the registry's facts, or the welfare record naming them "
    "when the registry does not know them) and, per kind of record (dibao applications and "
    "households, 特困 cases and care-home stays, temporary relief, the disability register and "
    "its subsidies, the registry's account, masked), the latest 50 in the caller's "
    "jurisdiction with their total; a person outside the jurisdiction is not found (404).",
)
def get_person(id_number: ResidentIdNumber, uow: Uow) -> PersonOut:
    if not uow.principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read welfare records")
    found = person_records(uow, id_number, withheld(uow.principal))
    sections = {name: getattr(found, name) for name in SECTIONS}
    return PersonOut.model_validate(
        {**found.facts, **sections, "withheld": found.withheld}, from_attributes=True
    )
