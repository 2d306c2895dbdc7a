"""Queries of the top-up campaign (MED-10): campaigns (county-wide records), their forms (placed
by the village they were sent to) and the steps taken on a form; and the stays a campaign
extracts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.medical.campaign.models import TopupCampaign, TopupForm, TopupFormStep
from services.medical.campaign.rules import FormStatus
from services.medical.registry.models import RegistryPerson
from services.medical.stays.models import HospitalStay, StayDecision
from services.medical.stays.repository import current_stays
from shared.repository import Page, ScopedRepository

FORMS: Table = TopupForm.metadata.tables["topup_form"]


class CampaignRepository(ScopedRepository[TopupCampaign]):
    """Campaigns: visible to the whole county's hierarchy (forms are filtered further)."""

    model = TopupCampaign
    division = "county_code"
    county_wide = True
    missing = "no such campaign in your jurisdiction"

    def candidates(
        self, county: str, start: date, end: date
    ) -> Sequence[tuple[HospitalStay, StayDecision, RegistryPerson]]:
        """Active stays of registered people in the county admitted in the period whose latest
        decision carries no top-up (topped up once, ever: live or by a campaign)."""
        return self.session.exec(
            current_stays()
            .where(
                col(HospitalStay.county_code) == county,
                col(HospitalStay.admission) >= start,
                col(HospitalStay.admission) <= end,
                col(StayDecision.topup) == 0,
            )
            .order_by(col(HospitalStay.claim_id))
        ).all()


class FormRepository(ScopedRepository[TopupForm]):
    """Forms, each in the jurisdiction of the village it was sent to."""

    model = TopupForm

    def of_campaign(
        self, campaign_id: int, township: str | None = None
    ) -> SelectOfScalar[TopupForm]:
        """The campaign's forms (of one township if named); `all`/`page` limit them to the
        caller's jurisdiction."""
        stmt = select(TopupForm).where(col(TopupForm.campaign_id) == campaign_id)
        if township:
            stmt = stmt.where(col(TopupForm.township_code) == township)
        return stmt

    def page_of(
        self,
        campaign_id: int,
        township: str | None,
        status: FormStatus | None,
        *,
        offset: int,
        limit: int,
    ) -> Page[TopupForm]:
        """One page of the campaign's forms in the jurisdiction, by township, village and id."""
        stmt = self.of_campaign(campaign_id, township)
        if status is not None:
            stmt = stmt.where(col(TopupForm.status) == status.value)
        ordered = stmt.order_by(
            col(TopupForm.township_code), col(TopupForm.village_code), col(TopupForm.id)
        )
        return self.page(ordered, limit=limit, offset=offset)

    def for_export(self, campaign_id: int, township: str | None) -> Sequence[TopupForm]:
        """The campaign's forms in the jurisdiction in the order of the 附件4 sheet."""
        return self.all(
            self.of_campaign(campaign_id, township).order_by(
                col(TopupForm.township_code),
                col(TopupForm.village_code),
                col(TopupForm.household_id),
                col(TopupForm.admission),
                col(TopupForm.id),
            )
        )

    def by_township_and_status(self, campaign_id: int) -> Sequence[tuple[str, str, int, Any]]:
        """(township, status, forms, topup due) of the campaign's forms in the jurisdiction."""
        sub = self.scoped(self.of_campaign(campaign_id)).subquery()
        rows: Sequence[tuple[str, str, int, Any]] = self.session.exec(
            select(sub.c.township_code, sub.c.status, func.count(), func.sum(sub.c.topup_due))
            .group_by(sub.c.township_code, sub.c.status)
            .order_by(sub.c.township_code, sub.c.status)
        ).all()
        return rows

    def issue(self, values: dict[str, Any]) -> int | None:
        """Insert a form; None when the stay already has one. The unique claim id makes a second
        form for the stay a no-op, even under a race."""
        dialect = self.session.get_bind().dialect.name
        insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
        form_id: int | None = self.session.execute(
            insert_fn(FORMS)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["claim_id"])
            .returning(FORMS.c.id)
        ).scalar()
        return form_id

    def lock(self, form_id: int) -> None:
        """Write before reading: PostgreSQL holds the row, SQLite takes its write lock now rather
        than failing to upgrade a stale read snapshot when two steps race."""
        self.session.execute(
            update(TopupForm)
            .where(col(TopupForm.id) == form_id)
            .values(updated_at=TopupForm.updated_at)
        )

    def fresh(self, form_id: int) -> TopupForm | None:
        """The form as committed now (not as this session last saw it), wherever it lies."""
        form: TopupForm | None = self.session.get(TopupForm, form_id, populate_existing=True)
        return form

    def move(self, form_id: int, from_status: str, changes: dict[str, Any]) -> bool:
        """Change the form only if its status is still `from_status` (a conditional UPDATE: two
        people taking the same step at once give one step)."""
        moved = self.session.execute(
            update(TopupForm)
            .where(col(TopupForm.id) == form_id, col(TopupForm.status) == from_status)
            .values(**changes)
            .returning(col(TopupForm.id))
        ).first()
        return moved is not None

    def set_paid_version(self, form_id: int, version: int) -> None:
        self.session.execute(
            update(TopupForm).where(col(TopupForm.id) == form_id).values(paid_version=version)
        )

    def steps(self, form_id: int) -> Sequence[TopupFormStep]:
        return self.session.exec(
            select(TopupFormStep)
            .where(col(TopupFormStep.form_id) == form_id)
            .order_by(col(TopupFormStep.id))
        ).all()

    def add_step(self, step: TopupFormStep, *, flush: bool = False) -> None:
        self.session.add(step)
        if flush:
            self.session.flush()
