"""Integer price and volume units per instrument, and their wire formatting.

The simulator keeps every price and volume as an integer count of the instrument's smallest unit,
so that turnover (price × volume) and bar sums are exact and the strings on the wire never carry
float noise. Formatting follows the frames recorded from production (see the protocol doc).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..market import Instrument


@dataclass(frozen=True)
class Units:
    """How one instrument's integers map to decimal strings.

    Parameters
    ----------
    pd : int
        Decimals of a price unit (price = units / 10**pd).
    vd : int
        Decimals of a volume unit.
    trade_fixed : bool
        Trade prices printed with exactly ``pd`` decimals (equities) or trimmed (crypto).
    depth_pd, depth_vd : int
        Decimals of depth prices and sizes (crypto depth carries 8).
    candle_pd, candle_vd : int
        Decimals of candle prices / volumes (crypto candles carry 5).
    """

    pd: int
    vd: int
    trade_fixed: bool
    depth_pd: int
    depth_vd: int
    candle_pd: int
    candle_vd: int

    @property
    def vw_d(self) -> int:
        return self.pd + self.vd

    def tick_units(self, inst: Instrument, p: int) -> int:
        """The tick at price ``p`` (units) in units; HK ticks depend on the price band."""
        return _tick_units(inst, self.pd, p)

    def to_units(self, price: float) -> int:
        return round(price * 10**self.pd)


@functools.lru_cache(maxsize=8192)
def _tick_units(inst: Instrument, pd: int, p: int) -> int:
    return max(1, round(inst.tick_size(p / 10**pd) * 10**pd))


def units_for(inst: Instrument) -> Units:
    """The unit scheme for ``inst`` (by market)."""
    if inst.market == "CN":
        pd = inst.price_decimals
        return Units(pd, 0, True, pd, 0, pd, 0)
    if inst.market in ("HK", "US"):
        # production prints US/HK prices with three decimals ("305.990")
        return Units(3, 0, True, 3, 0, 3, 0)
    if inst.market == "CRYPTO":
        pd = inst.price_decimals
        return Units(pd, 5, False, 8, 8, 5, 5)
    pd = inst.price_decimals
    return Units(pd, 0, True, pd, 0, pd, 0)


def fmt(value: int, decimals: int, scale: int | None = None) -> str:
    """Integer ``value`` with ``scale`` implied decimals, printed with ``decimals`` decimals.

    Exact (integer arithmetic): ``fmt(46090080, 2) == "460900.80"``.
    """
    if scale is None:
        scale = decimals
    if decimals > scale:
        value *= 10 ** (decimals - scale)
    elif decimals < scale:
        q = 10 ** (scale - decimals)
        value = (value + q // 2) // q if value >= 0 else -((-value + q // 2) // q)
    neg = value < 0
    s = str(-value if neg else value)
    if decimals:
        s = s.rjust(decimals + 1, "0")
        s = s[:-decimals] + "." + s[-decimals:]
    return "-" + s if neg else s


def fmt_trim(value: int, scale: int) -> str:
    """Like :func:`fmt` with trailing zeros (and a bare point) removed: ``"63039"``, ``"0.07933"``."""
    s = fmt(value, scale)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def pct(change: int, base: int) -> str:
    """Percent change as production prints it: two decimals and a sign only when negative."""
    if base == 0:
        return "0.00%"
    # round half away from zero on 10**4 × ratio
    num = change * 10000
    q, r = divmod(abs(num), abs(base))
    if 2 * r >= abs(base):
        q += 1
    if (num < 0) != (base < 0) and q:
        q = -q
    return fmt(q, 2) + "%"
