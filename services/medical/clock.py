"""The medical service's idea of today, in one place (shared.clock), so that a test can set it."""

from __future__ import annotations

from datetime import date, datetime

from shared import clock


def today() -> date:
    return clock.today()


def now() -> datetime:
    """A UTC instant, for timestamps."""
    return clock.now()
