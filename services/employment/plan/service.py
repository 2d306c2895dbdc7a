"""The employment targets of the county plans (PLAN-1, PLAN-2), measured from this service's
records, and the business-leader training (致富带头人培训, ZA-GOV §三(四)4) the townships record.

Metrics (township code → count / base, as of a day):
- training.trained: registered poor labourers who completed a training between the target's
  period start and the day (EMP-2), by their township when enrolled.
- training.placed_after: of those, the ones with a placement starting on or after their first
  completion in the period and by the day (EMP-2 培训后就业率).
- training.coverage / training.two_after_coverage: the EMP-2 coverage of labourers to be trained
  and of the 两后生 (services.employment.training.indicators), by township.
- jobs.recommended: registered poor labourers with a recommendation (EMP-3) in the day's year,
  by the day.
- jobs.fairs: recruitment fairs (EMP-3) held between the period start and the day.
- leaders.*: trainees of the business-leader sessions ended by the day: trained, poor, employed;
  leaders.sessions counts the county's sessions (under the county's code)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar, cast

from services.employment.jobs.rules import REGISTERED_POOR
from services.employment.plan.models import LeaderSession, LeaderTrainee
from services.employment.plan.repository import (
    Completions,
    Fairs,
    LeaderSessions,
    LeaderTrainees,
    Registry,
)
from services.employment.plan.schemas import (
    EmploymentIn,
    LeaderSessionIn,
    LeaderSessionOut,
    TargetsOut,
    TraineeOut,
)
from services.employment.report.repository import coverage_by_township, recommended_by_township
from shared.bus.tables import utcnow
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.plan import answer
from shared.plan.rules import Measure
from shared.plan.targets import Target
from shared.repository import in_jurisdiction
from shared.trace import Trace
from shared.uow import UnitOfWork

SERVICE = "employment"
T = TypeVar("T")
COUNTY_DIGITS = 6


def _prefix(uow: UnitOfWork) -> str:
    """The caller's township (or village) when narrower than a county: the figures are its own."""
    scope = uow.principal.scope
    return scope if len(scope) > COUNTY_DIGITS else ""


