"""One practice round: a market, an account and a clock that only reveals the past.

The clock stands on a bar: every bar up to and including it is revealed, none after. Orders fill
at the close of that bar, after the market's rules (:mod:`.rules`) have had their say. Stepping
past the last bar, or :meth:`PracticeRound.reveal`, ends the round: the rest is shown and the
result is scored.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..errors import PracticeRuleError
from .account import Account, Fill
from .fees import FeeSchedule, decimal_price, fees_for
from .market import PracticeMarket
from .rules import MarketRules, sealed
from .score import Score, buy_and_hold, pct


class PracticeRound:
    """The state of a round, advanced by :meth:`step`, traded by :meth:`buy` and :meth:`sell`.

    Parameters
    ----------
    market : PracticeMarket
    cash : Decimal or number
        Starting cash, in the instrument's currency.
    fees : FeeSchedule, optional
        Default: the market's (:func:`~infoway_widgets.practice.fees.fees_for`).
    """

    def __init__(
        self,
        market: PracticeMarket,
        cash: Decimal | float | int = 100_000,
        fees: FeeSchedule | None = None,
    ) -> None:
        self.market = market
        self.rules = MarketRules(market.inst)
        self.fees = fees or fees_for(market.inst)
        self.account = Account(Decimal(str(cash)), self.fees)
        self._decimals = market.inst.price_decimals
        #: index of the last revealed bar
        self.cursor = market.first
        self.finished = False

    # ---- the clock ----------------------------------------------------------------------------
    @property
    def revealed(self) -> int:
        """How many bars are revealed (context included)."""
        return len(self.market) if self.finished else self.cursor + 1

    @property
    def clock_ms(self) -> int:
        """Open time of the bar the clock stands on (UTC epoch ms)."""
        return int(self.market.bars["t"][self.cursor])

    @property
    def at_end(self) -> bool:
        return self.cursor >= len(self.market) - 1

    @property
    def progress(self) -> tuple[int, int]:
        """(bars of the round played, bars of the round in all)."""
        m = self.market
        return self.cursor - m.first + 1, len(m) - m.first

    def step(self, n: int = 1) -> int:
        """Reveal the next ``n`` bars (fewer at the end; on the last bar, a step ends the round).
        Returns how many were revealed."""
        if self.finished or n <= 0:
            return 0
        if self.at_end:
            self.finished = True  # a step past the last bar ends the round
            return 0
        target = min(len(self.market) - 1, self.cursor + int(n))
        moved = target - self.cursor
        self.cursor = target
        return moved

    def seek(self, index: int) -> int:
        """Move the clock forward to bar ``index`` (a clock never goes back: the student has seen
        what came before). Returns how many bars were revealed."""
        return self.step(int(index) - self.cursor)

    def reveal(self) -> Score:
        """End the round: the clock goes to the last bar and every bar is shown. Returns the score."""
        self.cursor = len(self.market) - 1
        self.finished = True
        return self.score()

    # ---- prices and rules -------------------------------------------------------------------------
    @property
    def price(self) -> Decimal:
        """The last price at the clock: the close of the last revealed bar."""
        return decimal_price(float(self.market.bars["c"][self.cursor]), self._decimals)

    @property
    def limits(self) -> tuple[float, float] | None:
        return self.market.limits(self.cursor)

    @property
    def sealed(self) -> str | None:
        """``"up"`` / ``"down"`` when the bar at the clock ended sealed at a limit."""
        b = self.market.bars
        i = self.cursor
        return sealed(
            float(b["c"][i]),
            float(b["l"][i]),
            float(b["h"][i]),
            self.limits,
            daily=self.market.daily,
        )

    @property
    def sellable(self) -> int:
        """Shares that may be sold now (T+1 holds back today's purchases on the mainland)."""
        held = self.account.shares
        if self.rules.t_plus:
            held -= self.account.bought_on(self.market.days[int(self.market.day[self.cursor])])
        return max(0, held)

    def check(self, side: str, shares: int) -> Fill:
        """The fill an order would get now; raises PracticeRuleError naming the rule it breaks."""
        if self.finished:
            raise PracticeRuleError(
                "the round is over: every bar is revealed; start a new round to trade again",
                rule="finished",
            )
        r = self.rules
        acct = self.account
        price = self.price
        if side == "buy":
            r.check_buy_size(shares)
        else:
            r.check_t_plus(shares, acct.shares, self.sellable)
            r.check_sell_size(shares, acct.shares)
        r.check_price(side, float(price), self.sealed, self.limits)
        fee, flow = acct.cost(side, price, shares)
        if side == "buy" and acct.cash + flow < 0:
            need = -flow
            raise PracticeRuleError(
                f"cash: {shares} shares at {price} cost {need} with fees; you have {acct.cash}",
                rule="cash",
            )
        return Fill(self.clock_ms, side, price, shares, fee, self.cursor)

    def buy(self, shares: int) -> Fill:
        """Buy ``shares`` at the last price, or raise PracticeRuleError."""
        return self._trade("buy", shares)

    def sell(self, shares: int) -> Fill:
        """Sell ``shares`` at the last price, or raise PracticeRuleError."""
        return self._trade("sell", shares)

    def _trade(self, side: str, shares: int) -> Fill:
        fill = self.check(side, shares)
        self.account.apply(fill, self.market.days[int(self.market.day[self.cursor])])
        return fill

    # ---- results --------------------------------------------------------------------------------------
    @property
    def equity(self) -> Decimal:
        """Cash plus the position at the last price."""
        return self.account.equity(self.price)

    def score(self) -> Score:
        """P&L, return and trade count so far, and buy-and-hold over the same bars."""
        acct = self.account
        pnl = self.equity - acct.start_cash
        m = self.market
        first = decimal_price(float(m.bars["c"][m.first]), self._decimals)
        hold = buy_and_hold(
            acct.start_cash,
            first,
            self.price,
            self.fees,
            self.rules.lots.min_buy,
            self.rules.lots.step,
        )
        return Score(
            pnl=pnl,
            return_pct=pct(pnl, acct.start_cash),
            trades=len(acct.fills),
            hold_pnl=hold,
            hold_return_pct=pct(hold, acct.start_cash),
        )

    def trades_frame(self, tz: str | None = None) -> pd.DataFrame:
        """The trades as a DataFrame: time (tz-aware, the exchange's zone), side, price, shares, fee."""
        fills = self.account.fills
        zone = tz or self.market.inst.tz
        return pd.DataFrame(
            {
                "time": pd.to_datetime([f.t for f in fills], unit="ms", utc=True).tz_convert(zone),
                "side": pd.Series([f.side for f in fills], dtype=object),
                "price": pd.Series([float(f.price) for f in fills], dtype="float64"),
                "shares": pd.Series([f.shares for f in fills], dtype="int64"),
                "fee": pd.Series([float(f.fee.total) for f in fills], dtype="float64"),
            }
        )


__all__ = ["PracticeRound"]
