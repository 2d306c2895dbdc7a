"""Event payloads carry the internal person id; the resident ID number travels only in the
registry's events (shared/events/registry.py: every service keys its read model by it) and in
the hospital stay (StayData and HospitalStaySubmitted, an input from hospital information
systems, which know the patient by the number alone)."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel

import shared.events  # noqa: F401  (registers the event models)
from shared.access import is_id_number_key
from shared.events.catalogue import EVENT_MODELS
from shared.events.medical import StayData

REGISTRY_MODULE = "shared.events.registry"


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def id_number_fields(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> list[str]:
    """Dotted paths of every ID-number field of a model and the models inside it."""
    found = []
    for name, info in model.model_fields.items():
        if is_id_number_key(name):
            found.append(name)
        for inner in _models(info.annotation):
            if inner not in seen:
                found += [f"{name}.{f}" for f in id_number_fields(inner, seen | {model})]
    return found


def may_carry_id_numbers(model: type[BaseModel]) -> bool:
    return model.__module__ == REGISTRY_MODULE or issubclass(model, StayData)


def test_only_registry_events_and_hospital_input_carry_id_numbers() -> None:
    offending = {
        event_type: fields
        for event_type, model in EVENT_MODELS.items()
        if not may_carry_id_numbers(model) and (fields := id_number_fields(model))
    }
    assert not offending, f"events carrying ID numbers outside the registry: {offending}"


def test_the_rule_sees_the_registry_and_stay_fields() -> None:
    carrying = {t for t, m in EVENT_MODELS.items() if id_number_fields(m)}
    assert "person.registered" in carrying
    assert any(issubclass(EVENT_MODELS[t], StayData) for t in carrying)


def test_every_event_names_people_by_person_id_where_it_names_them() -> None:
    for event_type, model in EVENT_MODELS.items():
        if may_carry_id_numbers(model):
            continue
        names = set(model.model_fields)
        if names & {"name", "person_name"}:
            raise AssertionError(f"{event_type} carries a person's name: {sorted(names)}")
