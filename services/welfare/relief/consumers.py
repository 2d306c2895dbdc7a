"""Temporary relief from medical's events: `medical.high_burden_detected` (MED-4: still in
hardship after the 90% guarantee) opens one case per person and year (WEL-6)."""

from __future__ import annotations

from services.welfare.relief.sources import from_high_burden
from shared.events.catalogue import EventData
from shared.events.medical import HighBurdenDetected
from shared.uow import UnitOfWork


def on_high_burden(uow: UnitOfWork, data: EventData) -> None:
    """`medical.high_burden_detected` opens a relief case for the person and year (WEL-6)."""
    assert isinstance(data, HighBurdenDetected)
    from_high_burden(uow, data)
