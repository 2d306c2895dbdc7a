"""Who is a registered poor labourer (EMP-3), from the registry read model: registered poor
(未脱贫 or 已脱贫, REG-2) on the day, alive, of working age (jobs/rules.py `working_age`), and
not found by the labour census (services/employment/census) without ability or wish to work.

`registered_person` loads one person named in a request (422 naming the field if unknown or not
registered poor, 404 if out of the caller's jurisdiction); `labourers` lists them for a county."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.employment.jobs.repository import job_seekers
from services.employment.jobs.rules import REGISTERED_POOR, working_age
from services.employment.registry.models import RegistryPerson
from services.employment.registry.repository import RegistryPeople
from shared.errors import FieldError, InvalidInput, NotFound
from shared.policy import PolicySet
from shared.trace import Params, Trace
from shared.uow import UnitOfWork


def invalid(field: str, reason: str, value: object = None) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason, value=value)])


def registered_person(
    uow: UnitOfWork,
    person_id: str,
    on: date,
    *,
    field: str = "person_id",
    of_working_age: bool = False,
) -> RegistryPerson:
    """The registered poor person `person_id` on `on` (422 if unknown, 404 outside the caller's
    jurisdiction); with `of_working_age`, also of working age then."""
    people = RegistryPeople(uow.session, uow.principal)
    person = RegistryPeople(uow.session, None).find(person_id)
    if person is None:
        raise invalid(field, "no registered person with this id", person_id)
    if not people.visible(person):
        raise NotFound(people.missing)
    if person.deceased_on is not None and person.deceased_on <= on:
        raise invalid(field, f"the person died on {person.deceased_on.isoformat()}", person_id)
    status = people.status_on(person_id, on) or person.poverty_status
    if status not in REGISTERED_POOR:
        raise invalid(
            field, f"not a registered poor person (建档立卡) on {on.isoformat()}", person_id
        )
    if of_working_age:
        age = working_age(on, uow.params(person.county_code, on))
        if not age.holds(person.birth_date):
            raise invalid(
                field,
                f"not of working age ({age.age_from} to {age.age_until}) on {on.isoformat()}",
                person_id,
            )
    return person


def labourers(
    session: Session,
    policy: PolicySet,
    county: str,
    on: date,
    *,
    scope: str = "",
    township: str | None = None,
    trace: Trace | None = None,
) -> list[RegistryPerson]:
    """EMP-3: registered poor people of working age and alive on `on` in `county` (current
    registry status), within the `scope` prefix and `township`, less those the labour census
    (EMP-1) found unable or unwilling to work (有劳动能力、有就业需求, CITY-HRSS §三(一)3)."""
    age = working_age(on, Params(policy, county, on), trace=trace)
    return job_seekers(session, county, on, age, scope=scope, township=township)
