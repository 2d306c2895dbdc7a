"""The welfare service's idea of today, in one place (county time is the machine's date), so
that procedures that run over weeks (public notice, reviews, monthly cycles) can be tested on a
chosen day."""

from __future__ import annotations

from datetime import date


def today() -> date:
    return date.today()
