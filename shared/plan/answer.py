"""What every service's `GET /v1/plan/targets` does (PLAN-1, PLAN-2), given the metrics the
service measures in its own records: the county's targets of that service, each with its progress
on the day asked. The metric functions read through the service's scoped repositories, so a
township officer's figures are their own township's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import partial

from shared.errors import FieldError, InvalidInput, NotFound
from shared.plan.progress import progress
from shared.plan.rules import Measure
from shared.plan.schemas import TargetsOut
from shared.plan.targets import Target, plan_of
from shared.repository import in_jurisdiction
from shared.trace import Trace
from shared.uow import UnitOfWork

Metric = Callable[[UnitOfWork, Target, date, Trace], Mapping[str, Measure]]
TOWNSHIP_DIGITS = 9


def targets(
    uow: UnitOfWork,
    service: str,
    county: str,
    on: date | None,
    metrics: Mapping[str, Metric],
) -> TargetsOut:
    """PLAN-1, PLAN-2: each target of `county` that `service` measures, on `on` (today if not
    given). A county outside the caller's jurisdiction is missing (404)."""
    if not in_jurisdiction(uow.principal, county, county_wide=True):
        raise NotFound("no such county in your jurisdiction")
    day = uow.today() if on is None else on
    if day > uow.today():
        raise InvalidInput(
            "the day has not come",
            errors=[FieldError(field="on", reason="in the future", value=day.isoformat())],
        )
    params = uow.params(county, day)
    out = []
    for target in plan_of(county).of_service(service):
        metric = metrics.get(target.metric)
        if metric is None:
            raise LookupError(f"{service} measures no {target.metric!r} ({target.id})")
        out.append(progress(target, day, params, partial(metric, uow)))
    scope = uow.principal.scope
    return TargetsOut(
        county_code=county,
        on=day,
        service=service,
        township=scope[:TOWNSHIP_DIGITS] if len(scope) > len(county) else None,
        targets=out,
    )
