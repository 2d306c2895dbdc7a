"""Values as the audit log keeps them: JSON-safe, resident ID numbers masked as the log masks
them (shared.logging), personal names cut to their first character."""

from __future__ import annotations

import enum
import hashlib
import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.logging import ID_NUMBER, mask_id_numbers

# Columns and JSON keys holding a person's name; `name` of an object (a workshop, a job fair)
# is masked too: over-masking is harmless in an audit log, a leaked name is not.
_NOT_PERSONAL = frozenset({"facility_name", "hospital_name", "bank_name", "file_name"})


def is_name_field(key: str) -> bool:
    return key == "name" or (key.endswith("_name") and key not in _NOT_PERSONAL)


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1) if value else value


# A JSON key naming a person's name field: a document holding one goes the long way.
_NAME_KEY = re.compile(r'"(?:[^"\\]*_)?name": ')


def jsonable(value: Any, key: str = "") -> Any:
    """A value made JSON-safe and masked; `key` is the column or JSON key it sits under."""
    if isinstance(value, dict):
        return {str(k): _document(v, str(k)) for k, v in value.items()}
    return _document(value, key)


def _document(value: Any, key: str) -> Any:
    # A nested document (a decision's trace, an event's facts) is usually plain JSON with no ID
    # number and no name in it: one pass in C over its text says so, and it is kept as it is
    # instead of being walked value by value.
    if isinstance(value, dict | list) and not is_name_field(key):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            pass
        else:
            if ID_NUMBER.search(text) is None and _NAME_KEY.search(text) is None:
                return value
    return _walk(value, key)


def _walk(value: Any, key: str) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask_name(value) if is_name_field(key) else mask_id_numbers(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _walk(value.value, key)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _walk(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_walk(v, key) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"sha256": hashlib.sha256(value).hexdigest(), "bytes": len(value)}
    return mask_id_numbers(str(value))


def key_text(values: tuple[Any, ...] | list[Any]) -> str:
    """A record's key as one masked string: `a` or `a|b` for a composite key."""
    return mask_id_numbers("|".join("" if v is None else str(v) for v in values))[:300]
