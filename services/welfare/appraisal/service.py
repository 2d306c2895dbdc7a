"""The appraisal indicators (IND-1 .. IND-4) of a county on a date, per township and for the
county: counts from the repository, each indicator from its rule, one trace for the whole."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.welfare.appraisal import repository as repo
from services.welfare.appraisal.rules import (
    Accuracy,
    AreaCounts,
    CategoryShares,
    Standard,
    TopUp,
    add_counts,
    category_shares,
    dibao_standard,
    empty_counts,
    recipient_accuracy,
    topup_level,
)
from services.welfare.dibao.rules import DibaoCategory
from shared.errors import NotFound
from shared.money import ZERO
from shared.trace import Trace
from shared.uow import UnitOfWork

TOWNSHIP_DIGITS = 9


@dataclass(frozen=True)
class AreaIndicators:
    code: str
    counts: AreaCounts
    accuracy: Accuracy
    topup: TopUp
    categories: CategoryShares


@dataclass(frozen=True)
class Indicators:
    county: str
    on: date
    standard: Standard
    crosscheck_run_id: int | None
    crosscheck_run_on: date | None
    townships: list[AreaIndicators]
    total: AreaIndicators
    trace: Trace


def _area(code: str, counts: AreaCounts, standard: Standard, trace: Trace) -> AreaIndicators:
    return AreaIndicators(
        code,
        counts,
        recipient_accuracy(counts, trace, area=code),
        topup_level(counts, standard, trace, area=code),
        category_shares(counts, trace, area=code),
    )


def indicators(uow: UnitOfWork, county: str, on: date) -> Indicators:
    """IND-1, IND-2, IND-3, IND-4 per township of the county on `on`; a township officer gets
    their own township's row and the county's standard, no county total of others."""
    principal = uow.principal
    scope = principal.scope
    if not (county.startswith(scope) or scope.startswith(county)):
        raise NotFound(f"no county {county} in your jurisdiction")
    # A township (or village) officer reads their own township's row.
    township = scope[:TOWNSHIP_DIGITS] if len(scope) >= TOWNSHIP_DIGITS else None
    trace = Trace()
    standard = dibao_standard(uow.params(county, on), trace)
    session = uow.session
    run = repo.latest_run(session, county, on)
    flagged = repo.flagged_by_township(session, county, on, run.id) if run and run.id else {}

    households: dict[str, dict[DibaoCategory, int]] = defaultdict(dict)
    persons: dict[str, dict[DibaoCategory, int]] = defaultdict(dict)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, category, n, people, amount in repo.households_by_township(session, county, on):
        households[code][DibaoCategory(category)] = int(n)
        persons[code][DibaoCategory(category)] = int(people)
        totals[code] += Decimal(amount)

    codes = sorted(households) if township is None else [township]
    counts = {
        code: AreaCounts(
            households.get(code, {}),
            persons.get(code, {}),
            totals.get(code, ZERO),
            None if run is None else flagged.get(code, 0),
        )
        for code in codes
    }
    townships = [_area(code, counts[code], standard, trace) for code in codes]
    total_counts = empty_counts(None if run is None else 0)
    for c in counts.values():
        total_counts = add_counts(total_counts, c)
    total = _area(county if township is None else township, total_counts, standard, trace)
    return Indicators(
        county,
        on,
        standard,
        None if run is None else run.id,
        None if run is None else run.on,
        townships,
        total,
        trace,
    )
