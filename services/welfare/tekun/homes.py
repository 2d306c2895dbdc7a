"""Care homes (敬老院) and placements (集中供养) of 特困 people, and the occupancy indicator
against the WEL-5 targets (ZA-GOV §三(三)6: 入住率 70% by the end of June, 85% by the end of
September, 100% by the end of December 2018; the dates are the rule's parameters).

Placing a person first locks the home's row, so two placements racing for the last bed give one
placement and one 409. A bed is counted from the moving-in day until the day before moving out.
A placement is checked against every later day on which the home's occupancy rises, so that a
back-dated placement cannot over-fill the home on some day after it either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.tekun.models import CareHome, CarePlacement
from services.welfare.tekun.procedure import TekunStatus
from services.welfare.tekun.repository import CareHomes, TekunCases
from services.welfare.tekun.rules import occupancy
from services.welfare.tekun.schemas import (
    CountyOccupancy,
    HomeIn,
    HomeOccupancy,
    HomeOut,
    OccupancyOut,
    PlacementOut,
)
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.policy.loader import ParameterNotFound
from shared.trace import Trace
from shared.uow import UnitOfWork


def _in_county(uow: UnitOfWork, county: str) -> None:
    principal = uow.principal
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise Forbidden(f"county {county} is outside your jurisdiction")


def home_out(uow: UnitOfWork, home: CareHome, on: date) -> HomeOut:
    """A home and the people living in it on `on`."""
    assert home.id is not None
    rows = CareHomes(uow.session, uow.principal).residents(home.id, on)
    return HomeOut(
        id=home.id,
        name=home.name,
        county_code=home.county_code,
        township_code=home.township_code,
        beds=home.beds,
        residents=[PlacementOut.model_validate(p, from_attributes=True) for p in rows],
    )


def add_home(uow: UnitOfWork, body: HomeIn) -> CareHome:
    """A new care home of a township of the caller's county."""
    if not body.township_code.startswith(body.county_code):
        raise InvalidInput(
            "the township is not in the county",
            errors=[FieldError(field="township_code", reason="not in county_code")],
        )
    _in_county(uow, body.county_code)
    home = CareHome(**body.model_dump(), created_by=uow.actor)
    return CareHomes(uow.session, uow.principal).add(home, flush=True)


def place(uow: UnitOfWork, home_id: int, case_id: int, moved_in: date) -> CarePlacement:
    """Move a certified 特困 person into a home: one home at a time, never over the beds."""
    homes = CareHomes(uow.session, uow.principal)
    home = homes.get_or_404(home_id, lock=True)
    case = TekunCases(uow.session, uow.principal).get_or_404(case_id, lock=True)
    assert home.id is not None and case.id is not None
    if case.status != TekunStatus.certified.value:
        raise Conflict(f"the case is {case.status}; only certified 特困 people are placed")
    if case.county_code != home.county_code:
        raise Conflict("the care home is in another county")
    assert case.effective_from is not None
    if moved_in < case.effective_from:
        raise InvalidInput(
            "moving in before support started",
            errors=[FieldError(field="moved_in", reason="before the case's effective date")],
        )
    mine = homes.placement_of(case.person_id, moved_in)
    if mine is not None:
        raise Conflict(
            f"the person lives in care home {mine.home_id} from {mine.moved_in.isoformat()}; "
            "move them out first"
        )
    placements = homes.stays_from(home.id, moved_in)
    days = {moved_in, *(start for start, _ in placements if start > moved_in)}
    for day in sorted(days):
        there = sum(1 for s, e in placements if s <= day and (e is None or e > day))
        if there + 1 > home.beds:
            raise Conflict(
                f"care home {home.name} has {home.beds} beds, all taken on {day.isoformat()}"
            )
    row = CarePlacement(
        home_id=home.id,
        case_id=case.id,
        person_id=case.person_id,
        moved_in=moved_in,
        created_by=uow.actor,
    )
    uow.session.add(row)
    case.support_mode = "centralised"
    case.updated_at = utcnow()
    uow.session.add(case)
    uow.session.flush()
    return row


def move_out(uow: UnitOfWork, placement_id: int, on: date, reason: str) -> CarePlacement:
    """Back to 分散供养: the placement ends on `on` (the first day out of the home)."""
    homes = CareHomes(uow.session, uow.principal)
    placement = homes.placement(placement_id)
    homes.get_or_404(placement.home_id, lock=True)
    case = TekunCases(uow.session, uow.principal).get_or_404(placement.case_id)
    if placement.moved_out is not None:
        raise Conflict(f"moved out already on {placement.moved_out.isoformat()}")
    if on <= placement.moved_in:
        raise InvalidInput(
            "moving out on or before moving in",
            errors=[FieldError(field="moved_out", reason="must be after moved_in")],
        )
    placement.moved_out = on
    placement.out_reason = reason
    uow.session.add(placement)
    case.support_mode = "dispersed"
    case.updated_at = utcnow()
    uow.session.add(case)
    uow.session.flush()
    return placement


@dataclass(frozen=True)
class OccupancyFigure:
    occupied: int
    beds: int
    rate: Decimal
    target: Decimal | None
    target_from: date | None
    met: bool | None
    trace: dict[str, Any]


def measure(uow: UnitOfWork, county: str, occupied: int, beds: int, on: date) -> OccupancyFigure:
    """WEL-5 occupancy; before the first deadline there is no target (None)."""
    trace = Trace()
    if beds == 0:
        return OccupancyFigure(occupied, 0, Decimal("0.0000"), None, None, None, {})
    try:
        result = occupancy(occupied, beds, on, uow.params(county, on), trace=trace)
    except ParameterNotFound:
        rate = (Decimal(occupied) / Decimal(beds)).quantize(Decimal("0.0001"))
        trace.step("WEL-5", "no occupancy target in force yet", on=on, occupied=occupied)
        return OccupancyFigure(
            occupied, beds, rate, None, None, None, trace.out().model_dump(mode="json")
        )
    return OccupancyFigure(
        occupied,
        beds,
        result.rate,
        result.target,
        result.target_from,
        result.met,
        trace.out().model_dump(mode="json"),
    )


def home_occupancy(uow: UnitOfWork, home_id: int, on: date) -> OccupancyOut:
    """WEL-5 入住率 of one home on `on`."""
    homes = CareHomes(uow.session, uow.principal)
    home = homes.get_or_404(home_id)
    assert home.id is not None
    occupied = homes.occupied_on([home.id], on).get(home.id, 0)
    fig = measure(uow, home.county_code, occupied, home.beds, on)
    return OccupancyOut(on=on, **fig.__dict__)


def county_occupancy(uow: UnitOfWork, county: str, on: date) -> CountyOccupancy:
    """WEL-5 入住率 of each home of the county in the jurisdiction, and of them together."""
    _in_county(uow, county)
    homes = CareHomes(uow.session, uow.principal)
    rows = homes.of_county(county)
    ids = [h.id for h in rows if h.id is not None]
    counts = homes.occupied_on(ids, on)
    out = []
    for h in rows:
        assert h.id is not None
        fig = measure(uow, county, counts.get(h.id, 0), h.beds, on)
        out.append(
            HomeOccupancy(
                home_id=h.id,
                name=h.name,
                township_code=h.township_code,
                on=on,
                **fig.__dict__,
            )
        )
    total = measure(uow, county, sum(counts.values()), sum(h.beds for h in rows), on)
    return CountyOccupancy(
        county_code=county, on=on, homes=out, total=OccupancyOut(on=on, **total.__dict__)
    )
