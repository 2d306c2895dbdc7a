"""Alembic environment of the enrollment service (its own history, its own tables)."""

from services.enrollment.models import TABLES
from shared.migrations import run_env

run_env(TABLES)
