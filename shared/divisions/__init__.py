"""Names of the administrative divisions (乡镇, 行政村) beside their codes, per county, for the
lists county staff read. A county's file names its source; codes without a name stay codes."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DIR = Path(__file__).parent


@cache
def _catalogue() -> dict[str, str]:
    names: dict[str, str] = {}
    for path in sorted(_DIR.glob("*.yaml")):
        county: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        names[str(county["county_code"])] = str(county["county_name"])
        for level in ("townships", "villages"):
            names.update({str(k): str(v) for k, v in (county.get(level) or {}).items()})
    return names


def division_name(code: object) -> str | None:
    """The name of a county, township or village code, or None when the catalogue has none."""
    return _catalogue().get(str(code)) if code else None


def county_name(county_code: str) -> str | None:
    return division_name(county_code)
