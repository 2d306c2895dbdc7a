"""Cell parsers for the spreadsheets county staff send: each raises ValueError with a reason."""

from __future__ import annotations

TRUE = {"是", "y", "yes", "true", "1", "有"}
FALSE = {"否", "n", "no", "false", "0", "无", ""}


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"expected 是/否 (yes/no), got {raw!r}")


def parse_int(raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ValueError(f"expected a whole number, got {raw!r}") from exc
    if not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}")
    return value


def parse_grade(raw: str) -> int | None:
    """残疾等级: empty (none), 1-4, or 一级..四级."""
    value = raw.strip().replace("级", "")
    if not value or value in ("无", "否"):
        return None
    value = {"一": "1", "二": "2", "三": "3", "四": "4"}.get(value, value)
    return parse_int(value, 1, 4)
