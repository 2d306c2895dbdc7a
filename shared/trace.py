"""Decision traces: every computed amount explains itself (architecture §3) with the rule IDs of
policy-rules.md, the parameters used (path, value, effective date, reference) and the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from shared.money import yuan
from shared.policy.loader import PolicySet, ResolvedParameter


class TraceStep(BaseModel):
    rule: str
    text: str
    figures: dict[str, str] = {}


class ParameterUse(BaseModel):
    path: str
    value: Any
    effective_from: date
    county: str | None
    reference: str


class TraceOut(BaseModel):
    """The stored / returned form of a trace."""

    rules: list[str]
    parameters: list[ParameterUse]
    steps: list[TraceStep]


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass
class Trace:
    steps: list[TraceStep] = field(default_factory=list)
    parameters: dict[str, ParameterUse] = field(default_factory=dict)

    def step(self, rule: str, text: str, **figures: Any) -> None:
        self.steps.append(
            TraceStep(rule=rule, text=text, figures={k: _text(v) for k, v in figures.items()})
        )

    def used(self, resolved: ResolvedParameter) -> Any:
        self.parameters[resolved.path] = ParameterUse(
            path=resolved.path,
            value=resolved.as_trace()["value"],
            effective_from=resolved.effective_from,
            county=resolved.county,
            reference=resolved.reference,
        )
        return resolved.value

    def out(self) -> TraceOut:
        rules = list(dict.fromkeys(s.rule for s in self.steps))
        return TraceOut(rules=rules, parameters=list(self.parameters.values()), steps=self.steps)


@dataclass(frozen=True)
class Params:
    """Parameters bound to a county and a date; each read is recorded in the trace."""

    policy: PolicySet
    county: str | None
    on: date

    def get(self, path: str, trace: Trace) -> Any:
        return trace.used(self.policy.resolve(path, self.county, self.on))

    def decimal(self, path: str, trace: Trace) -> Decimal:
        value = self.get(path, trace)
        if not isinstance(value, Decimal):
            raise TypeError(f"parameter {path} is not a number: {value!r}")
        return value

    def ratio(self, path: str, trace: Trace) -> Decimal:
        """A ratio parameter, checked to lie in [0, 1]."""
        value = self.decimal(path, trace)
        if not 0 <= value <= 1:
            raise ValueError(f"parameter {path} must be a ratio in [0, 1]: {value}")
        return value

    def amount(self, path: str, trace: Trace) -> Decimal:
        """A money parameter in yuan, to the fen, never negative."""
        value = yuan(self.decimal(path, trace))
        if value < 0:
            raise ValueError(f"parameter {path} must not be negative: {value}")
        return value

    def day(self, path: str, trace: Trace) -> date:
        """A date parameter."""
        value = self.get(path, trace)
        if not isinstance(value, date):
            raise TypeError(f"parameter {path} is not a date: {value!r}")
        return value
