"""Events the simulated market releases: trades and order-book snapshots (integer units)."""

from __future__ import annotations

from typing import NamedTuple


class SimTrade(NamedTuple):
    """One print. ``p`` and ``v`` are integer units (see :mod:`.units`); ``td`` 0/1/2."""

    t: int
    code: str
    p: int
    v: int
    td: int


class SimDepth(NamedTuple):
    """A full book snapshot, best level first on each side (asks ascending, bids descending)."""

    t: int
    code: str
    ap: tuple[int, ...]
    av: tuple[int, ...]
    bp: tuple[int, ...]
    bv: tuple[int, ...]


Event = SimTrade | SimDepth
