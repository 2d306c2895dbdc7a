"""The retroactive top-up (MED-10, 二次报销): which settled stays are below the guaranteed ratio
(MED-2) and how much brings each one up to it, and the verification form's workflow.

Pure: a stay's stored decision and the parameters in, the amount due with its trace out; the
workflow is a table of steps and the role that may take each one.

Reading of the seed (YA-HRSS §二(二)3)
--------------------------------------
- The county extracts the compliant (符合转诊转院规范) in-patient stays of registered poor; the
  township has a helper cadre (帮扶干部) verify each at the household; once the household
  confirms (经贫困户认定), the form (附件4 《贫困户转诊转院住院就医负担核查表》) is checked,
  signed and stamped by the village committee (村委会) and then the township government, level
  by level (逐级), and goes back to the county, which pays the part below the standard by
  secondary reimbursement (二次报销) for stays since 2017-01-01.
- The standard is the MED-2 target for the admission date (`medical.guarantee.target_ratio`);
  the amount is the least whole-fen sum that reaches it, as the live top-up computes it, so a
  stay settled late gets exactly what it would have got on time. The MED-3 annual cap is not
  part of the campaign: the seed speaks only of the part below the standard.
- A stay is topped up once, ever: a stay whose latest decision already carries a top-up (live
  or by an earlier campaign) has nothing due.
- Separation of duties: the seed names five acts on one form, each by its own hand: the helper
  cadre's home visit (帮扶干部到贫困户家中进行核实), the household's confirmation (经贫困户认定),
  the village committee's check and the township government's check (经村委会、乡镇人民政府逐级
  核查认定并签字盖章), and the county's approval before paying. "逐级" checks are worth nothing
  when one account takes two levels, so an account that recorded one of these acts on a form
  may record no other. The one exception is the confirmation: it is the household's act,
  recorded by the cadre at the home visit (who confirmed, how, on which day) and attributed to
  the household, so the visiting cadre may record it; no account records three. Paying after
  the approval is the county's booking of it, not a further check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from enum import StrEnum

from services.medical.settlement.rules import RATIO_PLACES, TARGET_RATIO
from shared.errors import Conflict, Forbidden
from shared.money import FEN, ZERO
from shared.policy import ParameterNotFound
from shared.roles import Role
from shared.trace import Params, Trace

MED_2 = "MED-2"
MED_10 = "MED-10"


@dataclass(frozen=True)
class SettledStay:
    """What the campaign reads of a stay: its latest decision and the patient's status now."""

    admission: date
    referral_compliant: bool
    registered_poor: bool  # in the registry as not exited or exited (REG-2), not marginal
    cost_basis: Decimal
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    topup: Decimal
    annual_cap: Decimal
    self_pay: Decimal
    ratio_after: Decimal

    @property
    def reimbursed(self) -> Decimal:
        return self.basic + self.critical_illness + self.assistance + self.topup + self.annual_cap


@dataclass(frozen=True)
class TopupDue:
    due: Decimal  # 0 when nothing is owed; `reason` says why
    reason: str
    target: Decimal | None
    reimbursed: Decimal
    needed: Decimal
    trace: Trace = field(repr=False)


def topup_due(stay: SettledStay, params: Params) -> TopupDue:
    """MED-10 / MED-2: the secondary reimbursement that lifts a settled stay to the target."""
    trace = Trace()
    params = Params(params.policy, params.county, stay.admission)
    trace.step(
        MED_10,
        "retroactive check of a settled stay against the guaranteed ratio",
        admission=stay.admission,
        referral_compliant=stay.referral_compliant,
        registered_poor=stay.registered_poor,
        cost_basis=stay.cost_basis,
        reimbursed=stay.reimbursed,
        ratio_after=stay.ratio_after,
        topup_before=stay.topup,
    )

    def nothing(reason: str, target: Decimal | None = None) -> TopupDue:
        trace.step(MED_10, f"nothing due: {reason}", topup=ZERO)
        return TopupDue(ZERO, reason, target, stay.reimbursed, ZERO, trace)

    if not stay.registered_poor:
        return nothing("not registered poor (建档立卡, not exited or exited)")
    if not stay.referral_compliant:
        return nothing("referral rules not followed (不符合转诊转院规范)")
    if stay.topup > 0:
        return nothing("already topped up; a stay is topped up once")
    try:
        target = params.decimal(TARGET_RATIO, trace)
    except ParameterNotFound:
        return nothing("no guaranteed ratio in force on the admission date")
    needed = (target * stay.cost_basis).quantize(FEN, rounding=ROUND_CEILING)
    due = min(max(ZERO, needed - stay.reimbursed), stay.self_pay)
    if due == 0:
        return nothing("actual ratio already at or above the guaranteed ratio", target)
    trace.step(
        MED_2,
        "secondary reimbursement (二次报销) to the guaranteed ratio: the least whole-fen amount",
        cost_basis=stay.cost_basis,
        target_ratio=target,
        needed=needed,
        reimbursed=stay.reimbursed,
        topup=due,
    )
    return TopupDue(due, "below the guaranteed ratio", target, stay.reimbursed, needed, trace)


def ratio(paid: Decimal, basis: Decimal) -> Decimal:
    """As the settlement reports it: rounded down, so 0.9000 never hides 0.89995."""
    if basis == 0:
        return Decimal(1).quantize(RATIO_PLACES)
    return (paid / basis).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


