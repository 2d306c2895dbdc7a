"""What a proposed figure must be, as the shipped parameter files are checked: a parameter the
service owns, a number of the parameter's unit within its range, and a citation of the county's
own document, or `illustrative` with the reason. Pure: no I/O."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import FieldError
from shared.policy.loader import ParameterNotFound, PolicySet, PublishedFigure

# Units of the figures a county publishes here; other parameters (lists, tables, choices)
# change with a release of the parameter files.
_MONEY = "yuan"
_WHOLE = frozenset({"months", "years", "days", "count", "grade"})
MAX_MONEY = Decimal("10000000")  # ten million yuan: past any benefit a county pays


def field_error(field: str, reason: str, value: Any = None) -> FieldError:
    return FieldError(field=field, reason=reason, value=value)


def owned(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


def check_item(
    index: int, item: dict[str, Any], policy: PolicySet, prefixes: tuple[str, ...]
) -> list[FieldError]:
    """The reasons item `index` of a proposal cannot be published (none: it can)."""
    where = f"items[{index}]"
    path = str(item.get("path", ""))
    if not owned(path, prefixes):
        owners = ", ".join(p.rstrip(".") for p in prefixes)
        return [field_error(f"{where}.path", f"not a parameter of this service ({owners})", path)]
    try:
        unit, shipped = policy.parameter(path)
    except ParameterNotFound:
        return [field_error(f"{where}.path", "no such parameter", path)]
    errors: list[FieldError] = []
    value = item.get("value")
    reason = _value_problem(unit, shipped, value)
    if reason:
        errors.append(field_error(f"{where}.value", reason, value))
    if not item.get("illustrative") and not str(item.get("reference") or "").strip():
        errors.append(
            field_error(f"{where}.reference", "cite the document and article that set the figure")
        )
    if item.get("illustrative") and not str(item.get("illustrative_reason") or "").strip():
        errors.append(
            field_error(
                f"{where}.illustrative_reason", "an illustrative figure says why it is used"
            )
        )
    return errors


def _value_problem(unit: str | None, shipped: Any, value: Any) -> str | None:
    if not isinstance(shipped, Decimal) or isinstance(shipped, bool):
        return f"only numeric figures are published here; {unit or 'this parameter'} is not"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return 'a number, e.g. "4200" or "0.9"'
    if not number.is_finite():
        return "a finite number"
    unit = unit or ""
    if unit == "ratio":
        if not Decimal(0) <= number <= Decimal(1):
            return "a ratio from 0 to 1"
        return None
    if unit.startswith(_MONEY):
        if number < 0 or number > MAX_MONEY:
            return f"yuan from 0 to {MAX_MONEY:,}"
        if number != number.quantize(Decimal("0.01")):
            return "yuan to the fen (two decimals at most)"
        return None
    if unit in _WHOLE:
        if number != number.to_integral_value() or number < 0:
            return f"a whole number of {unit}"
        return None
    return f"figures in {unit} are not published here"


def figures(source: str, county: str, items: list[dict[str, Any]]) -> list[PublishedFigure]:
    """The figures of a set (`source`: "publication 7", or a simulation's), as the policy
    overlays them."""
    out = []
    for item in items:
        illustrative = bool(item.get("illustrative"))
        reference = str(item.get("reference") or "").strip()
        if illustrative:
            why = str(item.get("illustrative_reason") or "").strip()
            reference = f"{reference}; illustrative: {why}" if reference else f"illustrative: {why}"
        out.append(
            PublishedFigure(
                path=item["path"],
                county=county,
                effective=date.fromisoformat(str(item["effective_from"])),
                value=Decimal(str(item["value"])),
                reference=reference,
                illustrative=illustrative,
                source=source,
            )
        )
    return out
