"""What the enrollment service does with events: civil affairs' decisions change medical
contribution subsidies (ENR-M3); a death stops the pension and pays the funeral grant (ENR-P8)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from services.enrollment.medical.service import compute_and_record
from services.enrollment.models import (
    FuneralGrant,
    Household,
    PensionRollEntry,
    Person,
    WelfareStatus,
)
from services.enrollment.pension.rules import DeathFacts, death_settlement
from shared.app import Runtime
from shared.bus.consumer import Subscription
from shared.bus.outbox import publish
from shared.bus.tables import utcnow
from shared.events.catalogue import EventData
from shared.events.enrollment import FuneralGrantPaid
from shared.events.registry import PersonDeceased
from shared.events.welfare import (
    DibaoChanged,
    DibaoEnded,
    DibaoGranted,
    TekunCertified,
    TekunEnded,
)
from shared.policy import PolicySet
from shared.trace import Params, Trace, illustrative_of
from shared.uow import UnitOfWork


class Handlers:
    """Bound to the service's policy and topic settings when the app starts."""

    def __init__(self, policy: PolicySet, publish_kwargs: dict[str, str]) -> None:
        self.policy = policy
        self.publish_kwargs = publish_kwargs

    def _status(self, session: Session, person_id: str, household_id: str) -> WelfareStatus:
        row = session.get(WelfareStatus, person_id)
        return row or WelfareStatus(person_id=person_id, household_id=household_id)

    def _recompute(self, session: Session, person_id: str, on: date) -> None:
        person = session.get(Person, person_id)
        if person is None:
            return  # not in the registry: nothing of ours to fund
        household = session.get(Household, person.household_id)
        assert household is not None
        compute_and_record(session, self.policy, person, household, on.year)

    def dibao(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, DibaoGranted | DibaoChanged | DibaoEnded)
        on = isinstance(data, DibaoGranted | DibaoChanged)
        for person_id in data.person_ids:
            status = self._status(session, person_id, data.household_id)
            status.dibao = on
            status.dibao_since = data.effective_from if on else None
            status.updated_at = utcnow()
            session.add(status)
            session.flush()
            self._recompute(session, person_id, data.effective_from)

    def tekun(self, uow: UnitOfWork, data: EventData) -> None:
        session = uow.session
        assert isinstance(data, TekunCertified | TekunEnded)
        on = isinstance(data, TekunCertified)
        status = self._status(session, data.person_id, data.household_id)
        status.tekun = on
        status.tekun_since = data.effective_from if on else None
        status.updated_at = utcnow()
        session.add(status)
        session.flush()
        self._recompute(session, data.person_id, data.effective_from)

    def deceased(self, uow: UnitOfWork, data: EventData) -> None:
        """ENR-P8: the funeral grant, once per person ever (the row's key is the person)."""

        session, envelope = uow.session, uow.envelope
        assert isinstance(data, PersonDeceased)
        if session.get(FuneralGrant, data.person_id) is not None:
            return
        roll = session.exec(
            select(PensionRollEntry).where(PensionRollEntry.id_number == data.id_number)
        ).all()
        trace = Trace()
        result = death_settlement(
            DeathFacts(
                date_of_death=data.deceased_on,
                # ENR-P8 covers contributors and pensioners: anyone on the pension roll.
                insured=bool(roll),
                draws_pension=any(r.drawing for r in roll),
            ),
            envelope.day(),  # the day the death was recorded, not the day of the replay
            Params(self.policy, data.county_code, data.deceased_on),
            trace=trace,
        )
        if result.funeral_grant <= 0:
            return
        amount = result.funeral_grant
        session.add(
            FuneralGrant(
                person_id=data.person_id,
                amount=amount,
                deceased_on=data.deceased_on,
                trace=trace.out().model_dump(mode="json"),
            )
        )
        publish(
            session,
            FuneralGrantPaid(
                person_id=data.person_id,
                household_id=data.household_id,
                amount=amount,
                illustrative_parameters=illustrative_of(trace),
            ),
            key=data.household_id,
            subject=data.person_id,
            **self.publish_kwargs,
        )

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription(
                group="enrollment",  # welfare's dibao and 特困 decisions (ENR-M3)
                topics=(DibaoGranted.topic,),
                handlers={
                    DibaoGranted.event_type: self.dibao,
                    DibaoChanged.event_type: self.dibao,
                    DibaoEnded.event_type: self.dibao,
                    TekunCertified.event_type: self.tekun,
                    TekunEnded.event_type: self.tekun,
                },
            ),
            Subscription(
                group="enrollment-1",  # deaths: pension stops, funeral grant (ENR-P8)
                topics=(PersonDeceased.topic,),
                handlers={PersonDeceased.event_type: self.deceased},
            ),
        ]


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return Handlers(runtime.policy, runtime.publish_kwargs()).subscriptions()
