"""State machines of civil-affairs procedures (WEL-1 dibao applications, WEL-6 relief cases,
WEL-7 referrals, ...) and the audit record of every step taken.

A workflow is a table of legal transitions, each with the roles that may take it. Taking a step
checks the role (403 when the caller's role never takes that step), then the transition (409 with
the legal next steps when it is not one), then moves the row by a conditional UPDATE
(`WHERE status = <the status read>`), so that two officers taking the same step at once give one
step and one 409, on SQLite and PostgreSQL alike. Every step is appended to `workflow_step`:
who, in which role and jurisdiction, when, from what to what, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, Column, Index, update
from sqlmodel import Field, Session, SQLModel, col, select

from services.welfare.repository_base import moved
from shared.auth import Principal
from shared.bus.tables import utcnow
from shared.errors import Conflict, Forbidden
from shared.roles import Role

S = TypeVar("S", bound=StrEnum)


class WorkflowStep(SQLModel, table=True):
    """One step of one procedure, appended and never changed."""

    __tablename__ = "workflow_step"
    __table_args__ = (Index("ix_workflow_step_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=40)  # dibao_application, relief_case, referral, ...
    entity_id: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str = Field(max_length=40)
    actor: str = Field(max_length=120)
    actor_role: str = Field(max_length=40)
    actor_scope: str = Field(max_length=12)
    note: str = Field(default="", max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Workflow(Generic[S]):
    """Legal transitions of one procedure and who may take them."""

    entity: str
    transitions: Mapping[tuple[S, S], frozenset[Role]]
    labels_zh: Mapping[S, str]

    def next_statuses(self, current: S) -> list[S]:
        return [to for (frm, to) in self.transitions if frm == current]

    def check(self, current: S, to: S, principal: Principal) -> Role:
        """The role the step is taken as. Admin is not an officer: it takes no step."""
        takers = frozenset().union(*(r for (_, t), r in self.transitions.items() if t == to))
        if not takers:
            raise Conflict(f"{to.value} is not a step of a {self.entity}; it is reached otherwise")
        if not principal.roles & takers:
            raise Forbidden(
                f"step {to.value} is taken by the role(s) "
                + ", ".join(sorted(r.value for r in takers))
            )
        roles = self.transitions.get((current, to))
        if roles is None:
            legal = ", ".join(s.value for s in self.next_statuses(current)) or "none (ended)"
            raise Conflict(
                f"the {self.entity} is {current.value} ({self.labels_zh.get(current, '')}); "
                f"{to.value} cannot follow it; next steps: {legal}"
            )
        mine = principal.roles & roles
        if not mine:
            raise Forbidden(
                f"from {current.value}, step {to.value} is taken by "
                + ", ".join(sorted(r.value for r in roles))
            )
        return sorted(mine)[0]


def record_step(
    session: Session,
    workflow: Workflow[Any],
    entity_id: str,
    from_status: StrEnum | None,
    to_status: StrEnum,
    principal: Principal,
    role: Role | str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> WorkflowStep:
    step = WorkflowStep(
        entity=workflow.entity,
        entity_id=str(entity_id),
        from_status=None if from_status is None else from_status.value,
        to_status=to_status.value,
        actor=principal.subject,
        actor_role=str(role),
        actor_scope=principal.scope,
        note=note,
        data=data or {},
        at=at or utcnow(),
    )
    session.add(step)
    return step


def advance(
    session: Session,
    workflow: Workflow[S],
    model: type[SQLModel],
    row: Any,
    to: S,
    principal: Principal,
    *,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    status_enum: type[S],
) -> WorkflowStep:
    """Check and take one step on `row` (a `model` with `id` and `status` columns)."""
    current = status_enum(row.status)
    role = workflow.check(current, to, principal)
    now = utcnow()
    values = {"status": to.value, "updated_at": now, **(changes or {})}
    table: Any = model  # a table with `id` and `status` columns
    result = session.execute(
        update(model)
        .where(col(table.id) == row.id, col(table.status) == current.value)
        .values(**values)
    )
    if moved(result) != 1:
        raise Conflict(f"the {workflow.entity} was moved by someone else meanwhile; read it again")
    step = record_step(session, workflow, row.id, current, to, principal, role, note, data, now)
    session.flush()
    session.refresh(row)
    return step


def steps_of(session: Session, entity: str, entity_ids: Iterable[str]) -> list[WorkflowStep]:
    ids = [str(i) for i in entity_ids]
    return list(
        session.exec(
            select(WorkflowStep)
            .where(WorkflowStep.entity == entity, col(WorkflowStep.entity_id).in_(ids))
            .order_by(col(WorkflowStep.id))
        )
    )


class StepOut(SQLModel):
    """A step as the API shows it (the audit trail of a procedure)."""

    from_status: str | None
    to_status: str
    actor: str
    actor_role: str
    actor_scope: str
    note: str
    data: dict[str, Any]
    at: datetime
