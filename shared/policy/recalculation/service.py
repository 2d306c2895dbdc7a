"""Recalculating decisions already made when a county publishes figures that take effect before
the day they are published (the dibao standard for a year decided in March and applied from
January; a rural income figure for the medical annual cap arriving mid-year).

A service registers its recalculators (`publication_router(..., recalculate=...)`); when a set
is published whose first figure takes effect by today, each is run in the same unit of work,
under the policy with the new set laid over it. A recalculator recomputes every decision of the
county on or after that date, compares what is due with what was paid and records the
difference (`record`): once per decision and publication, so a second run changes nothing.
Back-pay stays `open` until paid; an overpayment until recovered or written off by a county
decision, never a negative payment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.db import serialize
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.recalculated import Recalculated
from shared.money import ZERO
from shared.policy.loader import PolicySet
from shared.policy.publication.figures import field_error
from shared.policy.publication.service import PUBLISHED, published_figures
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.trace import illustrative_of
from shared.uow import UnitOfWork

BACK_PAY, CLAW_BACK = "back_pay", "claw_back"
OPEN, PAID, RECOVERED, WRITTEN_OFF = "open", "paid", "recovered", "written_off"
# What settles each kind: back-pay is paid; an overpayment is recovered or written off.
OUTCOMES = {BACK_PAY: frozenset({PAID}), CLAW_BACK: frozenset({RECOVERED, WRITTEN_OFF})}

Recalculator = Callable[[UnitOfWork, PolicyPublication, date], list[PolicyAdjustment]]


@dataclass
class Recalculation:
    """What one run recorded (a second run of the same publication records nothing)."""

    publication_id: int
    effective_from: date | None
    adjustments: list[PolicyAdjustment] = field(default_factory=list)

    @property
    def back_pay(self) -> Decimal:
        return sum((a.difference for a in self.adjustments if a.kind == BACK_PAY), ZERO)

    @property
    def claw_back(self) -> Decimal:
        return -sum((a.difference for a in self.adjustments if a.kind == CLAW_BACK), ZERO)

    def by_scheme(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.adjustments:
            out[a.scheme] = out.get(a.scheme, 0) + 1
        return out


def first_effective(publication: PolicyPublication) -> date:
    return min(date.fromisoformat(str(i["effective_from"])) for i in publication.items)


def run(
    uow: UnitOfWork, publication: PolicyPublication, recalculators: Sequence[Recalculator]
) -> Recalculation:
    """Every recalculator for a published set whose first figure takes effect by today; nothing
    for a set that takes effect later (decisions made from then on use it)."""
    assert publication.id is not None
    if publication.status != PUBLISHED:
        raise Conflict(f"parameter set {publication.id} is {publication.status}, not published")
    since = first_effective(publication)
    out = Recalculation(publication.id, since)
    if since > uow.today() or not recalculators:
        return out
    # One run of a publication at a time: a second waits here and then finds the first's
    # entries (the write lock on SQLite, an advisory lock on PostgreSQL).
    # And one county's runs one after the other: two sets published at once must not each
    # reckon without the other (both would count the same change).
    serialize(uow.session, f"policy-recalculation:{publication.county_code}")
    # The policy in force now, this set included (published in this unit of work, not cached:
    # were the transaction to roll back, no other request may have seen it).
    uow.policy = uow.policy.shipped.overlaid(published_figures(uow.session))
    batch = _Batch.of(uow.session, publication.id)
    try:
        for recalculate in recalculators:
            out.adjustments.extend(recalculate(uow, publication, since))
        # Written together (a county's pension roll is tens of thousands of entries), then
        # each entry's event, in the same transaction.
        uow.session.flush()
        uow.publish_many(
            (event(**event_fields(row)), key or row.household_id or row.subject, subject)
            for row, event, key, subject in batch.events
        )
    finally:
        uow.session.info.pop(_BATCH, None)
    return out


_BATCH = "policy_recalculation_batch"


@dataclass
class _Batch:
    """A run's entries: the decisions this publication's runs recorded (read once), and the
    events of the entries added since, published once they are written."""

    publication_id: int
    recorded: set[tuple[str, str]]
    events: list[tuple[PolicyAdjustment, type[Recalculated], str | None, str]] = field(
        default_factory=list
    )

    @classmethod
    def of(cls, session: Session, publication_id: int) -> _Batch:
        batch = session.info.get(_BATCH)
        if batch is None or batch.publication_id != publication_id:
            rows = session.exec(
                select(PolicyAdjustment.scheme, PolicyAdjustment.subject).where(
                    PolicyAdjustment.publication_id == publication_id
                )
            ).all()
            batch = cls(publication_id, {(scheme, subject) for scheme, subject in rows})
            session.info[_BATCH] = batch
        return batch


def policy_without(uow: UnitOfWork, publication: PolicyPublication) -> PolicySet:
    """The policy as it would be without `publication` (every other set published laid over the
    shipped files): what a decision was due before it, computed on the same facts."""
    source = f"publication {publication.id}"
    return uow.policy.shipped.overlaid(
        [f for f in published_figures(uow.session) if f.source != source]
    )


def changed(old_trace: dict[str, Any], new_trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters whose value or source differs between two traces, with both versions."""
    old = {p["path"]: p for p in old_trace.get("parameters", [])}
    out = []
    for p in new_trace.get("parameters", []):
        before = old.get(p["path"])
        if before is None or (before["value"], before.get("source")) != (
            p["value"],
            p.get("source"),
        ):
            out.append(
                {
                    "path": p["path"],
                    "paid_on": None if before is None else _version(before),
                    "due_on": _version(p),
                }
            )
    return out


