"""The clock is read in one place (shared.clock, through each service's `clock`), so a test can
set a service's day and a consumer can judge by its event's day instead."""

from __future__ import annotations

import re

from shared import REPO_ROOT

READS = re.compile(r"\b(date\.today|datetime\.now|datetime\.utcnow|time\.time)\(")


def test_nothing_but_the_clock_reads_the_clock() -> None:
    found = [
        f"{path.relative_to(REPO_ROOT)}:{n}"
        for root in ("services", "shared")
        for path in sorted((REPO_ROOT / root).rglob("*.py"))
        if "migrations" not in path.parts and path != REPO_ROOT / "shared" / "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if READS.search(line)
    ]
    assert found == []
