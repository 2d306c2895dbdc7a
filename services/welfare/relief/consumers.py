"""Temporary relief from medical's events: `medical.high_burden_detected` (MED-4: still in
hardship after the 90% guarantee) opens one case per person and year (WEL-6)."""

from __future__ import annotations

from services.welfare.relief.sources import from_high_burden
from shared.app import Runtime
from shared.bus.consumer import Handler
from shared.events.catalogue import EventData
from shared.events.medical import HighBurdenDetected
from shared.uow import UnitOfWork


def high_burden(runtime: Runtime) -> Handler:
    def apply(uow: UnitOfWork, data: EventData) -> None:
        session, envelope = uow.session, uow.envelope
        assert isinstance(data, HighBurdenDetected)
        from_high_burden(session, runtime.policy, envelope, data)

    return apply
