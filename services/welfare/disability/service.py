"""What disability support shows of a person (残疾人保障, WEL-4): their grades, the account they
are paid into and the subsidies of each month with its trace. The register is
services/welfare/disability/register.py, the monthly subsidies subsidies.py, the rehabilitation
cases cases.py."""

from __future__ import annotations

from services.welfare.disability.models import (
    DisabilitySubsidy,
    DisabledPerson,
)
from services.welfare.disability.repository import (
    Grades,
    Subsidies,
)
from services.welfare.disability.schemas import (
    AccountOut,
    GradeOut,
    PersonDetail,
    PersonOut,
    SubsidyOut,
)
from services.welfare.disability.subsidies import payees
from shared.ids import mask_account
from shared.trace import illustrative_of
from shared.uow import UnitOfWork

# --- reading the register and the ledger ---------------------------------------------------


def subsidy_out(row: DisabilitySubsidy) -> SubsidyOut:
    return SubsidyOut.model_validate(row, from_attributes=True)


def detail(uow: UnitOfWork, person: DisabledPerson) -> PersonDetail:
    assert person.id is not None
    grades = Grades(uow.session).history([person.id]).get(person.id, [])
    account = payees(uow, {person.id: person}).get(person.id)
    subsidies = [subsidy_out(r) for r in Subsidies(uow.session, None).of_person(person.id)]
    return PersonDetail(
        **PersonOut.model_validate(person, from_attributes=True).model_dump(),
        grades=[GradeOut.model_validate(g, from_attributes=True) for g in grades],
        account=None
        if account is None
        else AccountOut(
            payee_name=account.payee_name,
            bank_name=account.bank_name,
            bank_account=mask_account(account.bank_account),
            source=account.source,
            recorded_by=account.recorded_by,
        ),
        subsidies=subsidies,
        illustrative_parameters=illustrative_of(*(s.trace for s in subsidies)),
    )
