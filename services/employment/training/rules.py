"""Training rules (技能培训, EMP-2) and the job-seeking subsidy (求职创业补贴, EMP-7): the
department-per-township assignment, training coverage of willing labourers and of 两后生, the
placement rate after training, and who gets the 500-yuan subsidy.

Pure functions: facts and `Params` in, a result with its `Trace` out. No database, clock or I/O.

Reading of the seeds
--------------------
- EMP-2, who must be trained: the seeds differ. CITY-HRSS §二 wants 有就业能力和培训意愿的农村
  贫困人口100%参加免费职业技能培训 and ZA-GOV §一(六) 有培训意愿和就业能力的贫困劳动力 trained:
  the base is the labourers who wish to train ("willing"). YA-HRSS §三(一) wants 100% of the
  建档立卡贫困户劳动力 trained (两个百分之百), every labourer ("all"). The base is the parameter
  `employment.training.coverage_base`: "all" for 姚安 (532325), "willing" for 正安 (520324), and
  an illustrative "willing" (the city plan's) elsewhere.
- EMP-2, 两后生: YA-HRSS §三(一) targets 初、高中毕业后未能升学，有培训和就业愿望的贫困家庭学生
  (the base is the 两后生 who wish to train or to work); its table §三(二)1(5) repeats the 100% for
  the 两后生 of every registered household, run county-wide by 县教育局. The goal's wording with the
  wish is taken (`employment.two_after.coverage_base` = "willing"); "all" drops the wish.
- EMP-2, departments: YA-HRSS §三(二)1 trains 部门包乡镇: 人社局 弥兴镇/太平镇/适中乡; 扶贫办
  前场镇/官屯镇/大河口乡/左门乡; 农业局 (with 发改局) 光禄镇; 妇联 (with 团县委, 总工会, 卫计局)
  栋川镇; 教育局 the 两后生 of the whole county. The table is the parameter
  `employment.training.department_townships` (department → township codes) for 532325, the
  registry's codes of the townships the seed names. A programme of a
  department may be held only in its townships; the 两后生 department may run county-wide
  programmes for 两后生. Counties without a table have no restriction.
- EMP-2, placement: ZA-GOV §三(四)1 wants 培训后就业率达50%以上 without a time frame. The window
  (months after completing training in which a placement counts) is illustrative, 6 months. A
  trained person is placed when a job starts within the window after one of their completions;
  not placed when every window has closed without one; pending otherwise. The rate is placed /
  (placed + not placed): pending people are not yet judged either way.
- EMP-2, rates are Decimal ratios rounded half-up to 4 places; a rate with an empty base is None
  (nothing to cover), never 0 or 1.
- EMP-7: FL-HRSS §三(一)6 gives 对参训并取得职业资格证的农村贫困劳动力，给予500元/人的一次性求职
  补贴. The seed names the vocational qualification certificate (职业资格证书) only; the accepted
  kinds are a parameter (`employment.job_seeking.certificate_kinds`), so a county may add the
  skill level certificate (技能等级证书). Eligible: registered poor on the issue date (未脱贫, or
  已脱贫 — REG-2, 脱贫不脱政策; a marginal household is not registered poor), a labourer (of working
  age, alive), trained (an enrolment completed) and the certificate issued no earlier than the
  training began. Once per person, ever (一次性): a person already granted gets nothing more.
  FL-HRSS calls it 一次性求职补贴; the spec's 求职创业补贴 is the same subsidy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from services.employment.jobs.rules import REGISTERED_POOR
from shared.money import ZERO, yuan
from shared.rule_inputs import add_months
from shared.trace import Params, Trace

EMP_2 = "EMP-2"
EMP_7 = "EMP-7"

P_COVERAGE_BASE = "employment.training.coverage_base"
P_COVERAGE_TARGET = "employment.training.coverage_target"
P_TWO_AFTER_BASE = "employment.two_after.coverage_base"
P_TWO_AFTER_TARGET = "employment.two_after.coverage_target"
P_PLACEMENT_TARGET = "employment.training.placement_target"
P_PLACEMENT_MONTHS = "employment.training.placement_window_months"
P_DEPARTMENTS = "employment.training.department_townships"
P_TWO_AFTER_DEPARTMENT = "employment.training.two_after_department"
P_CERTIFICATE_KINDS = "employment.job_seeking.certificate_kinds"
P_SUBSIDY = "employment.job_seeking.certificate_subsidy"

RATE_PLACES = Decimal("0.0001")
BASES = ("willing", "all")


class ProgrammeKind(StrEnum):
    guidance = "guidance"  # 引导性培训
    skills = "skills"  # 技能培训
    entrepreneurship = "entrepreneurship"  # 创业培训


PROGRAMME_KIND_ZH = {
    ProgrammeKind.guidance: "引导性培训",
    ProgrammeKind.skills: "技能培训",
    ProgrammeKind.entrepreneurship: "创业培训",
}


class CertificateKind(StrEnum):
    vocational_qualification = "vocational_qualification"  # 职业资格证书
    skill_level = "skill_level"  # 职业技能等级证书


CERTIFICATE_KIND_ZH = {
    CertificateKind.vocational_qualification: "职业资格证书",
    CertificateKind.skill_level: "技能等级证书",
}


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole rounded half-up to 4 places; None when there is nothing to measure."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"a rate needs 0 <= part <= whole: {part} / {whole}")
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _base(params: Params, path: str, trace: Trace) -> str:
    value = params.get(path, trace)
    if value not in BASES:
        raise ValueError(f"parameter {path} must be one of {BASES}: {value!r}")
    return str(value)


# --- department per township (YA-HRSS §三(二)1) -------------------------------------------


@dataclass(frozen=True)
class AssignmentCheck:
    allowed: bool
    outside: tuple[str, ...]  # township codes the department is not assigned to
    trace: Trace = field(repr=False)


def check_assignment(
    department: str,
    townships: Sequence[str],
    for_two_after: bool,
    params: Params,
    *,
    trace: Trace | None = None,
) -> AssignmentCheck:
    """EMP-2: a department trains the townships assigned to it (部门包乡镇); the 两后生
    department trains 两后生 county-wide. No table for the county: no restriction."""
    trace = Trace() if trace is None else trace
    table: Mapping[str, Sequence[str]] = params.get(P_DEPARTMENTS, trace) or {}
    if not table:
        trace.step(EMP_2, "no department assignment table for the county", department=department)
        return AssignmentCheck(True, (), trace)
    two_after_department = params.get(P_TWO_AFTER_DEPARTMENT, trace) or ""
    if for_two_after and department == two_after_department:
        trace.step(EMP_2, "两后生 training by its county-wide department", department=department)
        return AssignmentCheck(True, (), trace)
    assigned = {str(code) for code in table.get(department, ())}
    outside = tuple(t for t in townships if t not in assigned)
    trace.step(
        EMP_2,
        "every township assigned to the department" if not outside else "townships not assigned",
        department=department,
        assigned=",".join(sorted(assigned)),
        outside=",".join(outside),
    )
    return AssignmentCheck(not outside, outside, trace)


# --- coverage (EMP-2 indicators) -------------------------------------------------------------


@dataclass(frozen=True)
class PersonCoverageFacts:
    """One surveyed person at the date of the measure."""

    labourer: bool
    wishes_to_train: bool
    wishes_to_work: bool
    two_after: bool
    trained: bool  # completed an enrolment on or before the date


@dataclass(frozen=True)
class CoverageCounts:
    labourers: int = 0
    willing: int = 0  # labourers who wish to train
    base: int = 0  # labourers to be trained (willing or all, by parameter)
    trained: int = 0  # of the base, trained
    two_after: int = 0
    two_after_base: int = 0
    two_after_trained: int = 0  # of the 两后生 base, trained

    def __add__(self, other: CoverageCounts) -> CoverageCounts:
        return CoverageCounts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))


def _fields(c: CoverageCounts) -> tuple[int, ...]:
    return (
        c.labourers,
        c.willing,
        c.base,
        c.trained,
        c.two_after,
        c.two_after_base,
        c.two_after_trained,
    )


@dataclass(frozen=True)
class CoverageBases:
    labourers: str  # "willing" | "all"
    two_after: str
    trace: Trace = field(repr=False)


def coverage_bases(params: Params, *, trace: Trace | None = None) -> CoverageBases:
    """EMP-2: who must be trained, labourers and 两后生 ("willing" or "all")."""
    trace = Trace() if trace is None else trace
    labourers = _base(params, P_COVERAGE_BASE, trace)
    two_after = _base(params, P_TWO_AFTER_BASE, trace)
    trace.step(
        EMP_2,
        "who is to be trained: labourers and 两后生",
        labourer_base=labourers,
        two_after_base=two_after,
    )
    return CoverageBases(labourers, two_after, trace)


def count_person(facts: PersonCoverageFacts, bases: CoverageBases) -> CoverageCounts:
    """EMP-2: one person's contribution to the coverage counts."""
    in_base = facts.labourer and (bases.labourers == "all" or facts.wishes_to_train)
    wish = facts.wishes_to_train or facts.wishes_to_work
    in_two_after = facts.two_after and (bases.two_after == "all" or wish)
    return CoverageCounts(
        labourers=int(facts.labourer),
        willing=int(facts.labourer and facts.wishes_to_train),
        base=int(in_base),
        trained=int(in_base and facts.trained),
        two_after=int(facts.two_after),
        two_after_base=int(in_two_after),
        two_after_trained=int(in_two_after and facts.trained),
    )


