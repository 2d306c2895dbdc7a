"""Keeps the welfare registry read model current from enrollment's registry events."""

from __future__ import annotations

from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory
from shared.registry_projection import RegistryProjection

PROJECTION = RegistryProjection(RegistryPerson, RegistryStatusHistory)

upsert_person = PROJECTION.upsert_person
status_on = PROJECTION.status_on
household_status = PROJECTION.household_status
person_moved = PROJECTION.person_moved
household_split = PROJECTION.household_split
person_deceased = PROJECTION.person_deceased
disability_certified = PROJECTION.disability_certified
