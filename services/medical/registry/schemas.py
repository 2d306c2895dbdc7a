"""Request and response models of registry (medical), as the routes parse and answer them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from shared.domain import PovertyStatus


class PersonOut(BaseModel):
    person_id: str
    id_number: str
    household_id: str
    name: str
    sex: str
    birth_date: date
    county_code: str
    township_code: str
    village_code: str
    poverty_status: PovertyStatus
