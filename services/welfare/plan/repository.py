"""Every query of the welfare targets (PLAN-1, PLAN-2), in the caller's jurisdiction: a 特困 case
lies in its person's village, so a township officer counts their own township's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import col, select

from services.welfare.tekun.models import CareHome, CarePlacement, TekunAssessment, TekunCase
from services.welfare.tekun.procedure import TEKUN_WORKFLOW
from services.welfare.tekun.repository import CareHomes, present_on, supported_on
from services.welfare.workflow import WorkflowStep
from shared.clock import CHINA
from shared.repository import ScopedRepository


def end_of(day: date) -> datetime:
    """The first instant after `day` in China (steps are stamped in UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA)


class PlanCases(ScopedRepository[TekunCase]):
    """特困 cases, placed by their person's village."""

    model = TekunCase

    def statuses_on(self, county: str, on: date) -> dict[int, tuple[str, str, bool]]:
        """case id → (township, status on `on`, certified on or before `on`), for the cases of
        the county in the jurisdiction with a workflow step by the end of `on`."""
        cases = dict(
            self.session.exec(
                self.scoped(
                    select(col(TekunCase.id), col(TekunCase.township_code)).where(
                        col(TekunCase.county_code) == county
                    )
                )
            ).all()
        )
        steps = self.session.exec(
            select(col(WorkflowStep.entity_id), col(WorkflowStep.to_status))
            .where(
                col(WorkflowStep.entity) == TEKUN_WORKFLOW.entity,
                col(WorkflowStep.at) < end_of(on),
            )
            .order_by(col(WorkflowStep.at), col(WorkflowStep.id))
        ).all()
        out: dict[int, tuple[str, str, bool]] = {}
        for entity_id, status in steps:
            case_id = int(entity_id)
            township = cases.get(case_id)
            if township is None:
                continue
            certified = out.get(case_id, ("", "", False))[2] or status == "certified"
            out[case_id] = (township, status, certified)
        return out

    def assessed_by(self, case_ids: list[int], on: date) -> set[int]:
        """The cases with a self-care assessment made on or before `on`."""
        if not case_ids:
            return set()
        rows = self.session.exec(
            select(col(TekunAssessment.case_id)).where(
                col(TekunAssessment.case_id).in_(case_ids), col(TekunAssessment.assessed_on) <= on
            )
        ).all()
        return set(rows)

    def amounts_supported(self, county: str, on: date) -> list[tuple[str, Decimal | None]]:
        """(township, monthly amount) of every 特困 person supported on `on`."""
        rows = self.session.exec(
            self.scoped(
                select(col(TekunCase.township_code), col(TekunCase.monthly_amount)).where(
                    supported_on(county, on)
                )
            )
        ).all()
        return [(township, amount) for township, amount in rows]

    def supported(self, county: str, on: date) -> list[tuple[str, bool]]:
        """(township, lives in a care home) of every 特困 person supported on `on`."""
        placed = select(col(CarePlacement.case_id)).where(present_on(on))
        rows = self.session.exec(
            self.scoped(
                select(col(TekunCase.township_code), col(TekunCase.id).in_(placed)).where(
                    supported_on(county, on)
                )
            )
        ).all()
        return [(township, bool(home)) for township, home in rows]


class PlanHomes(CareHomes):
    """Care homes and their beds, by township (for the beds reading of occupancy)."""

    def beds_and_occupied(self, county: str, on: date) -> dict[str, tuple[int, int]]:
        homes = [h for h in self.of_county(county) if h.id is not None]
        occupied = self.occupied_on([h.id for h in homes if h.id is not None], on)
        out: dict[str, tuple[int, int]] = {}
        for h in homes:
            assert h.id is not None
            beds, taken = out.get(h.township_code, (0, 0))
            out[h.township_code] = (beds + h.beds, taken + occupied.get(h.id, 0))
        return out


__all__ = ["CareHome", "PlanCases", "PlanHomes"]
