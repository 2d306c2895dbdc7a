"""Decision traces: every computed amount explains itself (architecture §3) with the rule IDs of
policy-rules.md, the parameters used (path, value, effective date, reference) and the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, Field, model_validator

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
    illustrative: bool = Field(
        default=False,
        description="True when no document of the decision's county nor a national rule sets "
        "this figure: the reference says why it is used anyway.",
    )
    source: str = Field(
        default="shipped",
        description="Where the figure comes from: `shipped` (the parameter files) or the county's "
        "`publication N` (GET /v1/policy/publications/N: who published it, when and why)",
    )


ILLUSTRATIVE_DESCRIPTION = (
    "Paths of the policy parameters this decision used that are illustrative for its county: "
    "no document of that county nor a national rule sets the figure (the trace gives each one's "
    "reference and reason). An integrator may refuse to pay on a decision that lists any."
)


class TraceOut(BaseModel):
    """The stored / returned form of a trace."""

    rules: list[str]
    parameters: list[ParameterUse]
    steps: list[TraceStep]
    illustrative_parameters: list[str] = Field(
        default_factory=list, description=ILLUSTRATIVE_DESCRIPTION
    )


class Provenance(BaseModel):
    """Mixin of decision responses and events: which figures are illustrative for the county."""

    illustrative_parameters: list[str] = Field(
        default_factory=list, description=ILLUSTRATIVE_DESCRIPTION
    )


class TracedProvenance(Provenance):
    """A response that carries a decision's trace(s): `illustrative_parameters` is filled from
    the fields named in `trace_fields` when not given, so no route can forget it."""

    trace_fields: ClassVar[tuple[str, ...]] = ("trace",)

    @model_validator(mode="after")
    def _fill_illustrative(self) -> Any:
        if not self.illustrative_parameters:
            traces = (getattr(self, name, None) for name in self.trace_fields)
            self.illustrative_parameters = illustrative_of(*(t for t in traces if t))
        return self


def illustrative_of(*traces: dict[str, Any] | TraceOut | Trace | None) -> list[str]:
    """The illustrative parameter paths of stored or live traces, sorted and once each. A stored
    trace written before the flag existed lists none (it cannot be told from the JSON)."""
    paths: set[str] = set()
    for trace in traces:
        if trace is None:
            continue
        if isinstance(trace, Trace):
            paths.update(trace.illustrative())
            continue
        if isinstance(trace, TraceOut):
            trace = trace.model_dump(mode="json")
        for use in trace.get("parameters") or ():
            if isinstance(use, dict) and use.get("illustrative"):
                paths.add(str(use.get("path")))
        paths.update(str(p) for p in trace.get("illustrative_parameters") or ())
    return sorted(paths)


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
            value=resolved.trace_value,
            effective_from=resolved.effective_from,
            county=resolved.county,
            reference=resolved.reference,
            illustrative=resolved.illustrative,
            source=resolved.source,
        )
        return resolved.value

    def illustrative(self) -> list[str]:
        return sorted(p.path for p in self.parameters.values() if p.illustrative)

    def out(self) -> TraceOut:
        rules = list(dict.fromkeys(s.rule for s in self.steps))
        return TraceOut(
            rules=rules,
            parameters=list(self.parameters.values()),
            steps=self.steps,
            illustrative_parameters=self.illustrative(),
        )


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

    def whole(self, path: str, trace: Trace, *, minimum: int = 0) -> int:
        """A whole-number parameter (months, days, counts), at least `minimum`."""
        value = self.decimal(path, trace)
        if value != value.to_integral_value() or value < minimum:
            raise ValueError(f"parameter {path} must be a whole number >= {minimum}: {value}")
        return int(value)

    def day(self, path: str, trace: Trace) -> date:
        """A date parameter."""
        value = self.get(path, trace)
        if not isinstance(value, date):
            raise TypeError(f"parameter {path} is not a date: {value!r}")
        return value
