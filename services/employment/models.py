"""Tables owned by the employment service."""

from __future__ import annotations

from shared.bus.tables import BUS_TABLES

TABLES = (*BUS_TABLES,)
