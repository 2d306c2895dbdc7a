"""Alembic environment of the employment service (its own history, its own tables)."""

from services.employment.models import TABLES
from shared.migrations import run_env

run_env(TABLES)
