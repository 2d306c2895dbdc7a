"""From stored members and incomes to the pure rules' facts, and the benefit with its trace
(WEL-2, WEL-3). The one place where the dibao shell calls the benefit rules, so that an
application, a review, a death in the household and the monthly payment all compute alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.welfare.dibao.rules import (
    CategoryFacts,
    CategoryProposal,
    DibaoBenefit,
    DibaoCategory,
    HouseholdBenefitFacts,
    MemberFacts,
    WorkAbility,
    dibao_benefit,
    propose_category,
)
from shared.ids import parse_resident_id
from shared.policy import PolicySet
from shared.policy.loader import SHIPPED
from shared.trace import Params, Trace


def member_facts(members: Iterable[Mapping[str, Any]], on: date) -> tuple[MemberFacts, ...]:
    """Stored member dicts (as MemberIn dumps them) to rule facts; age from the ID number."""
    out = []
    for m in members:
        if not m.get("active", True):
            continue
        out.append(
            MemberFacts(
                person_id=m["id_number"],
                age=parse_resident_id(m["id_number"], today=on).age_on(on),
                work_ability=WorkAbility(m["work_ability"]),
                self_care=bool(m.get("self_care", True)),
                disability_grade=m.get("disability_grade"),
                serious_illness=bool(m.get("serious_illness", False)),
                chronic_illness=bool(m.get("chronic_illness", False)),
            )
        )
    return tuple(out)


def propose(
    policy: PolicySet, county: str, on: date, members: tuple[MemberFacts, ...]
) -> CategoryProposal:
    return propose_category(CategoryFacts(members), Params(policy, county, on))


@dataclass(frozen=True)
class Computed:
    benefit: DibaoBenefit
    trace: dict[str, Any]
    policy_key: str


def compute(
    policy: PolicySet,
    county: str,
    on: date,
    members: tuple[MemberFacts, ...],
    annual_income: Decimal,
    category: DibaoCategory,
    *,
    trace: Trace | None = None,
) -> Computed:
    """WEL-3: the household's monthly benefit on `on`, with its trace and the key of the
    parameters it used (a payment run recomputes only when that key changes)."""
    trace = Trace() if trace is None else trace
    benefit = dibao_benefit(
        HouseholdBenefitFacts(members=members, annual_income=annual_income, category=category),
        Params(policy, county, on),
        trace=trace,
    )
    out = trace.out()
    return Computed(benefit, out.model_dump(mode="json"), policy_key(out.model_dump(mode="json")))


def policy_key(trace: Mapping[str, Any]) -> str:
    """The parameters a computation used, each with the date of its value in force."""
    used = sorted(_key_part(p["path"], p["effective_from"], p.get("source")) for p in
                  trace.get("parameters", []))  # fmt: skip
    return ";".join(used)


def _key_part(path: str, effective: str, source: str | None) -> str:
    # A county's publication that corrects a figure of the same date is another figure: its
    # source is part of the key (shipped figures keep the key they always had).
    if source and source != SHIPPED:
        return f"{path}@{effective}#{source}"
    return f"{path}@{effective}"


def current_key(policy: PolicySet, county: str, on: date, key: str) -> str:
    """The same parameters' key on another date: different iff a value changed since."""
    parts = []
    for item in key.split(";") if key else []:
        path = item.split("@", 1)[0]
        resolved = policy.resolve(path, county, on)
        parts.append(_key_part(path, resolved.effective_from.isoformat(), resolved.source))
    return ";".join(sorted(parts))
