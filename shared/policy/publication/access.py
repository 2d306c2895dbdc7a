"""Who may propose, decide and read a service's parameter sets: the county bureau that owns the
parameters proposes and a second officer of it decides; the poverty office and auditors read."""

from __future__ import annotations

from shared.access import Rule, rule
from shared.roles import Role


def publication_rules(*publishers: Role) -> dict[tuple[str, str], Rule]:
    readers = (*publishers, Role.county_poverty, Role.auditor)
    base = "/v1/policy/publications"
    return {
        ("POST", base): rule(*publishers, county_wide=True),
        ("GET", base): rule(*readers, county_wide=True),
        ("GET", base + "/{publication_id}"): rule(*readers, county_wide=True),
        ("POST", base + "/{publication_id}/decision"): rule(*publishers, county_wide=True),
    }
