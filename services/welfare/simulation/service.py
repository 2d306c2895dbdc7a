"""The simulation: every household on dibao now, month by month over the period, its amount under
the parameters in force and under the proposal (WEL-3), and the disability subsidies of the
people paid in the last cycle (WEL-4: the living subsidy is a share of the dibao standard),
with nothing written. It reads the
households in one query (one consistent snapshot) and computes a household again only where
its facts or the figures in force change from one month to the next, so a county's few thousand
households take seconds (bench: tests/integration/test_welfare_simulation.py prints nothing;
docs/performance.md gives the figure)."""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.dibao.facts import compute, member_facts
from services.welfare.dibao.models import DibaoCase
from services.welfare.dibao.rules import DibaoCategory
from services.welfare.disability.rules import month_subsidy, paid_facts
from services.welfare.simulation.repository import disability_paid_last, households_on_dibao
from services.welfare.simulation.schemas import (
    ChangedFigure,
    FundCost,
    HouseholdEffect,
    MonthCost,
    SampleTrace,
    SimulationIn,
    SimulationOut,
    TownshipEffect,
)
from shared.divisions import division_name
from shared.errors import Conflict, DomainError, InvalidInput
from shared.ids import parse_resident_id
from shared.money import ZERO
from shared.policy.loader import ParameterNotFound, PolicySet
from shared.policy.publication import service as publications
from shared.policy.publication.figures import check_item, figures
from shared.rule_inputs import month_end
from shared.trace import Params
from shared.uow import UnitOfWork

PREFIXES = ("welfare.",)
MAX_MONTHS = 24
LISTED = 100
SAMPLES = 3


@dataclass
class _Household:
    case: DibaoCase
    people: int
    current: dict[str, Decimal]  # month -> amount
    proposed: dict[str, Decimal]

    @property
    def difference(self) -> Decimal:
        return sum(self.proposed.values(), ZERO) - sum(self.current.values(), ZERO)


def simulate(uow: UnitOfWork, body: SimulationIn) -> SimulationOut:
    started = time.perf_counter()
    county = body.county_code
    uow.principal.guard(county)
    months = body.months
    if not months:
        raise InvalidInput("the period is empty: `to_month` is before `from_month`")
    if len(months) > MAX_MONTHS:
        raise InvalidInput(f"a simulation covers {MAX_MONTHS} months at most")
    items = _items(uow, body)
    current = uow.policy
    proposed = current.overlaid(figures("simulation", county, items))
    cases = households_on_dibao(uow.session, county, month_end(months[-1]))
    households: list[_Household] = []
    refused: dict[str, int] = defaultdict(int)
    samples: list[SampleTrace] = []
    epochs = {"current": _epochs(current, months), "proposed": _epochs(proposed, months)}
    for case in cases:
        household = _Household(case, sum(1 for m in case.members if m.get("active", True)), {}, {})
        try:
            _amounts(case, months, current, proposed, epochs, household, samples)
        except DomainError as exc:  # the proposal's figures are refused by the rules
            refused[exc.detail] += 1
            continue
        households.append(household)
    disabled = _disability(uow, county, months, current, proposed, epochs)
    return _answer(body, county, items, current, households, refused, samples, started, disabled)


@dataclass
class _Disability:
    """WEL-4's subsidies over the period: the people paid in the county's last cycle, on the
    facts of that month (their grade, hardship and dibao category)."""

    people: int = 0
    affected: int = 0
    current: Decimal = ZERO
    proposed: Decimal = ZERO


def _disability(
    uow: UnitOfWork,
    county: str,
    months: list[date],
    current: PolicySet,
    proposed: PolicySet,
    epochs: dict[str, dict[date, int]],
) -> _Disability:
    out = _Disability()
    # A person's amount depends on the month only through the figures in force (its epoch).
    seen: dict[tuple[Any, ...], Decimal] = {}
    for row, deceased_on in disability_paid_last(uow.session, county, month_end(months[-1])):
        out.people += 1
        differs = False
        for month in months:
            if deceased_on is not None and deceased_on < month:
                break
            facts = paid_facts(month, row.grade, row.hardship, row.trace)
            amounts = []
            for name, policy in (("current", current), ("proposed", proposed)):
                key = (name, row.grade, row.hardship, facts.dibao_category, epochs[name][month])
                if key not in seen:
                    paid = month_subsidy(facts, Params(policy, county, month))
                    seen[key] = paid.nursing + paid.living
                amounts.append(seen[key])
            out.current += amounts[0]
            out.proposed += amounts[1]
            differs = differs or amounts[0] != amounts[1]
        out.affected += differs
    return out


def _items(uow: UnitOfWork, body: SimulationIn) -> list[dict[str, Any]]:
    if body.publication_id is not None:
        row = publications.get(uow.session, uow.principal, body.publication_id)
        if row.county_code != body.county_code:
            raise InvalidInput("that parameter set is another county's")
        if row.status != publications.PROPOSED:
            raise Conflict(f"parameter set {row.id} is {row.status}: only a proposal is simulated")
        return list(row.items)
    items = [i.model_dump(mode="json") for i in body.items]
    errors = [e for i, item in enumerate(items) for e in check_item(i, item, uow.policy, PREFIXES)]
    if errors:
        raise InvalidInput("the proposed figures are not valid", errors=errors)
    return items


def _epochs(policy: PolicySet, months: list[date]) -> dict[date, int]:
    """Per month, how many of the policy's effective dates have passed by its last day: two
    months of one epoch have the same figures in force, whatever the parameter."""
    days = sorted(policy.effective_dates())
    return {m: bisect_right(days, month_end(m)) for m in months}