def count_people(facts: Iterable[PersonCoverageFacts], bases: CoverageBases) -> CoverageCounts:
    total = CoverageCounts()
    for f in facts:
        total = total + count_person(f, bases)
    return total


@dataclass(frozen=True)
class Coverage:
    counts: CoverageCounts
    training_rate: Decimal | None
    training_target: Decimal
    training_met: bool | None
    two_after_rate: Decimal | None
    two_after_target: Decimal
    two_after_met: bool | None
    trace: Trace = field(repr=False)


def coverage(counts: CoverageCounts, params: Params, *, trace: Trace | None = None) -> Coverage:
    """EMP-2: share of the labourers to be trained who are trained, and of the 两后生, against
    the targets (100% in YA-HRSS §三(一), CITY-HRSS §二)."""
    trace = Trace() if trace is None else trace
    training = rate(counts.trained, counts.base)
    two_after = rate(counts.two_after_trained, counts.two_after_base)
    t_target = params.ratio(P_COVERAGE_TARGET, trace)
    a_target = params.ratio(P_TWO_AFTER_TARGET, trace)
    trace.step(
        EMP_2,
        "training coverage = trained / labourers to be trained",
        trained=counts.trained,
        base=counts.base,
        rate=training,
        target=t_target,
    )
    trace.step(
        EMP_2,
        "两后生 coverage = trained 两后生 / 两后生 to be trained",
        trained=counts.two_after_trained,
        base=counts.two_after_base,
        rate=two_after,
        target=a_target,
    )
    return Coverage(
        counts,
        training,
        t_target,
        None if training is None else training >= t_target,
        two_after,
        a_target,
        None if two_after is None else two_after >= a_target,
        trace,
    )


