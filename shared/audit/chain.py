"""The hash chain, pure: each entry's hash is sha256 over a canonical JSON of the entry (its
`prev_hash` included), so editing, deleting or reordering an entry breaks every link after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

GENESIS = "0" * 64
# The fields a hash covers, in the order they are written; `hash` itself is not one of them.
FIELDS = (
    "seq",
    "at",
    "actor",
    "roles",
    "scope",
    "division_code",
    "correlation_id",
    "action",
    "operation",
    "entity",
    "entity_key",
    "before",
    "after",
    "prev_hash",
)


def canonical_time(value: datetime | str) -> str:
    """UTC, naive, to the microsecond: what both databases store and give back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def canonical(entry: Mapping[str, Any]) -> str:
    body = {name: entry.get(name) for name in FIELDS}
    body["at"] = canonical_time(cast("datetime | str", body["at"]))
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry).encode()).hexdigest()


def link(entries: Iterable[dict[str, Any]], last_seq: int, last_hash: str) -> int:
    """Number the entries after (`last_seq`, `last_hash`) and hash each; returns the new last
    seq. Mutates the entries in place."""
    seq, prev = last_seq, last_hash
    for entry in entries:
        seq += 1
        entry["seq"] = seq
        entry["prev_hash"] = prev
        entry["hash"] = prev = entry_hash(entry)
    return seq


def first_broken(entries: Iterable[Mapping[str, Any]]) -> int | None:
    """The seq at which the chain stops being intact, or None. A deleted entry shows as a gap
    (the seq expected there), an edited one as a hash mismatch, a reordered one as a link to
    the wrong predecessor. Entries must come in ascending seq order."""
    expected, prev = 1, GENESIS
    for entry in entries:
        if entry["seq"] != expected or entry["prev_hash"] != prev:
            return expected if entry["seq"] > expected else int(entry["seq"])
        if entry_hash(entry) != entry["hash"]:
            return int(entry["seq"])
        expected, prev = expected + 1, str(entry["hash"])
    return None
