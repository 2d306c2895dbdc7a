"""Proposing, deciding and reading counties' parameter sets, and the policy they make: the
shipped parameter files with every published set laid over them, as in force now or as known
on a past day (what the system believed then, to explain a decision made before a correction)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.policy.loader import PolicySet, PublishedFigure
from shared.policy.publication.figures import check_item, field_error, figures
from shared.policy.publication.tables import PolicyPublication

PROPOSED, PUBLISHED, REJECTED = "proposed", "published", "rejected"


def propose(
    session: Session,
    principal: Principal,
    county: str,
    reason: str,
    items: list[dict[str, Any]],
    policy: PolicySet,
    prefixes: tuple[str, ...],
) -> PolicyPublication:
    principal.guard(county)
    errors = [e for i, item in enumerate(items) for e in check_item(i, item, policy, prefixes)]
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        key = (str(item.get("path")), str(item.get("effective_from")))
        if key in seen:
            errors.append(
                field_error(f"items[{i}]", f"the same parameter and date as items[{seen[key]}]")
            )
        seen.setdefault(key, i)
    if errors:
        raise InvalidInput("the parameter set cannot be published as it stands", errors=errors)
    row = PolicyPublication(
        county_code=county,
        status=PROPOSED,
        reason=reason,
        items=items,
        proposed_by=principal.subject,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, principal: Principal, publication_id: int) -> PolicyPublication:
    row = session.get(PolicyPublication, publication_id)
    if row is None or not principal.covers(row.county_code):
        raise NotFound("no such parameter set in your jurisdiction")
    return row


def listing(
    session: Session, principal: Principal, county: str | None, status: str | None
) -> Sequence[PolicyPublication]:
    stmt = select(PolicyPublication)
    if principal.scope:
        stmt = stmt.where(col(PolicyPublication.county_code).startswith(principal.scope[:6]))
    if county:
        stmt = stmt.where(PolicyPublication.county_code == county)
    if status:
        stmt = stmt.where(PolicyPublication.status == status)
    return session.exec(stmt.order_by(col(PolicyPublication.id))).all()


def decide(
    session: Session, principal: Principal, row: PolicyPublication, approve: bool, note: str
) -> PolicyPublication:
    """Four eyes: a second officer publishes or rejects; a published set never changes again."""
    if row.status != PROPOSED:
        raise Conflict(f"parameter set {row.id} is {row.status}; it is decided once")
    if principal.subject == row.proposed_by:
        raise Forbidden("the officer who proposed a parameter set may not approve or reject it")
    if not approve and not note.strip():
        raise InvalidInput(
            "a rejection needs its reason",
            errors=[field_error("note", "say why the set is rejected")],
        )
    moved = session.execute(
        update(PolicyPublication)
        .where(col(PolicyPublication.id) == row.id, col(PolicyPublication.status) == PROPOSED)
        .values(
            status=PUBLISHED if approve else REJECTED,
            decided_by=principal.subject,
            decided_at=utcnow(),
            decision_note=note or None,
        )
    )
    if getattr(moved, "rowcount", 1) != 1:
        raise Conflict(f"parameter set {row.id} was decided by someone else meanwhile")
    session.flush()
    session.refresh(row)
    return row


def known_at(day: date) -> datetime:
    """The end of `day` as the services' clock counts days (the machine's, the county's), in
    UTC: what was published by then was known on that day."""
    return datetime.combine(day + timedelta(days=1), time()).astimezone(UTC)


def published_figures(session: Session, known: datetime | None = None) -> list[PublishedFigure]:
    """Every published figure in the order of publication (those published by `known`)."""
    stmt = select(PolicyPublication).where(PolicyPublication.status == PUBLISHED)
    if known is not None:
        stmt = stmt.where(col(PolicyPublication.decided_at) < known)
    stmt = stmt.order_by(col(PolicyPublication.decided_at), col(PolicyPublication.id))
    out: list[PublishedFigure] = []
    for row in session.exec(stmt):
        assert row.id is not None
        out.extend(figures(f"publication {row.id}", row.county_code, row.items))
    return out


class PolicySource:
    """The service's policy: the shipped files with the published sets laid over them, built
    again only when a set has been published since (the stamp is their number: a published set
    is never withdrawn), so a unit of work pays one indexed count."""

    def __init__(self, shipped: PolicySet) -> None:
        self.shipped = shipped
        self._lock = threading.Lock()
        self._stamp = -1
        self._current = shipped

    def current(self, session: Session) -> PolicySet:
        stamp = session.exec(
            select(func.count()).where(PolicyPublication.status == PUBLISHED)
        ).one()
        if stamp == self._stamp:
            return self._current
        overlay = self.shipped.overlaid(published_figures(session)) if stamp else self.shipped
        with self._lock:
            self._stamp, self._current = int(stamp), overlay
        return overlay

    def as_known_on(self, session: Session, day: date) -> PolicySet:
        return self.shipped.overlaid(published_figures(session, known_at(day)))
