"""How a round went, against buying at the start and holding to the end."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .fees import Fee, FeeSchedule, cents


@dataclass(frozen=True)
class Score:
    """The result of a round.

    Attributes
    ----------
    pnl : Decimal
        Equity at the end minus the starting cash (fees included; the position valued at the
        last close).
    return_pct : float
        ``pnl`` as a percentage of the starting cash.
    trades : int
    hold_pnl, hold_return_pct
        The same for buy-and-hold: as many shares as the cash buys (whole buy sizes, fees paid) at
        the close of the first bar of the round, held to the last close.
    """

    pnl: Decimal
    return_pct: float
    trades: int
    hold_pnl: Decimal
    hold_return_pct: float

    @property
    def excess_pct(self) -> float:
        """Return over buy-and-hold, in percentage points."""
        return self.return_pct - self.hold_return_pct

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pnl": float(self.pnl),
            "return_pct": round(self.return_pct, 4),
            "trades": self.trades,
            "hold_pnl": float(self.hold_pnl),
            "hold_return_pct": round(self.hold_return_pct, 4),
        }


def buy_and_hold(
    cash: Decimal, first: Decimal, last: Decimal, fees: FeeSchedule, min_buy: int, step: int
) -> Decimal:
    """P&L of buying the most whole buy sizes ``cash`` affords at ``first`` and holding to ``last``."""
    shares = 0
    if first > 0:
        n = int(cash / first)
        shares = 0 if n < min_buy else min_buy + (n - min_buy) // step * step
        while shares >= min_buy:
            fee: Fee = fees.fee("buy", first * shares)
            if first * shares + fee.total <= cash:
                break
            shares -= step
        if shares < min_buy:
            shares = 0
    if not shares:
        return Decimal("0.00")
    spent = first * shares + fees.fee("buy", first * shares).total
    return cents(last * shares - spent)


def pct(pnl: Decimal, cash: Decimal) -> float:
    return float(pnl / cash * 100) if cash else 0.0


__all__ = ["Score", "buy_and_hold", "pct"]
