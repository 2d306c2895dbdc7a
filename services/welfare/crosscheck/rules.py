"""The yearly cross-check of dibao with the poverty registry (WEL-8).

Pure functions: facts and `Params` in; a frozen finding (or None) and a `Trace` out. No database,
clock or I/O. Every figure is a policy parameter read through `Params`
(shared/policy/params/welfare.yaml), so the trace names each parameter used; every step names its
rule ID. A caller may pass its own `trace` to collect several rules in one.

Reading of the seeds
--------------------
- 两无: ZA-GOV §三(三)2 has every 两无 person in the poverty system (扶贫系统中的“两无”人员) brought
  into dibao. The poverty system's people are the registered poor (建档立卡), not exited and
  exited alike (脱贫不脱政策); a marginal household (边缘户) is not registered poor and the
  sentence does not name it, so it is not reported (`PovertyStatus.is_registered_poor`; the seeds
  extend a rule to marginal households only where they name them). 两无 is read as no income
  and no ability to work at all (`WorkAbility.none`). A
  person supported as extreme-poor (特困供养, WEL-5) is covered by the safety net too and is not
  reported.
- Exits: YA-GOV §三(四) has the poverty office send last year's exited dibao households to civil
  affairs by the end of March and civil affairs review them (对已脱贫的低保对象要及时退出保障范围).
  A person marked exited who is still on dibao is reported once the exit is older than an
  illustrative number of months (the seed gives no period for the review itself); an exit without
  a date is reported at once, since it cannot be shown to be recent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from services.welfare.dibao.rules import WorkAbility
from shared.domain import PovertyStatus
from shared.rule_inputs import add_months, day, set_field
from shared.trace import Params, Trace

WEL_8 = "WEL-8"

P_EXIT_REVIEW_MONTHS = "welfare.crosscheck.exit_review_months"


class FindingKind(StrEnum):
    two_without_not_on_dibao = "two_without_not_on_dibao"  # 两无人员未纳入低保
    exited_due_review = "exited_due_review"  # 已脱贫仍享受低保, 应复核


@dataclass(frozen=True)
class RegistryPerson:
    """A person of the poverty registry with their dibao and tekun status."""

    person_id: str
    household_id: str
    division_code: str
    poverty_status: PovertyStatus
    has_income: bool
    work_ability: WorkAbility
    on_dibao: bool
    on_tekun: bool
    exited_on: date | None = None

    def __post_init__(self) -> None:
        status = self.poverty_status
        if not isinstance(status, PovertyStatus):
            status = PovertyStatus.parse(str(status))
        set_field(self, "poverty_status", status)
        try:
            set_field(self, "work_ability", WorkAbility(self.work_ability))
        except ValueError:
            raise ValueError(
                f"work ability must be full, partial or none, not {self.work_ability!r}"
            ) from None
        for name in ("has_income", "on_dibao", "on_tekun"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if self.exited_on is not None:
            day(self.exited_on, "exited on")


@dataclass(frozen=True)
class CrossCheckFinding:
    kind: FindingKind
    person_id: str
    household_id: str
    division_code: str
    detail: str
    due_since: date | None  # exited_due_review: the day the review fell due; None if unknown
    trace: Trace = field(repr=False)


def cross_check(
    person: RegistryPerson, on: date, params: Params, *, trace: Trace | None = None
) -> CrossCheckFinding | None:
    """WEL-8: a 两无 person outside dibao and tekun, or an exited person still on dibao whose exit
    is due for review on `on`; None when the person is in order."""
    trace = Trace() if trace is None else trace
    on = day(on, "date")

    def finding(kind: FindingKind, detail: str, due: date | None = None) -> CrossCheckFinding:
        return CrossCheckFinding(
            kind, person.person_id, person.household_id, person.division_code, detail, due, trace
        )

    two_without = not person.has_income and person.work_ability is WorkAbility.none
    registered = person.poverty_status.is_registered_poor
    if two_without and not registered and not (person.on_dibao or person.on_tekun):
        trace.step(
            WEL_8,
            "两无 but a marginal household, not in the poverty system's registered poor: "
            "not reported",
            person_id=person.person_id,
            poverty_status=person.poverty_status.value,
        )
        return None
    if two_without and not (person.on_dibao or person.on_tekun):
        detail = "no income and no ability to work, on neither dibao nor extreme-poverty support"
        trace.step(
            WEL_8,
            f"两无 person not covered: {detail}",
            person_id=person.person_id,
            poverty_status=person.poverty_status.value,
        )
        return finding(FindingKind.two_without_not_on_dibao, detail)

    if person.poverty_status is PovertyStatus.exited and person.on_dibao:
        if person.exited_on is None:
            detail = "exited, still on dibao, exit date unknown"
            trace.step(WEL_8, detail, person_id=person.person_id, on=on)
            return finding(FindingKind.exited_due_review, detail)
        months = params.whole(P_EXIT_REVIEW_MONTHS, trace)
        due = add_months(person.exited_on, months)
        if on >= due:
            detail = f"exited on {person.exited_on.isoformat()}, still on dibao"
            trace.step(
                WEL_8,
                f"review due: {detail}",
                person_id=person.person_id,
                exited_on=person.exited_on,
                exit_review_months=months,
                due_since=due,
                on=on,
            )
            return finding(FindingKind.exited_due_review, detail, due)
        trace.step(
            WEL_8,
            "exited recently, still on dibao: review not yet due",
            person_id=person.person_id,
            exited_on=person.exited_on,
            due_since=due,
            on=on,
        )
        return None

    trace.step(WEL_8, "nothing to report", person_id=person.person_id, on=on)
    return None