def _version(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": p["value"],
        "source": p.get("source", "shipped"),
        "effective_from": p["effective_from"],
    }


def adjusted_so_far(session: Session, scheme: str, subject: str) -> Decimal:
    """What earlier recalculations of a decision added (or took back): paid = original + this.
    An overpayment written off was kept by the person: it is not taken back."""
    total = session.exec(
        select(func.coalesce(func.sum(PolicyAdjustment.difference), 0)).where(
            PolicyAdjustment.scheme == scheme,
            PolicyAdjustment.subject == subject,
            PolicyAdjustment.status != WRITTEN_OFF,
        )
    ).one()
    return Decimal(total)


@dataclass(frozen=True)
class Decided:
    """A decision as recomputed: who and what it is about, what it paid and what is now due,
    with the trace it was made on and the one it is now due on."""

    scheme: str
    subject: str
    county_code: str
    period: date
    paid: Decimal
    due: Decimal
    old_trace: dict[str, Any]
    new_trace: dict[str, Any]
    person_id: str | None = None
    household_id: str | None = None
    township_code: str | None = None


def record(
    uow: UnitOfWork, publication: PolicyPublication, decided: Decided
) -> PolicyAdjustment | None:
    """The adjustment of a decision whose due amount differs from what it paid (written with
    the run's other entries, its id set then); None when nothing differs or this publication's
    run recorded it already."""
    assert publication.id is not None
    difference = decided.due - decided.paid
    if difference == 0:
        return None
    batch = _Batch.of(uow.session, publication.id)
    if (decided.scheme, decided.subject) in batch.recorded:
        return None
    batch.recorded.add((decided.scheme, decided.subject))
    row = PolicyAdjustment(
        publication_id=publication.id,
        county_code=decided.county_code,
        township_code=decided.township_code,
        scheme=decided.scheme,
        subject=decided.subject,
        person_id=decided.person_id,
        household_id=decided.household_id,
        period=decided.period,
        paid_amount=decided.paid,
        due_amount=decided.due,
        difference=difference,
        kind=BACK_PAY if difference > 0 else CLAW_BACK,
        parameters=changed(decided.old_trace, decided.new_trace),
        old_trace=decided.old_trace,
        new_trace=decided.new_trace,
        created_by=uow.actor,
    )
    uow.session.add(row)
    return row


def trace_sources(trace: dict[str, Any]) -> list[str]:
    """The parameter versions a computation used (e.g. `publication 7`, `shipped`)."""
    return sorted({str(p.get("source", "shipped")) for p in trace.get("parameters", [])})


