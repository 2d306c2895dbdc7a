"""Values as the audit log keeps them: JSON-safe, resident ID numbers masked as the log masks
them (shared.logging), personal names cut to their first character."""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.logging import mask_id_numbers

# Columns and JSON keys holding a person's name; `name` of an object (a workshop, a job fair)
# is masked too: over-masking is harmless in an audit log, a leaked name is not.
_NOT_PERSONAL = frozenset({"facility_name", "hospital_name", "bank_name", "file_name"})


def is_name_field(key: str) -> bool:
    return key == "name" or (key.endswith("_name") and key not in _NOT_PERSONAL)


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1) if value else value


def jsonable(value: Any, key: str = "") -> Any:
    """A value made JSON-safe and masked; `key` is the column or JSON key it sits under."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask_name(value) if is_name_field(key) else mask_id_numbers(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return jsonable(value.value, key)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, key) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"sha256": hashlib.sha256(value).hexdigest(), "bytes": len(value)}
    return mask_id_numbers(str(value))


def key_text(values: tuple[Any, ...] | list[Any]) -> str:
    """A record's key as one masked string: `a` or `a|b` for a composite key."""
    return mask_id_numbers("|".join("" if v is None else str(v) for v in values))[:300]
