"""Units of work for tests that apply an event handler directly, without the consumer runner."""

from __future__ import annotations

from sqlmodel import Session

from shared.events.envelope import Envelope
from shared.policy import PolicySet
from shared.uow import Publisher, UnitOfWork


def event_uow(
    session: Session,
    envelope: Envelope,
    *,
    policy: PolicySet | None = None,
    service: str = "test",
    group: str = "test",
) -> UnitOfWork:
    """The unit of work the consumer runner would open for `envelope` in `session`."""
    return UnitOfWork.for_event(
        session,
        envelope,
        group=group,
        policy=policy if policy is not None else PolicySet({}),
        publisher=Publisher(service),
    )
