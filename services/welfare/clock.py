"""The welfare service's idea of today, in one place (county time is the machine's date), so
that procedures that run over weeks (public notice, reviews, monthly cycles) can be tested on a
chosen day."""

from __future__ import annotations

from datetime import date, datetime

from shared import clock


def today() -> date:
    return clock.today()


def now() -> datetime:
    """A UTC instant, for timestamps."""
    return clock.now()
