"""The employment service's idea of today, in one place, so that rules that run over months
(placement within months of training, 6 months of stable operation) can be tested on a chosen
day."""

from __future__ import annotations

from datetime import date, datetime

from shared import clock


def today() -> date:
    return clock.today()


def now() -> datetime:
    """A UTC instant, for timestamps."""
    return clock.now()
