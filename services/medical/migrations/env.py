"""Alembic environment of the medical service (its own history, its own tables)."""

from services.medical.models import TABLES
from shared.migrations import run_env

run_env(TABLES)
