"""Every query of extreme-poverty support (特困供养, WEL-5) and its care homes (敬老院).

A case lies in its person's village; a care home in its township, and the villages inside the
township see it too. Built with a principal, reads stay inside the caller's jurisdiction (404
outside it); consumers and the payment cycle build them unscoped (`principal=None`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from services.welfare.registry.models import RegistryPerson
from services.welfare.tekun.models import CareHome, CarePlacement, TekunAssessment, TekunCase
from services.welfare.tekun.procedure import SUPPORTED, TEKUN_WORKFLOW
from services.welfare.workflow import WorkflowStep, steps_of
from shared.bus.tables import utcnow
from shared.errors import NotFound
from shared.repository import Page, ScopedRepository, counted

TOWNSHIP_DIGITS = 9


class TekunCases(ScopedRepository[TekunCase]):
    """特困 cases, placed by their person's village."""

    model = TekunCase

    def get_or_404(self, key: Any, *, lock: bool = False) -> TekunCase:
        if lock:
            # Write first: PostgreSQL holds the row, SQLite takes its write lock now.
            self.session.execute(
                update(TekunCase)
                .where(col(TekunCase.id) == key)
                .values(updated_at=TekunCase.updated_at)
            )
        case = self.session.get(TekunCase, key, populate_existing=True)
        if case is None:
            raise NotFound("no such 特困 case")
        if not self.visible(case):
            raise NotFound(self.missing)
        return case

    def listed(self, *, county: str | None, status: str | None) -> Sequence[TekunCase]:
        """Cases in the jurisdiction, of a county and a status if given, by id."""
        stmt = self.select(county_code=county, status=status)
        return self.session.exec(stmt.order_by(col(TekunCase.id))).all()

    def newest_of(self, person_id: str, *, limit: int) -> Page[TekunCase]:
        """The person's cases in the jurisdiction, the latest first."""
        stmt = select(TekunCase, counted()).where(TekunCase.person_id == person_id)
        return self.newest(stmt, col(TekunCase.id).desc(), limit=limit)

    def placements_of(self, person_id: str, *, limit: int) -> Page[CarePlacement]:
        """The person's stays in care homes whose case lies in the jurisdiction, the latest
        first."""
        p = CarePlacement
        stmt = (
            select(p, counted())
            .join(TekunCase, col(TekunCase.id) == col(p.case_id))
            .where(p.person_id == person_id)
        )
        return self.newest(stmt, col(p.moved_in).desc(), col(p.id).desc(), limit=limit)

    def open_case_of(self, person_id: str) -> int | None:
        """The id of the person's open case (applied, reviewed or certified), wherever it lies:
        a person has one open case at most, whoever asks."""
        return self.session.exec(
            select(TekunCase.id).where(TekunCase.open_person_id == person_id)
        ).first()

    def assessments(self, case_id: int) -> Sequence[TekunAssessment]:
        return self.session.exec(
            select(TekunAssessment)
            .where(TekunAssessment.case_id == case_id)
            .order_by(col(TekunAssessment.id))
        ).all()

    def latest_assessment(self, case_id: int) -> TekunAssessment | None:
        return self.session.exec(
            select(TekunAssessment)
            .where(TekunAssessment.case_id == case_id)
            .order_by(col(TekunAssessment.assessed_on).desc(), col(TekunAssessment.id).desc())
            .limit(1)
        ).first()

    def steps(self, case_id: int) -> list[WorkflowStep]:
        return steps_of(self.session, TEKUN_WORKFLOW.entity, [str(case_id)])

    def placements(self, case_id: int) -> Sequence[CarePlacement]:
        return self.session.exec(
            select(CarePlacement)
            .where(CarePlacement.case_id == case_id)
            .order_by(col(CarePlacement.id))
        ).all()

    def end_placements(self, case_id: int, on: date, reason: str) -> None:
        """The case's placement in a care home (if any) ends on `on`."""
        self.session.execute(
            update(CarePlacement)
            .where(col(CarePlacement.case_id) == case_id, col(CarePlacement.moved_out).is_(None))
            .values(moved_out=on, out_reason=reason)
        )


def supported_on(county_code: str, on: date) -> ColumnElement[bool]:
    """WHERE clause: the case's support is in force on `on`."""
    return and_(
        col(TekunCase.county_code) == county_code,
        col(TekunCase.status).in_(SUPPORTED),
        col(TekunCase.effective_from) <= on,
        or_(col(TekunCase.ended_on).is_(None), col(TekunCase.ended_on) > on),
    )


def persons_on_tekun(session: Session, county_code: str, on: date) -> set[str]:
    """People whose 特困供养 is in force on `on` (the WEL-8 cross-check's tekun flag)."""
    return set(session.exec(select(TekunCase.person_id).where(supported_on(county_code, on))))


