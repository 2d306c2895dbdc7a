"""The county plan's targets the other services measure (PLAN-1), for the monthly report: asked
of each service's `GET /v1/plan/targets` with the reader's own token, so each answers only what
the reader may see. A service that does not answer in time is named in the report as
unavailable; it never fails the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import httpx
from pydantic import ValidationError

from shared.plan.schemas import TargetOut, TargetsOut

TIMEOUT = httpx.Timeout(5.0, connect=2.0)
THIS_SERVICE = "employment"


@dataclass
class PeerTargets:
    targets: list[TargetOut] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # service -> why


def _why(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail") or response.reason_phrase
    except ValueError:
        detail = response.reason_phrase
    return f"HTTP {response.status_code}: {detail}"


def fetch(urls: dict[str, str], authorization: str, county: str, on: date) -> PeerTargets:
    """Every other service's targets of `county` on `on`, in the order of `urls`."""
    out = PeerTargets()
    peers = {name: url for name, url in urls.items() if name != THIS_SERVICE}
    with httpx.Client(timeout=TIMEOUT, headers={"Authorization": authorization}) as client:
        for name, url in peers.items():
            try:
                response = client.get(
                    f"{url}/v1/plan/targets", params={"county": county, "on": on.isoformat()}
                )
            except httpx.HTTPError as exc:
                out.unavailable[name] = f"no answer: {type(exc).__name__}"
                continue
            if response.status_code != 200:
                out.unavailable[name] = _why(response)
                continue
            try:
                out.targets.extend(TargetsOut.model_validate(response.json()).targets)
            except (ValueError, ValidationError) as exc:
                out.unavailable[name] = f"unreadable answer: {exc}"[:300]
    return out
