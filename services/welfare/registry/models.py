"""The registry as civil affairs sees it: people, households and their status over time, kept
from enrollment's events (never its database). Welfare adds nothing here; its own facts about a
household (income, work ability) live with the procedures that establish them."""

from __future__ import annotations

from sqlalchemy import Index

from shared.registry_projection import RegistryPersonColumns, RegistryStatusColumns


class RegistryPerson(RegistryPersonColumns, table=True):
    __tablename__ = "welfare_registry_person"
    __table_args__ = (Index("ix_welfare_registry_person_village", "village_code"),)


class RegistryStatusHistory(RegistryStatusColumns, table=True):
    __tablename__ = "welfare_registry_status_history"
    __table_args__ = (
        Index("ix_welfare_registry_status_history_person", "person_id", "valid_from"),
    )


REGISTRY_TABLES = (RegistryPerson, RegistryStatusHistory)