def trained(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric training.trained (EMP-2): people trained in the period, per township."""
    firsts = Completions(uow.session, uow.principal).first_completion(
        target.county, target.period_start, on
    )
    counts: dict[str, int] = defaultdict(int)
    for township, _ in firsts.values():
        counts[township] += 1
    return {code: Measure(n) for code, n in counts.items()}


def placed_after(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric training.placed_after (EMP-2 培训后就业率): of the people trained in the
    period, those in a job started on or after their first completion, by the day."""
    repo = Completions(uow.session, uow.principal)
    firsts = repo.first_completion(target.county, target.period_start, on)
    starts = repo.placement_starts(list(firsts), on)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person_id, (township, first) in firsts.items():
        out[township][1] += 1
        if any(start >= first for start in starts.get(person_id, ())):
            out[township][0] += 1
    return {code: Measure(placed, base) for code, (placed, base) in out.items()}


def _once(uow: UnitOfWork, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per unit of work and key. The plan's targets ask for the census and its
    coverage counts per target and per day (a dozen times for one answer), each reading the
    whole county; the targets are read-only answers, so nothing changes in between."""
    memo = uow.session.info.setdefault("plan.memo", {})
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


def _coverage(uow: UnitOfWork, target: Target, on: date, two_after: bool) -> dict[str, Measure]:
    """The EMP-2 coverage counts per township (the training indicators' counting, without the
    placement figures, whose parameters start later than some targets), counted in the database
    as the monthly report counts them."""
    counts = _once(
        uow,
        ("coverage", target.county, on),
        lambda: coverage_by_township(uow.session, target.county, on, uow.policy, _prefix(uow)),
    )
    return {
        code: (
            Measure(c.two_after_trained, c.two_after_base)
            if two_after
            else Measure(c.trained, c.base)
        )
        for code, c in counts.items()
    }


def coverage(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric training.coverage (EMP-2 100%开展培训), per township."""
    return _coverage(uow, target, on, two_after=False)


def two_after_coverage(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric training.two_after_coverage (EMP-2, the 两后生), per township."""
    return _coverage(uow, target, on, two_after=True)


def recommended(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric jobs.recommended (EMP-3 100%推荐就业岗位): registered poor labourers alive
    on the day with at least one recommendation in the day's year by the day, per township."""
    counts = recommended_by_township(uow.session, target.county, on, uow.policy, _prefix(uow))
    return {code: Measure(n, base) for code, (n, base) in counts.items()}


def fairs(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric jobs.fairs (EMP-3 现场招聘活动): fairs held in the period, per township."""
    counts = Fairs(uow.session, uow.principal).per_township(target.county, target.period_start, on)
    return {code: Measure(n) for code, n in counts.items()}


def _leaders(uow: UnitOfWork, target: Target, on: date) -> list[tuple[str, bool, date | None]]:
    return list(
        LeaderTrainees(uow.session, uow.principal).trained(target.county, target.period_start, on)
    )


def leaders_trained(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric leaders.trained (EMP-2 培训农村致富带头人300人), per township."""
    counts: dict[str, int] = defaultdict(int)
    for township, _, _ in _leaders(uow, target, on):
        counts[township] += 1
    return {code: Measure(n) for code, n in counts.items()}


def leaders_poor(uow: UnitOfWork, target: Target, on: date, trace: Trace) -> Mapping[str, Measure]:
    """PLAN-1 metric leaders.poor_share (EMP-2 贫困劳动力占50%), per township."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for township, poor, _ in _leaders(uow, target, on):
        out[township][1] += 1
        out[township][0] += int(poor)
    return {code: Measure(n, base) for code, (n, base) in out.items()}


def leaders_employed(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric leaders.employed (EMP-2 培训后就业率达100%), per township."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for township, _, employed_on in _leaders(uow, target, on):
        out[township][1] += 1
        out[township][0] += int(employed_on is not None and employed_on <= on)
    return {code: Measure(n, base) for code, (n, base) in out.items()}


def leader_sessions(
    uow: UnitOfWork, target: Target, on: date, trace: Trace
) -> Mapping[str, Measure]:
    """PLAN-1 metric leaders.sessions (EMP-2 4期): the county's sessions ended by the day."""
    n = LeaderSessions(uow.session, uow.principal).held(target.county, target.period_start, on)
    return {target.county: Measure(n)} if n else {}


METRICS: dict[str, answer.Metric] = {
    "training.trained": trained,
    "training.placed_after": placed_after,
    "training.coverage": coverage,
    "training.two_after_coverage": two_after_coverage,
    "jobs.recommended": recommended,
    "jobs.fairs": fairs,
    "leaders.trained": leaders_trained,
    "leaders.poor_share": leaders_poor,
    "leaders.employed": leaders_employed,
    "leaders.sessions": leader_sessions,
}


def targets(uow: UnitOfWork, county: str, on: date | None) -> TargetsOut:
    """PLAN-1, PLAN-2: the county's employment targets on `on`."""
    return answer.targets(uow, SERVICE, county, on, METRICS)


# --- business-leader training (致富带头人培训) --------------------------------------------------


def _trainee_out(t: LeaderTrainee) -> TraineeOut:
    return TraineeOut.model_validate(t, from_attributes=True)


def session_out(uow: UnitOfWork, s: LeaderSession) -> LeaderSessionOut:
    assert s.id is not None
    rows = LeaderTrainees(uow.session, uow.principal).of_session(s.id)
    return LeaderSessionOut(
        id=s.id,
        county_code=s.county_code,
        name=s.name,
        provider=s.provider,
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        trainees=[_trainee_out(t) for t in rows],
    )


def record_session(uow: UnitOfWork, body: LeaderSessionIn) -> LeaderSession:
    """A session of the business-leader training (ZA-GOV §三(四)4, PLAN-1) with its trainees: a
    registered person is poor when registered poor on the session's last day (EMP-2)."""
    if not in_jurisdiction(uow.principal, body.county_code, county_wide=True):
        raise NotFound("no such county in your jurisdiction")
    errors = []
    if body.ends_on < body.starts_on:
        errors.append(FieldError(field="ends_on", reason="before starts_on"))
    if body.ends_on > uow.today():
        errors.append(FieldError(field="ends_on", reason="the session has not ended yet"))
    registry = Registry(uow.session, None)
    rows = []
    for i, t in enumerate(body.trainees):
        if t.person_id is not None:
            person = registry.person(t.person_id)
            if person is None or person.county_code != body.county_code:
                errors.append(
                    FieldError(
                        field=f"trainees[{i}].person_id",
                        reason="not a registered person of the county",
                    )
                )
                continue
            poor = person.poverty_status in REGISTERED_POOR
            name, township = person.name, person.township_code
        else:
            assert t.name is not None and t.township_code is not None
            if not t.township_code.startswith(body.county_code):
                errors.append(
                    FieldError(field=f"trainees[{i}].township_code", reason="not in county_code")
                )
                continue
            poor, name, township = False, t.name, t.township_code
        rows.append((t.person_id, poor, name, township))
    if errors:
        raise InvalidInput("the session cannot be recorded", errors=errors)
    session = LeaderSession(
        county_code=body.county_code,
        name=body.name,
        provider=body.provider,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        created_by=uow.actor,
    )
    LeaderSessions(uow.session, uow.principal).add(session, flush=True)
    assert session.id is not None
    trainees = LeaderTrainees(uow.session, uow.principal)
    for person_id, poor, name, township in rows:
        trainees.add(
            LeaderTrainee(
                session_id=session.id,
                county_code=body.county_code,
                township_code=township,
                name=name,
                person_id=person_id,
                poor=poor,
                created_by=uow.actor,
            )
        )
    uow.session.flush()
    return session


def record_employment(uow: UnitOfWork, trainee_id: int, body: EmploymentIn) -> LeaderTrainee:
    """The township records a trainee in work after training (PLAN-1, ZA-GOV §三(四)4)."""
    # Locked: employment is recorded once, and a second post at the same moment finds it.
    trainee = LeaderTrainees(uow.session, uow.principal).get_or_404(trainee_id, lock=True)
    session = LeaderSessions(uow.session, None).get_or_404(trainee.session_id)
    if trainee.employed_on is not None:
        raise Conflict(f"employment recorded already on {trainee.employed_on.isoformat()}")
    if body.employed_on < session.starts_on or body.employed_on > uow.today():
        raise InvalidInput(
            "the employment day is outside the session's start and today",
            errors=[FieldError(field="employed_on", reason="before the session or in the future")],
        )
    trainee.employed_on = body.employed_on
    trainee.employer = body.employer
    trainee.updated_at = utcnow()
    uow.session.add(trainee)
    uow.session.flush()
    return trainee


def sessions(uow: UnitOfWork, county: str) -> list[LeaderSessionOut]:
    return [
        session_out(uow, s) for s in LeaderSessions(uow.session, uow.principal).of_county(county)
    ]