# --- the verification form's workflow ------------------------------------------------------------


class FormStatus(StrEnum):
    issued = "issued"  # 已下发乡镇
    home_visited = "home_visited"  # 帮扶干部已入户核实
    household_confirmed = "household_confirmed"  # 贫困户已认定
    village_checked = "village_checked"  # 村委会已核查签章
    township_signed = "township_signed"  # 乡镇人民政府已核查签章
    county_approved = "county_approved"  # 县医保局已审核
    paid = "paid"  # 已二次报销
    rejected = "rejected"  # 核查不通过, ends the form

    @property
    def label_zh(self) -> str:
        return STATUS_ZH[self]


STATUS_ZH = {
    FormStatus.issued: "已下发乡镇",
    FormStatus.home_visited: "帮扶干部已入户核实",
    FormStatus.household_confirmed: "贫困户已认定",
    FormStatus.village_checked: "村委会已核查签章",
    FormStatus.township_signed: "乡镇已核查签章",
    FormStatus.county_approved: "县医保局已审核",
    FormStatus.paid: "已二次报销",
    FormStatus.rejected: "核查不通过",
}

# Each step, in order, and the only role that may take it.
STEPS: tuple[tuple[FormStatus, Role], ...] = (
    (FormStatus.home_visited, Role.village_cadre),
    (FormStatus.household_confirmed, Role.village_cadre),
    (FormStatus.village_checked, Role.village_cadre),
    (FormStatus.township_signed, Role.township_officer),
    (FormStatus.county_approved, Role.county_medical),
    (FormStatus.paid, Role.county_medical),
)
ORDER = (FormStatus.issued, *(s for s, _ in STEPS))
STEP_ROLE = dict(STEPS)
TERMINAL = frozenset({FormStatus.paid, FormStatus.rejected})


def next_step(status: FormStatus) -> FormStatus | None:
    if status in TERMINAL:
        return None
    return ORDER[ORDER.index(status) + 1]


class ConfirmRelation(StrEnum):
    """Relation to the patient of the household member who confirms the form."""

    self = "self"  # 本人
    spouse = "spouse"  # 配偶
    child = "child"  # 子女
    parent = "parent"  # 父母
    sibling = "sibling"  # 兄弟姐妹
    grandchild = "grandchild"  # 孙子女
    grandparent = "grandparent"  # 祖父母
    other_member = "other_member"  # 其他家庭成员


class ConfirmMethod(StrEnum):
    """How the household confirmed (the form is signed on paper at the home)."""

    signature = "signature"  # 签字
    thumbprint = "thumbprint"  # 按手印
    signature_and_thumbprint = "signature_and_thumbprint"  # 签字并按手印


# The acts of YA-HRSS §二(二)3 that must each be someone else's on one form (MED-10).
SEPARATED = (
    FormStatus.home_visited,
    FormStatus.household_confirmed,
    FormStatus.village_checked,
    FormStatus.township_signed,
    FormStatus.county_approved,
)


def check_separation(
    to: FormStatus, account: str, recorded: Iterable[tuple[FormStatus, str]]
) -> None:
    """MED-10 separation of duties: Conflict when `account` already recorded another act of the
    form (SEPARATED) and `to` is one too; the household's confirmation may be recorded by the
    cadre who made the home visit. `recorded` is (step, recording account) of the steps taken
    so far."""
    if to not in SEPARATED:
        return
    for done, by in recorded:
        if by != account or done not in SEPARATED:
            continue
        if to is FormStatus.household_confirmed and done is FormStatus.home_visited:
            continue  # the household's act, written down at the visit
        raise Conflict(
            f"{MED_10} separation of duties (YA-HRSS §二(二)3, 逐级核查认定): {account} already "
            f"recorded {done.value} on this form; {to.value} must be taken by someone else"
        )


def check_transition(status: FormStatus, to: FormStatus, roles: frozenset[Role]) -> Role:
    """The role the step is taken as; Forbidden for a role that may never take the step,
    Conflict for a step that is not the next one (skipped, repeated, or the form has ended).

    Rejecting is taken by whoever holds the next check: the level that would sign refuses.
    Admin is not a signing level, so it takes no step."""
    if to == FormStatus.issued:
        raise Conflict("forms are issued by creating a campaign, not as a step")
    if to == FormStatus.rejected:
        upcoming = next_step(status)
        if upcoming is None:
            raise Conflict(f"the form has ended ({status.value}); it cannot be rejected")
        role = STEP_ROLE[upcoming]
        if role not in roles:
            raise Forbidden(
                f"the form is at {status.value}; only {role.value} (who takes the next step, "
                f"{upcoming.value}) may reject it"
            )
        return role
    role = STEP_ROLE[to]
    if role not in roles:
        raise Forbidden(f"step {to.value} is taken by the role {role.value}")
    upcoming = next_step(status)
    if upcoming is None:
        raise Conflict(f"the form has ended ({status.value}); no further step")
    if to != upcoming:
        done = ORDER.index(to) <= ORDER.index(status)
        raise Conflict(
            f"the form is at {status.value}; the next step is {upcoming.value}, "
            + (f"{to.value} is already done" if done else f"{to.value} cannot be skipped to")
        )
    return role
