"""The county plans as data: shared/policy/plans/<county>.yaml, one file per county.

    county: "520324"
    targets:
      - id: ZA-2018-TRAINING                # unique in the county
        rule: EMP-2                         # the rule whose work the target tracks
        title_zh: 全年培训农村贫困劳动力3115人
        title_en: Train 3,115 poor labourers in 2018
        citation: ZA-GOV §三(四)1           # document and article
        quote: "全年培训农村贫困劳动力…3115人"  # verbatim from shared/policy/seeds/<document>.txt
        service: employment                 # the service that measures it
        metric: training.trained            # what the service counts (its plan sub-domain)
        unit: count                         # count | ratio | done
        target: 3115
        period_start: 2018-01-01            # records from this day count (optional)
        due: 2018-12-31
        applies_to: county                  # county | each_township: who the figure binds
        responsible: each                   # each township, or a list of township codes
        lead: 县人社局                       # 牵头部门

Files are read once while unchanged (keyed by their modification times); a plan never changes
after loading. Quotes are checked against the seeds by `quote_problems` (a unit test runs it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from shared import REPO_ROOT
from shared.plan.rules import Unit

PLANS_DIR = REPO_ROOT / "shared" / "policy" / "plans"
SEEDS_DIR = REPO_ROOT / "shared" / "policy" / "seeds"
SERVICES = ("enrollment", "medical", "employment", "welfare")
_RULE = re.compile(r"^(?:(?:REG|MED|EMP|WEL|EDU|PLAN|IND)-\d+|ENR-[PM]\d+)$")


class PlanFileError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    """One dated target of a county's plan."""

    id: str
    county: str
    rule: str
    title_zh: str
    title_en: str
    citation: str
    quote: str
    service: str
    metric: str
    unit: Unit
    target: Decimal
    period_start: date | None
    due: date
    applies_to: str  # county | each_township
    responsible: tuple[str, ...]  # ("each",) or township codes
    lead: str

    @property
    def document(self) -> str:
        return self.citation.split()[0]

    @property
    def each_township(self) -> bool:
        return self.applies_to == "each_township"


@dataclass(frozen=True)
class Plan:
    county: str
    targets: tuple[Target, ...]

    def of_service(self, service: str) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.service == service)


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PlanFileError(f"{where}: not a date: {value!r}") from None


def _target(county: str, spec: dict[str, Any], where: str) -> Target:
    required = ("id", "rule", "title_zh", "title_en", "citation", "quote", "service", "metric")
    missing = [k for k in (*required, "unit", "target", "due", "lead") if spec.get(k) in (None, "")]
    if missing:
        raise PlanFileError(f"{where}: missing {', '.join(missing)}")
    if not _RULE.match(str(spec["rule"])):
        raise PlanFileError(f"{where}: {spec['rule']!r} is not a rule ID")
    if spec["service"] not in SERVICES:
        raise PlanFileError(f"{where}: unknown service {spec['service']!r}")
    try:
        unit = Unit(spec["unit"])
    except ValueError:
        raise PlanFileError(f"{where}: unit must be count, ratio or done") from None
    target = Decimal(str(spec["target"]))
    if unit == Unit.ratio and not 0 <= target <= 1:
        raise PlanFileError(f"{where}: a ratio target lies in [0, 1]")
    applies_to = str(spec.get("applies_to", "county"))
    if applies_to not in ("county", "each_township"):
        raise PlanFileError(f"{where}: applies_to is county or each_township")
    responsible = spec.get("responsible", "each")
    codes = ("each",) if responsible == "each" else tuple(str(c) for c in responsible)
    if codes != ("each",) and any(len(c) != 9 or not c.startswith(county) for c in codes):
        raise PlanFileError(f"{where}: responsible townships are 9-digit codes of the county")
    start = spec.get("period_start")
    return Target(
        id=str(spec["id"]),
        county=county,
        rule=str(spec["rule"]),
        title_zh=str(spec["title_zh"]).strip(),
        title_en=str(spec["title_en"]).strip(),
        citation=str(spec["citation"]).strip(),
        quote=str(spec["quote"]).strip(),
        service=str(spec["service"]),
        metric=str(spec["metric"]),
        unit=unit,
        target=target,
        period_start=None if start is None else _day(start, where),
        due=_day(spec["due"], where),
        applies_to=applies_to,
        responsible=codes,
        lead=str(spec["lead"]).strip(),
    )


def read_plan(path: Path) -> Plan:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    county = str(doc.get("county", ""))
    if county != path.stem or len(county) != 6:
        raise PlanFileError(f"{path.name}: county {county!r} must be the file's name")
    targets = tuple(
        _target(county, spec, f"{path.name}: target {i + 1}")
        for i, spec in enumerate(doc.get("targets") or ())
    )
    ids = [t.id for t in targets]
    if len(ids) != len(set(ids)):
        raise PlanFileError(f"{path.name}: a target id is used twice")
    return Plan(county, targets)


_CACHE: dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, Plan]] = {}


def load_plans(directory: Path = PLANS_DIR) -> dict[str, Plan]:
    """Every county's plan, read once while the files are unchanged."""
    files = sorted(Path(directory).glob("*.yaml"))
    key = (str(directory), tuple((f.name, f.stat().st_mtime_ns) for f in files))
    plans = _CACHE.get(key)
    if plans is None:
        plans = {p.county: p for p in (read_plan(f) for f in files)}
        _CACHE.clear()
        _CACHE[key] = plans
    return plans


def plan_of(county: str, directory: Path = PLANS_DIR) -> Plan:
    """The county's plan; a county without one has no targets."""
    return load_plans(directory).get(county, Plan(county, ()))


def _squash(text: str) -> str:
    # The seeds wrap and space Chinese text irregularly: compare without whitespace.
    return re.sub(r"\s+", "", text)


def quote_problems(directory: Path = PLANS_DIR, seeds: Path = SEEDS_DIR) -> list[str]:
    """Targets whose quote is not verbatim in the seed their citation names."""
    problems = []
    for plan in load_plans(directory).values():
        for t in plan.targets:
            path = seeds / f"{t.document}.txt"
            if not path.exists() or _squash(t.quote) not in _squash(path.read_text("utf-8")):
                problems.append(f"{plan.county} {t.id}: quote not in {t.document}")
    return problems
