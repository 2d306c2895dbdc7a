"""The one place the code reads the clock. "Today" is the machine's date (the county's, where the
services run); "now" is a UTC instant for timestamps. Each service has a `clock` module that
delegates here, so a test can set one service's day; an event consumer takes its day from the
event (Envelope.day), never from here, so a replay decides the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The counties' time zone: an instant's day in China (an event's, a visit's) is read in it.
CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return date.today()


def now() -> datetime:
    """Timezone-aware UTC."""
    return datetime.now(UTC)


def real_timestamp() -> float:
    """The machine's real time in seconds, as the JWT library reads it when it checks a token's
    `exp` and `nbf`: a token cached after its first check is held to the same time, never to a
    day a test or a replay has set."""
    return datetime.now(UTC).timestamp()
