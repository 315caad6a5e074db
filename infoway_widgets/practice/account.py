"""A student's account in a practice round: cash, shares, what was bought today, the trades.

Cash and fees are :class:`~decimal.Decimal`, exact to the cent; shares are whole numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .fees import Fee, FeeSchedule, cents


@dataclass(frozen=True)
class Fill:
    """One executed trade.

    Attributes
    ----------
    t : int
        When (UTC epoch ms: the open of the bar at whose close it filled).
    side : str
        ``"buy"`` or ``"sell"``.
    price : Decimal
    shares : int
    fee : Fee
    bar : int
        Index of the bar it filled at.
    """

    t: int
    side: str
    price: Decimal
    shares: int
    fee: Fee
    bar: int

    @property
    def value(self) -> Decimal:
        return self.price * self.shares

    @property
    def cash_flow(self) -> Decimal:
        """What the trade did to cash: minus value and fees for a buy, plus value minus fees for a sale."""
        if self.side == "buy":
            return -(self.value + self.fee.total)
        return self.value - self.fee.total


class Account:
    """Cash and a position in one instrument.

    Parameters
    ----------
    cash : Decimal
        Starting cash.
    fees : FeeSchedule
    """

    def __init__(self, cash: Decimal, fees: FeeSchedule) -> None:
        self.start_cash = cents(cash)
        self.cash = self.start_cash
        self.fees = fees
        self.shares = 0
        self.fills: list[Fill] = []
        self._bought_on: dict[dt.date, int] = {}

    def bought_on(self, day: dt.date) -> int:
        """Shares bought on ``day`` (what T+1 keeps from being sold that day)."""
        return self._bought_on.get(day, 0)

    def cost(self, side: str, price: Decimal, shares: int) -> tuple[Fee, Decimal]:
        """The fees of a trade and what it does to cash."""
        value = price * shares
        fee = self.fees.fee(side, value)
        return fee, (-(value + fee.total) if side == "buy" else value - fee.total)

    def apply(self, fill: Fill, day: dt.date) -> None:
        self.cash += fill.cash_flow
        if fill.side == "buy":
            self.shares += fill.shares
            self._bought_on[day] = self._bought_on.get(day, 0) + fill.shares
        else:
            self.shares -= fill.shares
        self.fills.append(fill)

    def equity(self, price: Decimal) -> Decimal:
        """Cash plus the position at ``price``, to the cent (no fees for closing it)."""
        return cents(self.cash + price * self.shares)


__all__ = ["Account", "Fill"]
