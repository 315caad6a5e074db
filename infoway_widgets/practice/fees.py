"""What a trade costs: commission, transfer fee and stamp duty, exact to the cent.

Every amount is a :class:`~decimal.Decimal`. The traded value is ``price × shares`` exactly (the
price as the exchange quotes it, at its tick's decimals); each fee is that value times its rate,
rounded half-up to the cent on its own, and the commission's minimum applies after rounding.

A-share defaults (:data:`CN_FEES`, what most retail brokers charge since the 2023 stamp-duty cut):
commission 0.025 % of the value with a 5 CNY minimum on each side; transfer fee (过户费) 0.001 %
on each side; stamp duty (印花税) 0.05 % on sales only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..market import Instrument

CENT = Decimal("0.01")


def cents(x: Decimal) -> Decimal:
    """``x`` rounded half-up to the cent."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_price(price: float, decimals: int) -> Decimal:
    """A float price as the exchange quotes it: its shortest repr, rounded to ``decimals``."""
    return Decimal(repr(float(price))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


@dataclass(frozen=True)
class Fee:
    """The fees of one trade, each already rounded to the cent."""

    commission: Decimal
    transfer: Decimal
    stamp_duty: Decimal

    @property
    def total(self) -> Decimal:
        return self.commission + self.transfer + self.stamp_duty


@dataclass(frozen=True)
class FeeSchedule:
    """Rates of one market's trading costs (fractions of the traded value).

    Parameters
    ----------
    commission : Decimal
        Broker commission on each side (``Decimal("0.00025")`` is 0.025 %).
    min_commission : Decimal
        Least commission a trade pays, in the instrument's currency.
    transfer : Decimal
        Transfer fee on each side.
    stamp_duty : Decimal
        Stamp duty rate.
    stamp_on_buy : bool
        Whether buyers pay stamp duty too (Hong Kong) or only sellers (the mainland).
    """

    commission: Decimal = Decimal("0.00025")
    min_commission: Decimal = Decimal("5.00")
    transfer: Decimal = Decimal("0.00001")
    stamp_duty: Decimal = Decimal("0.0005")
    stamp_on_buy: bool = False

    def fee(self, side: str, value: Decimal) -> Fee:
        """The fees of a ``side`` (``"buy"`` or ``"sell"``) trade worth ``value``."""
        commission = max(cents(value * self.commission), self.min_commission) if value else CENT * 0
        transfer = cents(value * self.transfer)
        stamp = cents(value * self.stamp_duty) if side == "sell" or self.stamp_on_buy else CENT * 0
        return Fee(commission, transfer, stamp)


#: the mainland's: 0.025 % commission (min 5 CNY), 0.001 % transfer fee, 0.05 % stamp duty on sales
CN_FEES = FeeSchedule()
#: Hong Kong's, simplified: 0.03 % commission (min 3 HKD), 0.1 % stamp duty on both sides
HK_FEES = FeeSchedule(
    commission=Decimal("0.0003"),
    min_commission=Decimal("3.00"),
    transfer=Decimal(0),
    stamp_duty=Decimal("0.001"),
    stamp_on_buy=True,
)
#: US stocks at a zero-commission broker
US_FEES = FeeSchedule(
    commission=Decimal(0), min_commission=Decimal(0), transfer=Decimal(0), stamp_duty=Decimal(0)
)
NO_FEES = US_FEES


def fees_for(inst: Instrument) -> FeeSchedule:
    """The default fee schedule of ``inst``'s market."""
    return {"CN": CN_FEES, "HK": HK_FEES, "US": US_FEES}.get(inst.market, NO_FEES)


__all__ = [
    "CN_FEES",
    "HK_FEES",
    "NO_FEES",
    "US_FEES",
    "Fee",
    "FeeSchedule",
    "cents",
    "decimal_price",
    "fees_for",
]
