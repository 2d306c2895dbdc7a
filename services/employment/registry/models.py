"""The registry as the employment service sees it: people, households and their status over
time, kept from enrollment's events (never its database). The labour facts the service
establishes itself (work ability, skills, jobs) live with the census."""

from __future__ import annotations

from sqlalchemy import Index

from shared.registry_projection import RegistryPersonColumns, RegistryStatusColumns


class RegistryPerson(RegistryPersonColumns, table=True):
    __tablename__ = "employment_registry_person"
    __table_args__ = (Index("ix_employment_registry_person_village", "village_code"),)


class RegistryStatusHistory(RegistryStatusColumns, table=True):
    __tablename__ = "employment_registry_status_history"
    __table_args__ = (
        Index("ix_employment_registry_status_history_person", "person_id", "valid_from"),
    )


REGISTRY_TABLES = (RegistryPerson, RegistryStatusHistory)
