"""Registry events published by the enrollment service (REG-*). These are the only events that
carry a resident ID number; every other event names people by their internal person id."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.domain import PovertyStatus
from shared.events.catalogue import EventData, event_model
from shared.ids import CountyCode, ResidentIdNumber, TownshipCode, VillageCode


class PersonFacts(EventData):
    person_id: str
    household_id: str
    id_number: ResidentIdNumber
    name: str
    sex: Literal["M", "F"]
    birth_date: date
    relation: str | None = None
    county_code: CountyCode
    township_code: TownshipCode
    village_code: VillageCode
    poverty_status: PovertyStatus


@event_model("household.registered", producer="enrollment")
class HouseholdRegistered(EventData):
    """A household (户) entered the poverty registry (建档立卡, REG-1)."""

    household_id: str
    county_code: CountyCode
    township_code: TownshipCode
    village_code: VillageCode
    poverty_status: PovertyStatus


@event_model("person.registered", producer="enrollment")
class PersonRegistered(PersonFacts):
    """A person entered the poverty registry (REG-1)."""


@event_model("person.updated", producer="enrollment")
class PersonUpdated(PersonFacts):
    """A registered person's facts changed (REG-5); carries the full new state."""

    changed: list[str]