# --- placement after training ------------------------------------------------------------------


class PlacementOutcome(StrEnum):
    placed = "placed"
    not_placed = "not_placed"
    pending = "pending"  # a window is still open and no job yet


def placement_window(params: Params, *, trace: Trace | None = None) -> int:
    trace = Trace() if trace is None else trace
    value = params.decimal(P_PLACEMENT_MONTHS, trace)
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"parameter {P_PLACEMENT_MONTHS} must be a whole number >= 0: {value}")
    return int(value)


def placement_outcome(
    completions: Iterable[date], placements: Iterable[date], on: date, months: int
) -> PlacementOutcome | None:
    """EMP-2: a trained person's outcome on `on`; None if not trained by then. A job counts when
    it starts on or after a completion, within `months` of it, and on or before `on`."""
    done = sorted(c for c in completions if c <= on)
    if not done:
        return None
    jobs = [p for p in placements if p <= on]
    open_window = False
    for completed in done:
        until = add_months(completed, months)
        if any(completed <= p <= until for p in jobs):
            return PlacementOutcome.placed
        if until > on:
            open_window = True
    return PlacementOutcome.pending if open_window else PlacementOutcome.not_placed


@dataclass(frozen=True)
class PlacementRate:
    placed: int
    not_placed: int
    pending: int
    rate: Decimal | None
    target: Decimal
    met: bool | None
    window_months: int
    trace: Trace = field(repr=False)


