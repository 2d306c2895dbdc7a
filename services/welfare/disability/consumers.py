"""What disability support takes from the registry's events: the grade of a registered person
(registered, updated, certified), their death and their moves (WEL-4)."""

from __future__ import annotations

from services.welfare.disability.register import (
    on_certified,
    on_deceased,
    on_moved,
    on_person_facts,
)

person_facts = on_person_facts
disability_certified = on_certified
person_deceased = on_deceased
person_moved = on_moved
