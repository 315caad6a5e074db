"""How a market counts what trades: the unit its volumes are shown in, and the decimals of a size.

One unit per market, the same in every widget: A-shares count in lots of 100 shares (手), Hong
Kong and US stocks in shares, a crypto pair in its base asset (BTC for BTCUSDT), FX in units.
Feeds, stores and frames keep raw sizes (shares, coins); only what is shown is divided.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .instruments import Instrument

#: markets whose volumes are customarily counted in lots (手) rather than shares
LOT_MARKETS = frozenset({"CN"})


@dataclass(frozen=True)
class VolumeUnit:
    """The unit volumes of one instrument are shown in.

    Attributes
    ----------
    key : str
        ``"lots"`` (手), ``"shares"``, ``"units"``, or a crypto pair's base asset (``"BTC"``).
    per : float
        Raw volume (shares, coins) in one unit: 100 for an A-share lot, else 1.
    decimals : int
        Decimals a size needs in this unit to show the smallest one traded (an odd lot of one
        A-share is 0.01 手; BTC trades in steps of 0.00001).
    """

    key: str
    per: float
    decimals: int

    def shown(self, raw: float) -> float:
        """``raw`` (shares, coins) in this unit."""
        return raw / self.per


def decimals_of(step: float) -> int:
    """Decimals of a step: ``0.01`` → 2, ``0.00001`` → 5, ``100`` → 0."""
    exp = Decimal(repr(float(step))).normalize().as_tuple().exponent
    return max(0, -int(exp))


def size_step(inst: Instrument) -> float:
    """The smallest size that trades, in raw units.

    One share for stocks (A-shares buy in lots of 100 but an odd lot can be sold), the lot step for
    crypto pairs (0.00001 BTC), one unit for FX.
    """
    if inst.market in ("CN", "HK", "US"):
        return 1.0
    return float(inst.lot_size)


def base_asset(inst: Instrument) -> str:
    """A crypto pair's base asset (``BTCUSDT`` → ``BTC``); the code itself where there is none."""
    q = inst.currency
    if inst.market == "CRYPTO" and q and inst.code.endswith(q) and len(inst.code) > len(q):
        return inst.code[: -len(q)]
    return inst.code


def volume_unit(inst: Instrument) -> VolumeUnit:
    """The unit ``inst``'s volumes are shown in (see the module notes)."""
    if inst.market in LOT_MARKETS and inst.lot_size > 1:
        per = float(inst.lot_size)
        return VolumeUnit("lots", per, decimals_of(size_step(inst) / per))
    if inst.market in ("HK", "US"):
        key = "shares"
    elif inst.market == "CRYPTO":
        key = base_asset(inst)
    else:
        key = "units"
    return VolumeUnit(key, 1.0, decimals_of(size_step(inst)))


def size_decimals(inst: Instrument) -> int:
    """Decimals of a raw size of ``inst`` (0 for shares, 5 for BTC)."""
    return decimals_of(size_step(inst))


__all__ = [
    "LOT_MARKETS",
    "VolumeUnit",
    "base_asset",
    "decimals_of",
    "size_decimals",
    "size_step",
    "volume_unit",
]
