"""The fields every `…recalculated` event carries: a decision already made, recomputed under
figures its county published after it (shared.policy.recalculation), with what it paid, what is
now due, the publication that caused it and the parameter versions it is now due on."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.events.catalogue import EventData
from shared.ids import CountyCode
from shared.money import Money
from shared.trace import Provenance


class Recalculated(EventData, Provenance):
    adjustment_id: int
    publication_id: int
    scheme: str
    subject: str  # the decision's record: a claim id, a payment id
    person_id: str | None
    household_id: str | None
    county_code: CountyCode
    period: date
    paid_amount: Money
    due_amount: Money
    difference: Money  # due - paid
    kind: Literal["back_pay", "claw_back"]
    sources: list[str]  # the parameter versions now due on (e.g. publication 7)
