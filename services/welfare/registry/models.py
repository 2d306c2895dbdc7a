"""The registry as civil affairs sees it: people, households and their status over time, kept
from enrollment's events (never its database). Welfare adds nothing here; its own facts about a
household (income, work ability) live with the procedures that establish them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow
from shared.registry_projection import RegistryPersonColumns, RegistryStatusColumns


class RegistryPerson(RegistryPersonColumns, table=True):
    __tablename__ = "welfare_registry_person"
    __table_args__ = (Index("ix_welfare_registry_person_village", "village_code"),)


class RegistryStatusHistory(RegistryStatusColumns, table=True):
    __tablename__ = "welfare_registry_status_history"
    __table_args__ = (
        Index("ix_welfare_registry_status_history_person", "person_id", "valid_from"),
    )


class RegistryAccount(SQLModel, table=True):
    """A registered person's social security card account (社保卡金融账户) as the registry last
    reported it: where assistance is paid when nobody recorded another account."""

    __tablename__ = "welfare_registry_account"

    person_id: str = Field(primary_key=True, max_length=36)
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=30)
    source_event_id: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


REGISTRY_TABLES = (RegistryPerson, RegistryStatusHistory, RegistryAccount)
