"""MED-10: the amount due on a settled stay and the verification form's steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.medical.campaign.rules import (
    FormStatus,
    SettledStay,
    check_transition,
    next_step,
    ratio,
    topup_due,
)
from shared.errors import Conflict, Forbidden
from shared.policy import PolicySet
from shared.roles import Role
from shared.settings import Settings
from shared.trace import Params

POLICY = PolicySet.load(Settings().policy_dir)
PARAMS = Params(POLICY, "532325", date(2017, 1, 1))
TARGET = Decimal("0.90")
ZERO = Decimal("0.00")

BELOW = SettledStay(
    admission=date(2017, 4, 1),
    referral_compliant=True,
    registered_poor=True,
    cost_basis=Decimal("18000.00"),
    basic=Decimal("9000.00"),
    critical_illness=Decimal("2000.00"),
    assistance=Decimal("1000.00"),
    topup=ZERO,
    annual_cap=ZERO,
    self_pay=Decimal("8000.00"),
    ratio_after=Decimal("0.6666"),
)


def test_below_standard_gets_the_difference_with_its_trace() -> None:
    due = topup_due(BELOW, PARAMS)
    assert due.due == Decimal("4200.00") and due.target == TARGET
    trace = due.trace.out()
    assert trace.rules == ["MED-10", "MED-2"]
    assert trace.parameters[0].path == "medical.guarantee.target_ratio"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"registered_poor": False}, "not registered poor"),
        ({"referral_compliant": False}, "referral rules not followed"),
        ({"topup": Decimal("10.00")}, "already topped up"),
        ({"admission": date(2016, 12, 31)}, "no guaranteed ratio in force"),
        ({"basic": Decimal("14200.00")}, "at or above"),
    ],
)
def test_nothing_due(change: dict, reason: str) -> None:
    due = topup_due(replace(BELOW, **change), PARAMS)
    assert due.due == ZERO and reason in due.reason


money = st.decimals(min_value=0, max_value=200_000, places=2)


@given(basis=money, share=st.decimals(min_value=0, max_value=1, places=4), extra=money)
def test_the_least_whole_fen_that_reaches_the_target(
    basis: Decimal, share: Decimal, extra: Decimal
) -> None:
    paid = (basis * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    stay = replace(
        BELOW,
        cost_basis=basis,
        basic=paid,
        critical_illness=ZERO,
        assistance=ZERO,
        self_pay=basis + extra - paid,
        ratio_after=ratio(paid, basis),
    )
    due = topup_due(stay, PARAMS).due
    assert due <= stay.self_pay
    if basis == 0:
        assert due == 0
        return
    assert (paid + due) / basis >= TARGET
    assert ratio(paid + due, basis) >= TARGET  # as reported, rounded down
    if due > 0:
        assert (paid + due - Decimal("0.01")) / basis < TARGET


ROLES = {r: frozenset({r}) for r in Role}
WALK = [
    (FormStatus.home_visited, Role.village_cadre),
    (FormStatus.household_confirmed, Role.village_cadre),
    (FormStatus.village_checked, Role.village_cadre),
    (FormStatus.township_signed, Role.township_officer),
    (FormStatus.county_approved, Role.county_medical),
    (FormStatus.paid, Role.county_medical),
]


def test_the_steps_in_order_each_by_its_role() -> None:
    status = FormStatus.issued
    for to, role in WALK:
        assert next_step(status) == to
        for other in Role:
            if other != role:
                with pytest.raises(Forbidden):
                    check_transition(status, to, ROLES[other])
        assert check_transition(status, to, ROLES[role]) == role
        status = to
    assert next_step(status) is None


@pytest.mark.parametrize(
    ("status", "to", "role"),
    [
        (FormStatus.issued, FormStatus.village_checked, Role.village_cadre),  # skipped
        (FormStatus.home_visited, FormStatus.home_visited, Role.village_cadre),  # repeated
        (FormStatus.village_checked, FormStatus.county_approved, Role.county_medical),
        (FormStatus.paid, FormStatus.paid, Role.county_medical),  # ended
        (FormStatus.rejected, FormStatus.home_visited, Role.village_cadre),
        (FormStatus.rejected, FormStatus.rejected, Role.village_cadre),
        (FormStatus.issued, FormStatus.issued, Role.county_medical),
    ],
)
def test_illegal_steps_conflict(status: FormStatus, to: FormStatus, role: Role) -> None:
    with pytest.raises(Conflict):
        check_transition(status, to, ROLES[role])


def test_rejection_by_the_level_that_would_sign_next() -> None:
    assert check_transition(FormStatus.issued, FormStatus.rejected, ROLES[Role.village_cadre])
    with pytest.raises(Forbidden):
        check_transition(FormStatus.issued, FormStatus.rejected, ROLES[Role.township_officer])
    assert (
        check_transition(
            FormStatus.village_checked, FormStatus.rejected, ROLES[Role.township_officer]
        )
        == Role.township_officer
    )
    with pytest.raises(Forbidden):  # admin is not a signing level
        check_transition(FormStatus.issued, FormStatus.home_visited, ROLES[Role.admin])