def placement_rate(
    outcomes: Iterable[PlacementOutcome | None], params: Params, *, trace: Trace | None = None
) -> PlacementRate:
    """EMP-2 / ZA-GOV §三(四)1: placed / (placed + not placed), against the ≥ 50% target."""
    trace = Trace() if trace is None else trace
    months = placement_window(params, trace=trace)
    tally = {o: 0 for o in PlacementOutcome}
    for outcome in outcomes:
        if outcome is not None:
            tally[PlacementOutcome(outcome)] += 1
    placed, not_placed = tally[PlacementOutcome.placed], tally[PlacementOutcome.not_placed]
    value = rate(placed, placed + not_placed)
    target = params.ratio(P_PLACEMENT_TARGET, trace)
    trace.step(
        EMP_2,
        "placement rate after training = placed / (placed + not placed)",
        placed=placed,
        not_placed=not_placed,
        pending=tally[PlacementOutcome.pending],
        window_months=months,
        rate=value,
        target=target,
    )
    met = None if value is None else value >= target
    return PlacementRate(
        placed, not_placed, tally[PlacementOutcome.pending], value, target, met, months, trace
    )


# --- EMP-7 job-seeking subsidy -------------------------------------------------------------------


@dataclass(frozen=True)
class JobSeekingFacts:
    """A certificate and what is known of its holder on the issue date."""

    certificate_kind: CertificateKind
    issued_on: date
    poverty_status: str | None  # registry status on the issue date (None: not registered)
    labourer: bool  # of working age, alive, able to work
    training_started_on: date | None  # the enrolment's programme start
    training_completed_on: date | None  # None: the enrolment is not completed
    already_granted: bool = False


@dataclass(frozen=True)
class JobSeekingSubsidy:
    eligible: bool
    amount: Decimal
    reasons: tuple[str, ...]  # why not, when not eligible
    trace: Trace = field(repr=False)


def job_seeking_subsidy(
    facts: JobSeekingFacts, params: Params, *, trace: Trace | None = None
) -> JobSeekingSubsidy:
    """EMP-7 (FL-HRSS §三(一)6): 500 yuan once to a trained registered poor labourer who obtains
    an accepted vocational certificate."""
    trace = Trace() if trace is None else trace
    kinds = [str(k) for k in (params.get(P_CERTIFICATE_KINDS, trace) or ())]
    reasons: list[str] = []
    kind = CertificateKind(facts.certificate_kind)
    if kind.value not in kinds:
        reasons.append(f"certificate kind {kind.value} ({CERTIFICATE_KIND_ZH[kind]}) not accepted")
    if facts.poverty_status not in REGISTERED_POOR:
        reasons.append("not a registered poor person on the issue date")
    if not facts.labourer:
        reasons.append("not a labourer (working age, alive, able to work) on the issue date")
    if facts.training_completed_on is None:
        reasons.append("training not completed")
    if facts.training_started_on is not None and facts.issued_on < facts.training_started_on:
        reasons.append("certificate issued before the training began")
    if facts.already_granted:
        reasons.append("already granted once (一次性)")
    trace.step(
        EMP_7,
        "eligibility: registered poor labourer, trained, accepted certificate, first grant",
        certificate_kind=kind.value,
        accepted_kinds=",".join(kinds),
        issued_on=facts.issued_on,
        poverty_status=facts.poverty_status,
        labourer=facts.labourer,
        training_started_on=facts.training_started_on,
        training_completed_on=facts.training_completed_on,
        already_granted=facts.already_granted,
    )
    if reasons:
        trace.step(EMP_7, "not eligible: " + "; ".join(reasons), amount=ZERO)
        return JobSeekingSubsidy(False, ZERO, tuple(reasons), trace)
    amount = yuan(params.decimal(P_SUBSIDY, trace))
    if amount < 0:
        raise ValueError(f"parameter {P_SUBSIDY} must not be negative: {amount}")
    trace.step(EMP_7, "one-off job-seeking subsidy (一次性求职补贴)", amount=amount)
    return JobSeekingSubsidy(True, amount, (), trace)
