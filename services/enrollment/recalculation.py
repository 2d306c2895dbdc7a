"""Contribution subsidies already decided, recomputed when the county publishes figures that take
effect before the day they are published (shared.policy.recalculation): the public funding of
the resident medical contribution (medical/recalculation.py) and of the resident pension
contribution (pension/recalculation.py). Each difference is an adjustment and an
`enrollment.subsidy_recalculated` event, in the same transaction.

Which years a dated figure changes: both rules read every figure on 1 January of the
contribution year, so a figure taking effect on day E is read for year Y only if E <= 1 January
Y. A set whose first figure takes effect on `since` therefore reaches the years whose 1 January
is on or after `since` and not after today (a year not yet begun is not yet funded, and its
contribution is recorded anew whenever it is read). A figure effective 2026-01-01 published in
March 2026 changes 2026; one effective 2025-07-01 changes nothing read on 2025-01-01 but may
change 2026 and later (unless a later version replaces it before then: comparing the policy
without the set and with it tells)."""

from __future__ import annotations

from datetime import date

from shared.events.enrollment import ContributionSubsidyRecalculated
from shared.policy.publication.tables import PolicyPublication
from shared.policy.recalculation.service import Decided, record_and_publish
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.uow import UnitOfWork


def years_read(since: date, today: date) -> range:
    """The contribution years whose figures, read on 1 January, a figure effective `since`
    can change, up to today's year."""
    first = since.year if since == date(since.year, 1, 1) else since.year + 1
    return range(first, today.year + 1)


def touches(publication: PolicyPublication, prefix: str) -> bool:
    """Whether the set publishes a figure under `prefix` (a rule reading only those is not
    changed by a set without one)."""
    return any(str(item.get("path", "")).startswith(prefix) for item in publication.items)


def adjust(
    uow: UnitOfWork, publication: PolicyPublication, decided: Decided
) -> PolicyAdjustment | None:
    """The adjustment of a recomputed subsidy and its `ContributionSubsidyRecalculated` event."""
    return record_and_publish(uow, publication, decided, ContributionSubsidyRecalculated)
