"""Alembic environment of the welfare service (its own history, its own tables)."""

from services.welfare.models import TABLES
from shared.migrations import run_env

run_env(TABLES)
