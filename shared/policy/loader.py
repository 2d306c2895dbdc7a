"""Loads the parameter files and resolves a value for a county and a date (architecture §2).

A file maps a dotted path to a parameter:

    medical.guarantee.target_ratio:
      description: ...
      unit: ratio
      reference: "YA-GOV §三(六); ZA-GOV §三(二)2 (MED-2)"
      values:
        2017-01-01: 0.90
      counties:
        "520324":
          reference: ...
          values: {2018-01-01: ...}

Numbers are read as Decimal (never float). A county's own value, when it has one in force on the
date, wins over the default; otherwise the default applies. A county's value carries its own
`reference` and is `illustrative` only when it says so: the default's flag and citation describe
the default alone. A parameter with no default `values` serves only the counties that have a
figure; any other county asking for it gets ParameterNotFound (422) naming the path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from shared.errors import DomainError


class ParameterNotFound(DomainError, LookupError):
    """A claim dated before a parameter existed (or a county with no value then): bad input for
    the request that asked, answered 422, never a server error."""

    status, title, slug = 422, "No policy parameter in force", "parameter-not-in-force"


class PolicyFileError(ValueError):
    pass


class _DecimalLoader(yaml.SafeLoader):
    pass


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node))


def _int_as_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:int", _int_as_decimal)


SHIPPED = "shipped"  # the source of a figure of the parameter files


@dataclass(frozen=True)
class _Version:
    effective: date
    value: Any
    reference: str
    illustrative: bool
    # Where the figure comes from: the shipped files, or a county's publication ("publication 7",
    # shared.policy.publication), which a decision's trace then cites.
    source: str = SHIPPED


@dataclass(frozen=True)
class ResolvedParameter:
    path: str
    value: Any
    unit: str | None
    effective_from: date
    reference: str
    county: str | None  # the county whose override applied, or None for the default
    illustrative: bool
    description: str
    source: str = SHIPPED

    @cached_property
    def trace_value(self) -> Any:
        """The value as a trace records it (JSON-safe), made once per resolved version."""
        return _jsonable(self.value)

    def as_trace(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "value": self.trace_value,
            "effective_from": self.effective_from.isoformat(),
            "county": self.county,
            "reference": self.reference,
            "illustrative": self.illustrative,
        }
        if self.source != SHIPPED:
            out["source"] = self.source  # the county's publication that set the figure
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class _Parameter:
    path: str
    description: str
    unit: str | None
    default: tuple[_Version, ...]
    counties: dict[str, tuple[_Version, ...]]


def _versions(
    path: str, spec: dict[str, Any], inherited_ref: str, illustrative: bool
) -> tuple[_Version, ...]:
    values = spec.get("values")
    if not isinstance(values, dict) or not values:
        raise PolicyFileError(f"{path}: 'values' must map effective dates to values")
    reference = spec.get("reference", inherited_ref)
    if not reference:
        raise PolicyFileError(f"{path}: every value needs a 'reference'")
    out = []
    for key, value in values.items():
        effective = key if isinstance(key, date) else date.fromisoformat(str(key))
        if isinstance(value, dict) and "value" in value:
            out.append(
                _Version(
                    effective,
                    value["value"],
                    value.get("reference", reference),
                    bool(value.get("illustrative", spec.get("illustrative", illustrative))),
                )
            )
        else:
            out.append(
                _Version(effective, value, reference, bool(spec.get("illustrative", illustrative)))
            )
    return tuple(sorted(out, key=lambda v: v.effective))


_LOADED: dict[tuple[str, tuple[tuple[str, int, int], ...]], PolicySet] = {}


class PolicySet:
    def __init__(self, parameters: dict[str, _Parameter], shipped: PolicySet | None = None) -> None:
        self._parameters = parameters
        # The set of the parameter files this one lays counties' published figures over.
        self.shipped: PolicySet = shipped or self
        # One ResolvedParameter per (path, county, version): a decision reads a dozen figures,
        # and building each anew (with its JSON-safe value) showed in every settlement's cost.
        self._resolved: dict[tuple[str, str | None, int], ResolvedParameter] = {}

    @classmethod
    def load(cls, directory: Path) -> PolicySet:
        """The parameter files of `directory`, read once while they are unchanged (a set is
        never modified after loading, so every service in a process shares it)."""
        files = sorted(Path(directory).glob("*.yaml"))
        if not files:
            raise PolicyFileError(f"no parameter files in {directory}")
        key = (
            str(Path(directory).resolve()),
            tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files),
        )
        loaded = _LOADED.get(key)
        if loaded is None:
            loaded = _LOADED[key] = cls._read(files)
        return loaded

    @classmethod
    def _read(cls, files: list[Path]) -> PolicySet:
        parameters: dict[str, _Parameter] = {}
        for file in files:
            doc = yaml.load(file.read_text(encoding="utf-8"), Loader=_DecimalLoader) or {}
            for path, spec in doc.items():
                if path in parameters:
                    raise PolicyFileError(f"{path} defined twice ({file.name})")
                if not isinstance(spec, dict):
                    raise PolicyFileError(f"{path}: must be a mapping")
                illustrative = bool(spec.get("illustrative", False))
                reference = spec.get("reference", "")
                # A county's figure is its own: it states its own citation and is illustrative
                # only when it says so (the default's flag describes the default alone).
                counties = {
                    str(code): _versions(f"{path}[{code}]", cspec, "", False)
                    for code, cspec in (spec.get("counties") or {}).items()
                }
                default = _versions(path, spec, reference, illustrative) if "values" in spec else ()
                parameters[path] = _Parameter(
                    path=path,
                    description=str(spec.get("description", "")).strip(),
                    unit=spec.get("unit"),
                    default=default,
                    counties=counties,
                )
        return cls(parameters)

    def overlaid(self, figures: Iterable[PublishedFigure]) -> PolicySet:
        """This set with counties' published figures added (`figures` in publication order: a
        later one for the same parameter, county and date replaces an earlier one, as it
        replaces a shipped figure of that date). The set itself is unchanged."""
        parameters = dict(self._parameters)
        for figure in figures:
            param = parameters.get(figure.path)
            if param is None:
                raise PolicyFileError(f"{figure.source}: no parameter {figure.path}")
            versions = {v.effective: v for v in param.counties.get(figure.county, ())}
            versions[figure.effective] = _Version(
                figure.effective, figure.value, figure.reference, figure.illustrative,
                figure.source,
            )  # fmt: skip
            ordered = tuple(sorted(versions.values(), key=lambda v: v.effective))
            parameters[figure.path] = replace(
                param, counties={**param.counties, figure.county: ordered}
            )
        return PolicySet(parameters, self.shipped)

    def parameter(self, path: str) -> tuple[str | None, Any]:
        """(unit, a value of the parameter as shipped): what a published figure must match."""
        param = self._parameters.get(path)
        if param is None:
            raise ParameterNotFound(f"no parameter {path}")
        versions = param.default or next(iter(param.counties.values()), ())
        return param.unit, versions[-1].value if versions else None

    @property
    def paths(self) -> list[str]:
        return sorted(self._parameters)

    def effective_dates(self) -> set[date]:
        """Every date on which some value (default or a county's) takes effect."""
        days: set[date] = set()
        for param in self._parameters.values():
            days.update(v.effective for v in param.default)
            for versions in param.counties.values():
                days.update(v.effective for v in versions)
        return days

    def counties(self) -> set[str]:
        """The counties that have a figure of their own for some parameter."""
        return {code for p in self._parameters.values() for code in p.counties}

    def resolve(self, path: str, county: str | None, on: date) -> ResolvedParameter:
        param = self._parameters.get(path)
        if param is None:
            raise ParameterNotFound(f"no parameter {path}")
        if county is not None:
            version = _in_force(param.counties.get(county, ()), on)
            if version is not None:
                return self._once(param, version, county)
        version = _in_force(param.default, on)
        if version is None:
            where = f" for county {county}" if county else ""
            why = (
                ": no default is shipped, the county must publish its own figure"
                if not param.default
                else ""
            )
            raise ParameterNotFound(f"{path} has no value in force on {on.isoformat()}{where}{why}")
        return self._once(param, version, None)

    def _once(self, param: _Parameter, version: _Version, county: str | None) -> ResolvedParameter:
        # Versions live as long as the set, so their identity is a stable key.
        key = (param.path, county, id(version))
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = _resolved(param, version, county)
        return found

    def value(self, path: str, county: str | None, on: date) -> Any:
        return self.resolve(path, county, on).value

    def resolve_all(self, county: str | None, on: date) -> list[ResolvedParameter]:
        out = []
        for path in self.paths:
            try:
                out.append(self.resolve(path, county, on))
            except ParameterNotFound:
                continue  # not yet (or not here) in force on that date
        return out


def _in_force(versions: tuple[_Version, ...], on: date) -> _Version | None:
    current = None
    for version in versions:
        if version.effective <= on:
            current = version
    return current


def _resolved(param: _Parameter, version: _Version, county: str | None) -> ResolvedParameter:
    return ResolvedParameter(
        path=param.path,
        value=version.value,
        unit=param.unit,
        effective_from=version.effective,
        reference=version.reference,
        county=county,
        illustrative=version.illustrative,
        description=param.description,
        source=version.source,
    )


@dataclass(frozen=True)
class PublishedFigure:
    """One figure of a county's published parameter set (shared.policy.publication)."""

    path: str
    county: str
    effective: date
    value: Any
    reference: str
    illustrative: bool
    source: str  # "publication 7"
