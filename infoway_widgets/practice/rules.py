"""Which orders a market accepts: lot sizes, T+1, sealed limits and the daily price limits.

Pure checks on numbers; each refusal is a :class:`~infoway_widgets.errors.PracticeRuleError`
whose ``rule`` names the rule, so a widget can explain it in the student's language.

* Mainland main board, ChiNext and ETFs buy in lots of 100 shares; an odd remainder (零股) is sold
  in one order. The STAR Market (688xxx) takes at least 200 shares, then any step of 1; the
  Beijing exchange at least 100, then steps of 1.
* T+1 on the mainland: shares bought on a trading day can be sold from the next one. Hong Kong and
  US stocks are T+0.
* A bar carries no order book, so a limit counts as *sealed* when the bar closed at the limit and
  traded nowhere else in it (for a daily bar: closed at the limit): buying at a sealed limit-up
  finds no seller, selling at a sealed limit-down no buyer.
* Hong Kong trades in board lots (the instrument's lot size), US stocks in single shares.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PracticeRuleError
from ..market import Instrument

#: the rules a refusal can name (``PracticeRuleError.rule``)
RULES = (
    "lot",
    "t+1",
    "sealed-limit-up",
    "sealed-limit-down",
    "price-limit",
    "cash",
    "position",
    "finished",
)


@dataclass(frozen=True)
class LotRule:
    """Sizes an order may have, in shares.

    Attributes
    ----------
    lot : int
        Shares in one lot (what ``lots=1`` means).
    min_buy : int
        Fewest shares one buy may take.
    step : int
        Shares beyond the minimum come in steps of this.
    odd_sale : bool
        Whether a holding that is not a whole number of lots can be sold down (the odd part in
        one order, or all of it).
    """

    lot: int
    min_buy: int
    step: int
    odd_sale: bool

    def describe(self) -> str:
        if self.min_buy == self.step:
            return f"orders in multiples of {self.step} shares"
        return f"at least {self.min_buy} shares, then steps of {self.step}"


def lot_rule(inst: Instrument) -> LotRule:
    """The order sizes of ``inst``'s market and board."""
    lot = max(1, int(inst.lot_size))
    if inst.market == "CN":
        if inst.board == "star":
            return LotRule(100, 200, 1, True)
        if inst.board == "bse":
            return LotRule(100, 100, 1, True)
        return LotRule(100, 100, 100, True)
    return LotRule(lot, lot, lot, False)


def t_plus(inst: Instrument) -> int:
    """Trading days between buying a share and being allowed to sell it (1 on the mainland)."""
    return 1 if inst.market == "CN" else 0


def sealed(
    close: float, low: float, high: float, limits: tuple[float, float] | None, *, daily: bool
) -> str | None:
    """``"up"`` or ``"down"`` when the bar ended sealed at a limit, else None (see the module)."""
    if limits is None:
        return None
    down, up = limits
    if close >= up - 1e-9 and (daily or low >= up - 1e-9):
        return "up"
    if close <= down + 1e-9 and (daily or high <= down + 1e-9):
        return "down"
    return None


class MarketRules:
    """The order checks of one instrument.

    Parameters
    ----------
    inst : Instrument
    """

    def __init__(self, inst: Instrument) -> None:
        self.inst = inst
        self.lots = lot_rule(inst)
        self.t_plus = t_plus(inst)

    def shares_of(self, lots: int | None, shares: int | None) -> int:
        """Shares of an order given in lots or in shares (exactly one of them)."""
        n = shares if shares is not None else (1 if lots is None else lots) * self.lots.lot
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise PracticeRuleError(
                f"an order needs a positive whole number of lots or shares, not {n!r}", rule="lot"
            )
        return n

    # ---- sizes ----------------------------------------------------------------------------------
    def check_buy_size(self, shares: int) -> None:
        r = self.lots
        board = self._board()
        if shares < r.min_buy or (shares - r.min_buy) % r.step:
            raise PracticeRuleError(
                f"lot rule: {board} buys take {r.describe()}; {shares} shares is not allowed",
                rule="lot",
            )

    def check_sell_size(self, shares: int, held: int) -> None:
        r = self.lots
        if shares == held:
            return  # the whole holding, odd part included
        if r.min_buy == r.step:
            if shares % r.step == 0 or (r.odd_sale and shares == held % r.step):
                return
        elif shares >= r.min_buy and held - shares >= 0:
            return
        raise PracticeRuleError(
            f"lot rule: {self._board()} sales take {r.describe()} (or the whole holding of "
            f"{held}); {shares} shares is not allowed",
            rule="lot",
        )

    # ---- prices ---------------------------------------------------------------------------------
    def check_price(
        self, side: str, price: float, bar_sealed: str | None, limits: tuple[float, float] | None
    ) -> None:
        if limits is not None and not (limits[0] - 1e-9 <= price <= limits[1] + 1e-9):
            raise PracticeRuleError(
                f"price limits: {price} is outside today's range {limits[0]}–{limits[1]}",
                rule="price-limit",
            )
        if side == "buy" and bar_sealed == "up":
            raise PracticeRuleError(
                f"sealed limit-up: the price is stuck at the limit-up {limits[1] if limits else ''} "
                "with no sellers (no ask), so a buy cannot fill; wait until the limit opens",
                rule="sealed-limit-up",
            )
        if side == "sell" and bar_sealed == "down":
            raise PracticeRuleError(
                f"sealed limit-down: the price is stuck at the limit-down "
                f"{limits[0] if limits else ''} with no buyers (no bid), so a sale cannot fill; "
                "wait until the limit opens",
                rule="sealed-limit-down",
            )

    def check_t_plus(self, shares: int, held: int, sellable: int) -> None:
        if shares > held:
            raise PracticeRuleError(
                f"position: you hold {held} shares and cannot sell {shares} (no short selling)",
                rule="position",
            )
        if shares > sellable:
            raise PracticeRuleError(
                f"T+1: {held - sellable} of your {held} shares were bought today and can be sold "
                f"from the next trading day; {sellable} can be sold now",
                rule="t+1",
            )

    def _board(self) -> str:
        if self.inst.market == "CN":
            return {
                "star": "STAR Market",
                "bse": "Beijing exchange",
                "chinext": "ChiNext",
                "etf": "ETF",
            }.get(self.inst.board, "A-share")
        return {"HK": "Hong Kong", "US": "US"}.get(self.inst.market, self.inst.market)


__all__ = ["RULES", "LotRule", "MarketRules", "lot_rule", "sealed", "t_plus"]