def sources(row: PolicyAdjustment) -> list[str]:
    """The parameter versions the decision is now due on."""
    return trace_sources(row.new_trace)


def published(session: Session, principal: Principal, publication_id: int) -> PolicyPublication:
    row = session.get(PolicyPublication, publication_id)
    if row is None or not principal.covers(row.county_code):
        raise NotFound("no such parameter set in your jurisdiction")
    return row


def listing(
    session: Session,
    principal: Principal,
    *,
    county: str | None,
    publication_id: int | None,
    scheme: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[int, Sequence[PolicyAdjustment]]:
    stmt = select(PolicyAdjustment)
    if principal.scope:
        stmt = stmt.where(col(PolicyAdjustment.county_code) == principal.scope[:6])
    for column, value in (
        (PolicyAdjustment.county_code, county),
        (PolicyAdjustment.publication_id, publication_id),
        (PolicyAdjustment.scheme, scheme),
        (PolicyAdjustment.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(PolicyAdjustment.id)).offset(offset).limit(limit)).all()
    return int(total), rows


def get(session: Session, principal: Principal, adjustment_id: int) -> PolicyAdjustment:
    row = session.get(PolicyAdjustment, adjustment_id)
    # County-wide, as the listing: the bureau's ledger is the county's.
    if row is None or (principal.scope and row.county_code != principal.scope[:6]):
        raise NotFound("no such adjustment in your jurisdiction")
    return row


def settle(
    session: Session, principal: Principal, row: PolicyAdjustment, outcome: str, note: str
) -> PolicyAdjustment:
    """Back-pay paid; an overpayment recovered, or written off by a county decision (its reason
    required). Once."""
    if row.status != OPEN:
        raise Conflict(f"adjustment {row.id} is {row.status}; it is settled once")
    if outcome not in OUTCOMES[row.kind]:
        allowed = " or ".join(sorted(OUTCOMES[row.kind]))
        raise InvalidInput(
            f"a {row.kind} adjustment is settled as {allowed}",
            errors=[field_error("outcome", f"one of: {allowed}", outcome)],
        )
    if outcome == WRITTEN_OFF and not note.strip():
        raise InvalidInput(
            "a write-off needs the county's decision",
            errors=[field_error("note", "the decision and its reason (核销依据)")],
        )
    moved = session.execute(
        update(PolicyAdjustment)
        .where(col(PolicyAdjustment.id) == row.id, col(PolicyAdjustment.status) == OPEN)
        .values(
            status=outcome,
            settled_by=principal.subject,
            settled_at=utcnow(),
            settlement_note=note[:500] or None,
        )
    )
    if getattr(moved, "rowcount", 1) != 1:
        raise Conflict(f"adjustment {row.id} was settled by someone else meanwhile")
    session.flush()
    session.refresh(row)
    return row


def event_fields(row: PolicyAdjustment) -> dict[str, Any]:
    """The fields of the service's `…recalculated` event (shared.events.recalculated)."""
    assert row.id is not None
    return {
        "adjustment_id": row.id,
        "publication_id": row.publication_id,
        "scheme": row.scheme,
        "subject": row.subject,
        "person_id": row.person_id,
        "household_id": row.household_id,
        "county_code": row.county_code,
        "period": row.period,
        "paid_amount": row.paid_amount,
        "due_amount": row.due_amount,
        "difference": row.difference,
        "kind": row.kind,
        "sources": sources(row),
        "illustrative_parameters": illustrative_of(row.new_trace),
    }


def record_and_publish(
    uow: UnitOfWork,
    publication: PolicyPublication,
    decided: Decided,
    event: type[Recalculated],
    key: str | None = None,
    subject: str | None = None,
) -> PolicyAdjustment | None:
    """`record`, and the service's `…recalculated` event of the entry, published when the run's
    entries are written, keyed by `key` (else the household, else the decision), about
    `subject` (else `scheme/subject`)."""
    row = record(uow, publication, decided)
    if row is not None:
        subject = subject or f"{row.scheme}/{row.subject}"
        _Batch.of(uow.session, publication.id or 0).events.append((row, event, key, subject))
    return row
