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

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session

from services.welfare.tekun.models import CareHome, CarePlacement, TekunCase
from services.welfare.tekun.rules import occupancy
from services.welfare.tekun.service import TekunStatus
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.policy import PolicySet
from shared.policy.loader import ParameterNotFound
from shared.trace import Params, Trace


def get_home(
    session: Session, home_id: int, principal: Principal, *, lock: bool = False
) -> CareHome:
    if lock:
        session.execute(
            update(CareHome)
            .where(CareHome.id == home_id)  # type: ignore[arg-type]
            .values(updated_at=utcnow())
        )
    home = session.get(CareHome, home_id, populate_existing=True)
    if home is None:
        raise NotFound("no such care home")
    # The township's home: the villages inside the township see it too.
    if not principal.scope.startswith(home.township_code):
        principal.guard(home.township_code)
    return home


def present_on(on: date) -> Any:
    return and_(
        CarePlacement.moved_in <= on,  # type: ignore[operator]
        or_(CarePlacement.moved_out.is_(None), CarePlacement.moved_out > on),  # type: ignore[union-attr,operator]
    )


def occupied_on(session: Session, home_ids: list[int], on: date) -> dict[int, int]:
    rows = session.execute(
        select(CarePlacement.home_id, func.count())
        .where(CarePlacement.home_id.in_(home_ids), present_on(on))  # type: ignore[attr-defined]
        .group_by(CarePlacement.home_id)
    ).all()
    return {home_id: n for home_id, n in rows}


def place(
    session: Session, home: CareHome, case: TekunCase, moved_in: date, principal: Principal
) -> CarePlacement:
    """Move a certified 特困 person into a home: one home at a time, never over the beds."""
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
    mine = session.execute(
        select(CarePlacement).where(
            CarePlacement.person_id == case.person_id,
            or_(CarePlacement.moved_out.is_(None), CarePlacement.moved_out > moved_in),  # type: ignore[union-attr,operator]
        )
    ).scalar_one_or_none()
    if mine is not None:
        raise Conflict(
            f"the person lives in care home {mine.home_id} from {mine.moved_in.isoformat()}; "
            "move them out first"
        )
    placements = session.execute(
        select(CarePlacement.moved_in, CarePlacement.moved_out).where(
            CarePlacement.home_id == home.id,
            or_(CarePlacement.moved_out.is_(None), CarePlacement.moved_out > moved_in),  # type: ignore[union-attr,operator]
        )
    ).all()
    days = {moved_in, *(start for start, _ in placements if start > moved_in)}
    for day in sorted(days):
        there = sum(1 for s, e in placements if s <= day and (e is None or e > day))
        if there + 1 > home.beds:
            raise Conflict(
                f"care home {home.name} has {home.beds} beds, all taken on {day.isoformat()}"
            )
    row = CarePlacement(
        home_id=home.id,  # type: ignore[arg-type]
        case_id=case.id,  # type: ignore[arg-type]
        person_id=case.person_id,
        moved_in=moved_in,
        created_by=principal.subject,
    )
    session.add(row)
    case.support_mode = "centralised"
    case.updated_at = utcnow()
    session.add(case)
    session.flush()
    return row


def move_out(
    session: Session, placement: CarePlacement, case: TekunCase, on: date, reason: str
) -> CarePlacement:
    if placement.moved_out is not None:
        raise Conflict(f"moved out already on {placement.moved_out.isoformat()}")
    if on <= placement.moved_in:
        raise InvalidInput(
            "moving out on or before moving in",
            errors=[FieldError(field="moved_out", reason="must be after moved_in")],
        )
    placement.moved_out = on
    placement.out_reason = reason
    session.add(placement)
    case.support_mode = "dispersed"
    case.updated_at = utcnow()
    session.add(case)
    session.flush()
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


def measure(policy: PolicySet, county: str, occupied: int, beds: int, on: date) -> OccupancyFigure:
    """WEL-5 occupancy; before the first deadline there is no target (None)."""
    trace = Trace()
    if beds == 0:
        return OccupancyFigure(occupied, 0, Decimal("0.0000"), None, None, None, {})
    try:
        result = occupancy(occupied, beds, on, Params(policy, county, on), trace=trace)
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
