"""The audit hash chain, pure: an intact chain verifies; an edited, deleted or reordered entry
is found at its seq."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.audit.chain import GENESIS, canonical, entry_hash, first_broken, link
from shared.audit.masking import jsonable, key_text


def chain(n: int = 6) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    entries = [
        {
            "at": start + timedelta(seconds=i),
            "actor": f"officer-{i % 2}",
            "roles": "county_civil",
            "scope": "532325",
            "division_code": "532325100",
            "correlation_id": f"c{i}",
            "action": "POST /v1/dibao/applications",
            "operation": "update",
            "entity": "dibao_application",
            "entity_key": str(i),
            "before": {"status": "submitted", "amount": "310.00"},
            "after": {"status": "accepted", "amount": str(300 + i)},
        }
        for i in range(n)
    ]
    assert link(entries, 0, GENESIS) == n
    return entries


def test_intact_chain_verifies() -> None:
    entries = chain()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    assert first_broken(entries) is None
    assert first_broken([]) is None


def test_appending_continues_the_chain() -> None:
    entries = chain(3)
    more = chain(2)
    link(more, entries[-1]["seq"], entries[-1]["hash"])
    assert first_broken(entries + more) is None


def test_edited_entry_is_found() -> None:
    for field, value in (
        ("after", {"status": "accepted", "amount": "9999"}),
        ("actor", "someone-else"),
        ("at", datetime(2026, 3, 1, 9, 0)),
        ("entity_key", "99"),
    ):
        entries = chain()
        entries[2][field] = value
        assert first_broken(entries) == 3, field


def test_edit_with_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain()
    entries[2]["after"] = {"status": "rejected"}
    entries[2]["hash"] = entry_hash(entries[2])
    assert first_broken(entries) == 4


def test_deleted_entry_is_found() -> None:
    entries = chain()
    del entries[3]
    assert first_broken(entries) == 4
    first_gone = chain()[1:]
    assert first_broken(first_gone) == 1


def test_reordered_entries_are_found() -> None:
    entries = chain()
    swapped = copy.deepcopy(entries)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert first_broken(swapped) == 2
    # Renumbered too, so that the seqs still run 1..n: the links give it away.
    renumbered = copy.deepcopy(swapped)
    renumbered[1]["seq"], renumbered[2]["seq"] = 2, 3
    assert first_broken(renumbered) == 2


def test_canonical_form_is_stable_across_storage() -> None:
    entry = chain(1)[0]
    stored = dict(entry, at=entry["at"].astimezone(UTC).replace(tzinfo=None))
    assert canonical(stored) == canonical(entry)
    assert entry_hash(stored) == entry["hash"]


def test_values_are_masked_and_json_safe() -> None:
    from decimal import Decimal

    value = jsonable(
        {
            "id_number": "53232519800101123X",
            "name": "张三丰",
            "applicant_name": "李四",
            "facility_name": "栋川镇卫生院",
            "amount": Decimal("12.50"),
            "trace": {"members": [{"name": "王五", "note": "证件 532325198001011234 核对"}]},
        }
    )
    assert value == {
        "id_number": "532325********123X",
        "name": "张**",
        "applicant_name": "李*",
        "facility_name": "栋川镇卫生院",
        "amount": "12.50",
        "trace": {"members": [{"name": "王*", "note": "证件 532325********1234 核对"}]},
    }
    assert key_text(["53232519800101123X", 2020]) == "532325********123X|2020"
