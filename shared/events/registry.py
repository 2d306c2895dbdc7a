"""Registry events published by the enrollment service (REG-*). These are the only events that
carry a resident ID number; every other event names people by their internal person id."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

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
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    bank_name: str | None = Field(default=None, description="社保卡开户银行, when known")
    bank_account: str | None = Field(
        default=None,
        pattern=r"^\d{12,30}$",
        description="the social security card's financial account (社保卡金融账户), into which "
        "pension and assistance are paid, when known",
    )
    county_code: CountyCode
    township_code: TownshipCode
    village_code: VillageCode
    poverty_status: PovertyStatus


@event_model(
    "household.registered",
    producer="enrollment",
    audience="county poverty office (扶贫办) (the roster as the services hold it, REG-1)",
)
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


@event_model("household.poverty_status_changed", producer="enrollment")
class HouseholdPovertyStatusChanged(EventData):
    """A household's registry status changed (REG-2): funding shares change, benefits continue."""

    household_id: str
    county_code: CountyCode
    township_code: TownshipCode
    village_code: VillageCode
    old_status: PovertyStatus
    new_status: PovertyStatus
    person_ids: list[str]


@event_model("person.deceased", producer="enrollment")
class PersonDeceased(EventData):
    """A registered person died (REG-5): pension stops, funeral grant (ENR-P8), dibao recomputed."""

    person_id: str
    household_id: str
    id_number: ResidentIdNumber
    county_code: CountyCode
    village_code: VillageCode
    deceased_on: date


@event_model("person.disability_certified", producer="enrollment")
class PersonDisabilityCertified(EventData):
    """A disability certificate (残疾证) was recorded with its grade (1 most severe .. 4)."""

    person_id: str
    household_id: str
    id_number: ResidentIdNumber
    county_code: CountyCode
    village_code: VillageCode
    grade: int = Field(ge=1, le=4)
    certified_on: date


@event_model(
    "person.missing_from_roster",
    producer="enrollment",
    audience="county poverty office (扶贫办) (a person missing from the new roster, REG-5)",
)
class PersonMissingFromRoster(EventData):
    """A registered person is absent from the latest roster: flagged for checking, never deleted."""

    person_id: str
    household_id: str
    county_code: CountyCode
    village_code: VillageCode
    import_id: str


@event_model(
    "household.head_changed",
    producer="enrollment",
    audience="county poverty office (扶贫办) (REG-5)",
)
class HouseholdHeadChanged(EventData):
    """Another member became the head of the household (户主变更)."""

    household_id: str
    old_head_person_id: str | None
    new_head_person_id: str


@event_model("person.moved", producer="enrollment")
class PersonMoved(EventData):
    """A member moved to another registered household (an explicit operation, never an import)."""

    person_id: str
    from_household_id: str
    to_household_id: str
    county_code: CountyCode
    township_code: TownshipCode
    village_code: VillageCode
    poverty_status: PovertyStatus


@event_model("household.split", producer="enrollment")
class HouseholdSplit(EventData):
    """Members left a household to form a new one (分户)."""

    household_id: str
    new_household_id: str
    person_ids: list[str]
