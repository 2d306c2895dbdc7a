"""Who may propose, decide and read a service's parameter sets: the county bureau that owns the
parameters proposes and a second officer of it decides; the poverty office and auditors read."""

from __future__ import annotations

from shared.access import Rule, rule
from shared.roles import Role


def publication_rules(*publishers: Role, recalculates: bool = False) -> dict[tuple[str, str], Rule]:
    """With `recalculates`: the adjustments of decisions recomputed on publication, settled by
    the publishing bureau."""
    readers = (*publishers, Role.county_poverty, Role.auditor)
    base = "/v1/policy/publications"
    adjustments = "/v1/policy/adjustments"
    extra = {
        ("POST", base + "/{publication_id}/recalculation"): rule(*publishers, county_wide=True),
        ("GET", adjustments): rule(*readers, county_wide=True),
        ("GET", adjustments + "/{adjustment_id}"): rule(*readers, county_wide=True),
        ("POST", adjustments + "/{adjustment_id}/settlement"): rule(
            *publishers, county_wide=True, admin=False
        ),
    }
    return (extra if recalculates else {}) | {
        ("POST", base): rule(*publishers, county_wide=True),
        ("GET", base): rule(*readers, county_wide=True),
        ("GET", base + "/{publication_id}"): rule(*readers, county_wide=True),
        ("POST", base + "/{publication_id}/decision"): rule(*publishers, county_wide=True),
    }