def _amounts(
    case: DibaoCase,
    months: list[date],
    current: PolicySet,
    proposed: PolicySet,
    epochs: dict[str, dict[date, int]],
    household: _Household,
    samples: list[SampleTrace],
) -> None:
    """The household's amount in each month it is on dibao, under both sets of figures; a
    month is computed again only when the facts or the figures in force differ from the last."""
    income, category = Decimal(case.annual_income), DibaoCategory(case.category)
    # The members' facts change with the month only through their ages: read again only then.
    people = [parse_resident_id(m["id_number"]) for m in case.members if m.get("active", True)]
    ages: tuple[int, ...] | None = None
    facts: Any = None
    # Per set of figures: the last month's (facts, epoch), amount and trace.
    last: dict[str, tuple[Any, Decimal, dict[str, Any]]] = {}
    for month in months:
        on = month_end(month)
        if case.effective_from > on:
            continue
        now = tuple(p.age_on(on) for p in people)
        if now != ages:
            ages, facts = now, member_facts(case.members, on)
        label = f"{month:%Y-%m}"
        for name, policy, out in (
            ("current", current, household.current),
            ("proposed", proposed, household.proposed),
        ):
            seen, key = last.get(name), (facts, epochs[name][month])
            if seen is not None and seen[0] == key:
                out[label] = seen[1]
                continue
            computed = compute(policy, case.county_code, on, facts, income, category)
            amount = computed.benefit.monthly_amount if computed.benefit.eligible else ZERO
            last[name] = (key, amount, computed.trace)
            out[label] = amount
        if (
            len(samples) < SAMPLES
            and household.current[label] != household.proposed[label]
            and all(s.case_id != case.id for s in samples)
        ):
            assert case.id is not None
            samples.append(
                SampleTrace(
                    case_id=case.id,
                    month=label,
                    current=last["current"][2],
                    proposed=last["proposed"][2],
                )
            )


def _changed(county: str, items: list[dict[str, Any]], current: PolicySet) -> list[ChangedFigure]:
    out = []
    for item in items:
        effective = date.fromisoformat(str(item["effective_from"]))
        try:
            now: Any = current.resolve(item["path"], county, effective).trace_value
        except ParameterNotFound:
            now = None
        out.append(
            ChangedFigure(
                path=item["path"],
                effective_from=effective,
                value_now=now,
                value_proposed=Decimal(str(item["value"])),
            )
        )
    return out


def _answer(
    body: SimulationIn,
    county: str,
    items: list[dict[str, Any]],
    current: PolicySet,
    households: list[_Household],
    refused: dict[str, int],
    samples: list[SampleTrace],
    started: float,
    disabled: _Disability,
) -> SimulationOut:
    labels = [f"{m:%Y-%m}" for m in body.months]
    monthly = []
    for label in labels:
        paid = [h for h in households if label in h.current]
        now = sum((h.current[label] for h in paid), ZERO)
        new = sum((h.proposed[label] for h in paid), ZERO)
        monthly.append(
            MonthCost(
                month=label,
                households=len(paid),
                current_total=now,
                proposed_total=new,
                difference=new - now,
            )
        )
    affected = [h for h in households if h.current != h.proposed]
    townships: dict[str, list[_Household]] = defaultdict(list)
    for h in affected:
        townships[h.case.township_code].append(h)
    current_total = sum((m.current_total for m in monthly), ZERO)
    proposed_total = sum((m.proposed_total for m in monthly), ZERO)
    effects = [_effect(h, labels[-1]) for h in affected]
    gains = [e for e in effects if e.difference_total > 0]
    losses = [e for e in effects if e.difference_total < 0]
    return SimulationOut(
        county_code=county,
        from_month=body.from_month,
        to_month=body.to_month,
        changed=_changed(county, items, current),
        households_on_dibao=len(households) + sum(refused.values()),
        households_affected=len(affected),
        people_affected=sum(h.people for h in affected),
        households_not_computed=sum(refused.values()),
        not_computed_reasons=sorted(refused),
        monthly=monthly,
        by_township=[
            TownshipEffect(
                township_code=code,
                township_name=division_name(code),
                households_affected=len(hs),
                people_affected=sum(h.people for h in hs),
                difference_total=sum((h.difference for h in hs), ZERO),
            )
            for code, hs in sorted(townships.items())
        ],
        funds=[
            FundCost(
                fund="dibao",
                current_total=current_total,
                proposed_total=proposed_total,
                difference=proposed_total - current_total,
                note="the county's dibao fund pays the whole amount; the seeds set no share "
                "of it for the province or the prefecture",
            ),
            FundCost(
                fund="disability_subsidies",
                current_total=disabled.current,
                proposed_total=disabled.proposed,
                difference=disabled.proposed - disabled.current,
                note="WEL-4 nursing and living subsidies (护理补贴, 生活补贴) of "
                f"the {disabled.people} people paid in the county's last cycle, on that month's "
                "facts; the living subsidy is a share of the dibao standard",
            ),
        ],
        disabled_people=disabled.people,
        disabled_people_affected=disabled.affected,
        winners=sorted(gains, key=lambda e: -e.difference_total)[:LISTED],
        losers=sorted(losses, key=lambda e: e.difference_total)[:LISTED],
        sample_traces=samples,
        seconds=round(time.perf_counter() - started, 3),
    )


def _effect(h: _Household, last: str) -> HouseholdEffect:
    assert h.case.id is not None
    return HouseholdEffect(
        case_id=h.case.id,
        household_id=h.case.household_id,
        township_code=h.case.township_code,
        people=h.people,
        current_monthly=h.current.get(last, ZERO),
        proposed_monthly=h.proposed.get(last, ZERO),
        difference_total=h.difference,
    )