def _month_last(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def active_tekun(
    session: Session, county_code: str, month_first_day: date
) -> list[tuple[str, str, str, Decimal]]:
    """Who is paid 特困供养 for the month starting `month_first_day` (WEL-5), for the monthly
    payment cycle: (person_id, household_id, village_code, monthly_amount), by person id.

    A person is paid for a month when support is in force on any day of it (certified on or
    before its last day, not ended on or before its first). The amount is that of the latest
    priced assessment applying on the month's first day, or on the first day of support when
    support starts within the month. Household and village are the registry's current ones."""
    first = month_first_day.replace(day=1)
    last = _month_last(first)
    in_month = and_(
        col(TekunCase.county_code) == county_code,
        col(TekunCase.status).in_(SUPPORTED),
        col(TekunCase.effective_from) <= last,
        or_(col(TekunCase.ended_on).is_(None), col(TekunCase.ended_on) > first),
    )
    cases = session.execute(
        select_rows(
            col(TekunCase.id).label("case_id"),
            col(TekunCase.person_id).label("person_id"),
            col(TekunCase.effective_from).label("start"),
            col(RegistryPerson.household_id).label("household"),
            col(RegistryPerson.village_code).label("village"),
            col(TekunCase.household_id).label("case_household"),
            col(TekunCase.village_code).label("case_village"),
        )
        .select_from(TekunCase)
        .outerjoin(RegistryPerson, col(RegistryPerson.person_id) == col(TekunCase.person_id))
        .where(in_month)
    )
    priced = session.exec(
        select(
            col(TekunAssessment.case_id),
            col(TekunAssessment.applies_from),
            col(TekunAssessment.monthly_amount),
        )
        .where(
            col(TekunAssessment.case_id).in_(select(TekunCase.id).where(in_month)),
            col(TekunAssessment.monthly_amount).is_not(None),
        )
        .order_by(
            col(TekunAssessment.case_id),
            col(TekunAssessment.applies_from),
            col(TekunAssessment.id),
        )
    ).all()
    amounts: dict[int, list[tuple[date, Decimal]]] = {}
    for case_id, applies_from, amount in priced:
        # Priced assessments have both (the query keeps only those with an amount).
        assert applies_from is not None and amount is not None
        amounts.setdefault(case_id, []).append((applies_from, Decimal(amount)))
    out: list[tuple[str, str, str, Decimal]] = []
    for c in cases:
        history = amounts.get(c.case_id)
        if not history:
            continue
        ref = max(first, c.start)
        amount = _in_force(history, ref)
        out.append(
            (c.person_id, c.household or c.case_household, c.village or c.case_village, amount)
        )
    return sorted(out)


def _in_force(history: Sequence[tuple[date, Decimal]], on: date) -> Decimal:
    """The amount of the latest entry applying on `on` (the first one when none applies yet)."""
    chosen: Decimal | None = None
    for applies_from, amount in history:
        if applies_from <= on or chosen is None:
            chosen = amount
    assert chosen is not None
    return chosen


class CareHomes(ScopedRepository[CareHome]):
    """Care homes of townships: a township's home is seen from its villages too."""

    model = CareHome
    division = "township_code"

    def visible(self, row: CareHome) -> bool:
        scope = self.principal.scope if self.principal is not None else ""
        return row.township_code.startswith(scope[:TOWNSHIP_DIGITS])

    def jurisdiction(self) -> ColumnElement[bool] | None:
        if self.principal is None or not self.principal.scope:
            return None
        return col(CareHome.township_code).startswith(self.principal.scope[:TOWNSHIP_DIGITS])

    def get_or_404(self, key: Any, *, lock: bool = False) -> CareHome:
        if lock:
            self.session.execute(
                update(CareHome).where(col(CareHome.id) == key).values(updated_at=utcnow())
            )
        home = self.session.get(CareHome, key, populate_existing=True)
        if home is None:
            raise NotFound("no such care home")
        if not self.visible(home):
            raise NotFound(self.missing)
        return home

    def of_county(self, county: str) -> Sequence[CareHome]:
        """The county's homes in the jurisdiction, by township and id."""
        return self.session.exec(
            self.select()
            .where(CareHome.county_code == county)
            .order_by(col(CareHome.township_code), col(CareHome.id))
        ).all()

    def residents(self, home_id: int, on: date) -> Sequence[CarePlacement]:
        return self.session.exec(
            select(CarePlacement)
            .where(CarePlacement.home_id == home_id, present_on(on))
            .order_by(col(CarePlacement.id))
        ).all()

    def occupied_on(self, home_ids: list[int], on: date) -> dict[int, int]:
        rows = self.session.exec(
            select(col(CarePlacement.home_id), func.count())
            .where(col(CarePlacement.home_id).in_(home_ids), present_on(on))
            .group_by(col(CarePlacement.home_id))
        ).all()
        return {home_id: n for home_id, n in rows}

    def stays_from(self, home_id: int, day: date) -> list[tuple[date, date | None]]:
        """(moved_in, moved_out) of the home's placements still running on or after `day`."""
        rows = self.session.exec(
            select(col(CarePlacement.moved_in), col(CarePlacement.moved_out)).where(
                CarePlacement.home_id == home_id, running_after(day)
            )
        ).all()
        return [(start, end) for start, end in rows]

    def placement_of(self, person_id: str, day: date) -> CarePlacement | None:
        """The person's placement (in any home) still running on or after `day`."""
        return self.session.exec(
            select(CarePlacement).where(CarePlacement.person_id == person_id, running_after(day))
        ).one_or_none()

    def placement(self, placement_id: int) -> CarePlacement:
        row = self.session.get(CarePlacement, placement_id)
        if row is None:
            raise NotFound("no such placement")
        return row


def present_on(on: date) -> ColumnElement[bool]:
    """WHERE clause: the placement's person lives in the home on `on`."""
    return and_(
        col(CarePlacement.moved_in) <= on,
        or_(col(CarePlacement.moved_out).is_(None), col(CarePlacement.moved_out) > on),
    )


def running_after(day: date) -> ColumnElement[bool]:
    return or_(col(CarePlacement.moved_out).is_(None), col(CarePlacement.moved_out) > day)
