"""Tables of dynamic management (动态管理, WEL-8)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from shared.bus.tables import utcnow


class EconomicFacts(SQLModel, table=True):
    """What civil affairs knows of a registered person's economy: ability to work (劳动能力) and
    whether they have income (有无收入), from the poverty office's yearly survey or an edit."""

    __tablename__ = "economic_facts"

    person_id: str = Field(primary_key=True, max_length=36)
    work_ability: str = Field(max_length=10)  # full | partial | none (WorkAbility)
    has_income: bool
    survey_year: int | None = None
    source: str = Field(max_length=60)  # import:<id> | edit
    updated_by: str = Field(max_length=120)
    updated_at: datetime = Field(default_factory=utcnow)


class EconomicFactsImport(SQLModel, table=True):
    """One accepted survey file (a rejected file writes nothing, this row included)."""

    __tablename__ = "economic_facts_import"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    rows: int
    survey_year: int | None = None
    imported_by: str = Field(max_length=120)
    imported_at: datetime = Field(default_factory=utcnow)


class CrossCheckRun(SQLModel, table=True):
    """One cross-check of a county on a date. Runs are kept: re-running adds a run."""

    __tablename__ = "crosscheck_run"

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(max_length=6, index=True)
    on: date
    people_checked: int = 0
    people_without_facts: int = 0
    findings: int = 0
    seconds: float = 0.0
    dibao_source: str = Field(default="", max_length=60)
    parameters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class CrossCheckFinding(SQLModel, table=True):
    """One person the cross-check reports, for their township's worklist (工作清单)."""

    __tablename__ = "crosscheck_finding"
    __table_args__ = (Index("ix_crosscheck_finding_run", "run_id", "township_code", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int
    kind: str = Field(max_length=40)
    person_id: str = Field(max_length=36)
    household_id: str = Field(max_length=40)
    name: str = Field(max_length=100)
    id_number: str = Field(max_length=18)
    township_code: str = Field(max_length=9)
    village_code: str = Field(max_length=12)
    poverty_status: str = Field(max_length=20)
    work_ability: str | None = Field(default=None, max_length=10)
    has_income: bool | None = None
    on_dibao: bool
    on_tekun: bool
    detail: str = Field(max_length=300)
    due_since: date | None = None
    trace: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=10)  # open | closed
    outcome: str | None = Field(default=None, max_length=30)
    outcome_note: str | None = Field(default=None, max_length=500)
    closed_by: str | None = Field(default=None, max_length=120)
    closed_at: datetime | None = None


CROSSCHECK_TABLES = (EconomicFacts, EconomicFactsImport, CrossCheckRun, CrossCheckFinding)
