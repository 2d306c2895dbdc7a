"""Who is a registered poor labourer (EMP-3), from the registry read model: registered poor
(未脱贫 or 已脱贫, REG-2) on the day, alive, of working age (rules/jobs.py `working_age`), and
not found by the labour census (services/employment/census) without ability or wish to work.

`registered_person` loads one person named in a request (422 naming the field if unknown or not
registered poor, 404 if out of the caller's jurisdiction); `labourers` lists them for a county."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, not_, or_
from sqlmodel import Session, col, select

from services.employment.census.models import LabourCensusPerson
from services.employment.jobs.rules import REGISTERED_POOR, working_age
from services.employment.registry.consumers import PROJECTION
from services.employment.registry.models import RegistryPerson
from shared.auth import Principal
from shared.errors import FieldError, InvalidInput
from shared.policy import PolicySet
from shared.trace import Params, Trace


def invalid(field: str, reason: str, value: object = None) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldError(field=field, reason=reason, value=value)])


def registered_person(
    session: Session,
    person_id: str,
    on: date,
    principal: Principal,
    *,
    field: str = "person_id",
    policy: PolicySet | None = None,
) -> RegistryPerson:
    """The registered poor person `person_id` on `on`; with `policy`, also of working age."""
    person = session.get(RegistryPerson, person_id)
    if person is None:
        raise invalid(field, "no registered person with this id", person_id)
    principal.guard(person.village_code)
    if person.deceased_on is not None and person.deceased_on <= on:
        raise invalid(field, f"the person died on {person.deceased_on.isoformat()}", person_id)
    status = PROJECTION.status_on(session, person_id, on) or person.poverty_status
    if status not in REGISTERED_POOR:
        raise invalid(
            field, f"not a registered poor person (建档立卡) on {on.isoformat()}", person_id
        )
    if policy is not None:
        age = working_age(on, Params(policy, person.county_code, on))
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
    census = LabourCensusPerson
    not_a_job_seeker = exists().where(
        census.person_id == RegistryPerson.person_id,
        or_(
            census.work_ability == "none",
            not_(census.wishes_to_work),
            and_(col(census.closed_on).is_not(None), col(census.closed_on) <= on),
        ),
    )
    age = working_age(on, Params(policy, county, on), trace=trace)
    stmt = select(RegistryPerson).where(
        RegistryPerson.county_code == county,
        col(RegistryPerson.poverty_status).in_(REGISTERED_POOR),
        RegistryPerson.birth_date > age.born_after,
        RegistryPerson.birth_date <= age.born_on_or_before,
        or_(col(RegistryPerson.deceased_on).is_(None), col(RegistryPerson.deceased_on) > on),
        not_(not_a_job_seeker),
    )
    if scope:
        stmt = stmt.where(col(RegistryPerson.village_code).startswith(scope))
    if township:
        stmt = stmt.where(RegistryPerson.township_code == township)
    return list(session.exec(stmt.order_by(RegistryPerson.township_code, RegistryPerson.person_id)))
