"""Whose law a figure is: the seed documents, the county each belongs to, and the check that no
county is told another county's (or the city's) figure is its own.

A figure binds the county whose document sets it (policy-rules.md, "A figure binds the county"):
YA-HRSS and YA-GOV are 姚安's, ZA-GOV is 正安's, FL-HRSS is 浮梁's. CITY-HRSS is a city plan of no
named county, so its figures are the default for counties without their own and are illustrative
for every county. A value that is not illustrative may cite only documents of the county it is
applied to, or a national rule."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.policy.loader import ParameterNotFound, PolicySet, ResolvedParameter

# Document short name -> county code (None: the city plan, no county's own).
DOCUMENT_COUNTY: dict[str, str | None] = {
    "YA-HRSS": "532325",
    "YA-GOV": "532325",
    "ZA-GOV": "520324",
    "FL-HRSS": "360222",
    "CITY-HRSS": None,
}
SEED_COUNTIES = {"532325": "姚安", "520324": "正安", "360222": "浮梁"}
# A national rule is cited by its document number (国发〔2014〕8号) or named as one.
_NATIONAL = re.compile(r"〔\d{4}〕\d+号|national rule")
_DOCUMENT = re.compile(r"\b(" + "|".join(re.escape(d) for d in DOCUMENT_COUNTY) + r")\b")


def cited_documents(reference: str) -> set[str]:
    """The seed documents a reference cites (YA-HRSS, ZA-GOV, ...)."""
    return set(_DOCUMENT.findall(reference))


def cites_national_rule(reference: str) -> bool:
    return bool(_NATIONAL.search(reference))


@dataclass(frozen=True)
class Mismatch:
    path: str
    county: str
    on: date
    reference: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path} for {self.county} on {self.on}: {self.problem} ({self.reference!r})"


def check_resolved(item: ResolvedParameter, county: str, on: date) -> str | None:
    """Why a value applied to `county` misstates whose figure it is, or None when it is honest."""
    if item.illustrative:
        return None if item.reference.strip() else "illustrative without a reason"
    docs = cited_documents(item.reference)
    foreign = sorted(d for d in docs if DOCUMENT_COUNTY[d] != county)
    if foreign:
        return f"cites {', '.join(foreign)}, not {county}'s document, without illustrative: true"
    if not docs and not cites_national_rule(item.reference):
        return "cites neither this county's document nor a national rule"
    return None


def effective_dates(policy: PolicySet) -> list[date]:
    """Every date on which some parameter's value changes (the days worth checking)."""
    return sorted(policy.effective_dates())


def mismatches(
    policy: PolicySet, counties: Iterable[str], dates: Iterable[date] | None = None
) -> list[Mismatch]:
    """Every (parameter, county, date) whose value claims a provenance it does not have."""
    days = list(dates) if dates is not None else effective_dates(policy)
    found: list[Mismatch] = []
    seen: set[tuple[str, str, date, str]] = set()
    for county in counties:
        for on in days:
            for path in policy.paths:
                try:
                    item = policy.resolve(path, county, on)
                except ParameterNotFound:
                    continue
                key = (path, county, item.effective_from, item.reference)
                if key in seen:
                    continue
                seen.add(key)
                problem = check_resolved(item, county, on)
                if problem:
                    found.append(Mismatch(path, county, on, item.reference, problem))
    return found
