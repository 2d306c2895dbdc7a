"""Keeps the employment registry read model current from enrollment's registry events."""

from __future__ import annotations

from services.employment.registry.models import RegistryPerson, RegistryStatusHistory
from shared.registry_projection import RegistryProjection

PROJECTION = RegistryProjection(RegistryPerson, RegistryStatusHistory)
