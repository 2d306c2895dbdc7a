"""Recovering an overpayment (a claw-back balance left by a figure lowered after months were
paid, WEL-3 / WEL-4): part of each later payment is withheld, at most a county's share of it, so
that no payment is ever negative and the household keeps most of its benefit while it repays."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from shared.money import ZERO
from shared.trace import Trace
from shared.uow import UnitOfWork

DIBAO_SHARE = "welfare.dibao.clawback_max_share"
DISABILITY_SHARE = "welfare.disability.clawback_max_share"
CENT = Decimal("0.01")


def withhold(
    uow: UnitOfWork,
    county: str,
    month: date,
    amount: Decimal,
    balance: Decimal,
    share: str = DIBAO_SHARE,
) -> Decimal:
    """What to withhold from a month's payment of `amount` towards a claw-back `balance`: at most
    the county's `share` of it, never more than the balance."""
    if balance <= 0 or amount <= 0:
        return ZERO
    ratio = uow.params(county, month).ratio(share, Trace())
    return min(balance, (amount * ratio).quantize(CENT, rounding=ROUND_DOWN))
