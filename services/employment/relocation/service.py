"""Relocated households (EMP-8): recording the list, and the worklist of relocated households
with no member in work on a day (一户一就业, ZA-GOV §三(四)3). In work = a placement running
(EMP-3), a public-welfare post held (EMP-4), a workshop roll (EMP-5) or a business running
(EMP-6) on that day.

Reading of the seeds
--------------------
- EMP-8: ZA-GOV §三(四)3 确保易地扶贫搬迁户实现一户一就业目标, by training, jobs brought to the
  resettlement sites (安置点) and posts; §三(四)5 keeps a ledger of relocated households
  (易地扶贫搬迁户信息台账, 一户一档). A household is "with work" when at least one member, of any
  age, is in work on the day by any of the four ways the service records; self-employment in
  farming is not recorded here and so does not count. ZA-GOV §三(三)3's 1,500 yuan per relocated
  person is temporary relief, paid by civil affairs (WEL-6), not here.
- Which households are relocated is not in the registry roster (REG-1 has no such column), so the
  ledger is entered here (POST or CSV/XLSX import) and kept as its own table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from services.employment.business.repository import running_business
from services.employment.jobs.repository import in_work_on
from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.posts.repository import on_post
from services.employment.registry.models import RegistryPerson
from services.employment.registry.repository import RegistryPeople
from services.employment.relocation.models import RelocatedHousehold
from services.employment.relocation.repository import RelocatedHouseholds
from services.employment.workshops.repository import in_workshop
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import FieldError, InvalidInput
from shared.uow import UnitOfWork


def upsert(uow: UnitOfWork, items: Sequence[dict[str, Any]], *, where: str) -> tuple[int, int]:
    """Add or update relocated households; every household must be in the registry and in the
    caller's scope, or nothing is written (422 listing every bad row)."""
    people = RegistryPeople(uow.session, uow.principal)
    errors: list[FieldError] = []
    found: list[tuple[dict[str, Any], RegistryPerson]] = []
    for i, item in enumerate(items):
        member = people.first_of_household(item["household_id"])
        if member is None or not people.visible(member):
            errors.append(
                FieldError(
                    field=f"{where}[{i}].household_id" if where else "household_id",
                    reason="no registered household with this id in your jurisdiction",
                    value=item["household_id"],
                    row=item.get("row", i + 1),
                )
            )
            continue
        found.append((item, member))
    if errors:
        raise InvalidInput(f"{len(errors)} household(s) could not be taken", errors=errors)
    households = RelocatedHouseholds(uow.session, None)
    created = updated = 0
    for item, member in found:
        row = households.find(item["household_id"])
        if row is None:
            row = RelocatedHousehold(
                household_id=item["household_id"],
                county_code=member.county_code,
                township_code=member.township_code,
                village_code=member.village_code,
                site=item.get("site") or "",
                relocated_on=item.get("relocated_on"),
                created_by=uow.actor,
            )
            if households.add_new(row):
                created += 1
                continue
            # Added at the same moment by another request: this one updates it.
            row = households.find(item["household_id"])
            assert row is not None
        updated += 1
        row.county_code, row.township_code, row.village_code = (
            member.county_code,
            member.township_code,
            member.village_code,
        )
        row.site = item.get("site") or row.site
        row.relocated_on = item.get("relocated_on") or row.relocated_on
        row.updated_at = utcnow()
        households.add(row, flush=True)
    return created, updated


@dataclass(frozen=True)
class HouseholdWithoutWork:
    household_id: str
    township_code: str
    village_code: str
    site: str
    members: int
    registered_poor: int  # members registered poor (未脱贫 or 已脱贫), alive on the day


def households_without_work(
    session: Session,
    county: str,
    on: date,
    *,
    principal: Principal | None = None,
    township: str | None = None,
) -> list[HouseholdWithoutWork]:
    """EMP-8, EMP-9: relocated households of `county` (in `principal`'s jurisdiction) none of
    whose members is in work on `on`."""
    households = RelocatedHouseholds(session, principal).of_county(county, township)
    if not households:
        return []
    ids = [h.household_id for h in households]
    members = RegistryPeople(session, None).members_of(ids)
    alive = [m for m in members if m.deceased_on is None or m.deceased_on > on]
    person_ids = [m.person_id for m in alive]
    working = (
        in_work_on(session, on, person_ids)
        | on_post(session, on, person_ids)
        | in_workshop(session, on, person_ids)
        | running_business(session, on, person_ids)
    )
    by_household: dict[str, list[RegistryPerson]] = {}
    for m in alive:
        by_household.setdefault(m.household_id, []).append(m)
    out = []
    for h in households:
        people = by_household.get(h.household_id, [])
        if any(p.person_id in working for p in people):
            continue
        out.append(
            HouseholdWithoutWork(
                household_id=h.household_id,
                township_code=h.township_code,
                village_code=h.village_code,
                site=h.site,
                members=len(people),
                registered_poor=sum(p.poverty_status in REGISTERED_POOR for p in people),
            )
        )
    return out


def worklist(
    uow: UnitOfWork, county: str, on: date, township: str | None
) -> list[HouseholdWithoutWork]:
    """EMP-8: the relocated households in the caller's jurisdiction with nobody in work."""
    return households_without_work(
        uow.session, county, on, principal=uow.principal, township=township
    )


def without_work_by_township(session: Session, county: str, on: date) -> dict[str, int]:
    """EMP-8, EMP-9: township code → relocated households with nobody in work on `on`."""
    out: dict[str, int] = {}
    for h in households_without_work(session, county, on):
        out[h.township_code] = out.get(h.township_code, 0) + 1
    return out
