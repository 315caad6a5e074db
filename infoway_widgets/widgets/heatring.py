"""The depth heatmap's memory: the order book and the trades of each time bin, in a fixed ring.

Pure: books and trades in, columns out. A bin is ``bin_ms`` of exchange time; it keeps the book
as it stood at the end of the bin (the last snapshot seen in it; a bin without a new snapshot
repeats the one before, since resting orders stay until they change) and the volume traded in
it per (price, side). Memory is ``capacity`` bins whatever the session length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _fit(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    k = min(n, len(a))
    out[:k] = a[:k]
    return out


def trades_by_price(
    bins: np.ndarray, price: np.ndarray, volume: np.ndarray, direction: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trades summed per (bin, price, side): the arrays ``(bin, price, volume, direction)``."""
    if len(bins) == 0:
        e = np.zeros(0)
        return e, e, e, e
    keys = np.stack([bins.astype(np.float64), price, direction.astype(np.float64)], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    vol = np.bincount(inv.ravel(), weights=volume, minlength=len(uniq))
    return uniq[:, 0], uniq[:, 1], vol, uniq[:, 2]


@dataclass
class HeatColumns:
    """What the front-end gets: ``m`` bins, their books (``m × levels`` row-major, NaN-padded) and
    their trades (one entry per bin, price and side)."""

    t: np.ndarray
    bid_px: np.ndarray
    bid_vol: np.ndarray
    ask_px: np.ndarray
    ask_vol: np.ndarray
    tr_t: np.ndarray
    tr_px: np.ndarray
    tr_vol: np.ndarray
    tr_dir: np.ndarray

    def columns(self) -> dict[str, np.ndarray]:
        return dict(self.__dict__)


class HeatRing:
    """The last ``capacity`` bins of one symbol's book and trades."""

    def __init__(self, capacity: int, levels: int, bin_ms: int) -> None:
        self.capacity = int(capacity)
        self.levels = int(levels)
        self.bin_ms = int(bin_ms)
        n, L = self.capacity, self.levels
        self._book = np.full((n, 4, L), np.nan)  # bid_px, bid_vol, ask_px, ask_vol
        self._trades: list[dict[tuple[float, int], float]] = [{} for _ in range(n)]
        #: the newest bin (exchange ms // bin_ms), -1 before the first
        self.last_bin = -1
        self.first_bin = -1

    def _slot(self, b: int) -> int:
        return b % self.capacity

    def _advance(self, b: int) -> None:
        """Open bin ``b``: the bins since the newest one repeat its book, with no trades."""
        if self.last_bin < 0:
            self.first_bin = self.last_bin = b
            self._trades[self._slot(b)] = {}
            return
        if b <= self.last_bin:
            return
        prev = self._book[self._slot(self.last_bin)].copy()
        for k in range(self.last_bin + 1, min(b, self.last_bin + self.capacity) + 1):
            self._book[self._slot(k)] = prev
            self._trades[self._slot(k)] = {}
        if b - self.last_bin > self.capacity:
            self._book[self._slot(b)] = prev
            self._trades[self._slot(b)] = {}
        self.last_bin = b
        self.first_bin = max(self.first_bin, b - self.capacity + 1)

    def book(self, t_ms: int, bid_px: np.ndarray, bid_vol: np.ndarray, ask_px: np.ndarray,
             ask_vol: np.ndarray) -> int:  # fmt: skip
        """The book as of ``t_ms`` (a bin older than the ring is ignored); returns its bin."""
        b = int(t_ms) // self.bin_ms
        if self.last_bin >= 0 and b < self.first_bin:
            return b
        self._advance(b)
        L = self.levels
        self._book[self._slot(b)] = (
            _fit(bid_px, L),
            _fit(bid_vol, L),
            _fit(ask_px, L),
            _fit(ask_vol, L),
        )
        return b

    def trades(self, t: np.ndarray, price: np.ndarray, volume: np.ndarray,
               direction: np.ndarray) -> HeatColumns | None:  # fmt: skip
        """Add trades to their bins; returns them summed per (bin, price, side), or None."""
        if len(t) == 0:
            return None
        bins = t.astype(np.int64) // self.bin_ms
        self._advance(int(bins.max()))
        keep = bins >= self.first_bin
        b, px, vol, d = trades_by_price(bins[keep], price[keep], volume[keep], direction[keep])
        for bi, p, v, di in zip(b.tolist(), px.tolist(), vol.tolist(), d.tolist()):
            cell = self._trades[self._slot(int(bi))]
            key = (p, int(di))
            cell[key] = cell.get(key, 0.0) + v
        return HeatColumns(*(np.zeros(0),) * 5, b * self.bin_ms, px, vol, d)

    def columns(self, first: int | None = None, last: int | None = None) -> HeatColumns:
        """Bins ``first``…``last`` (default: all held), oldest first."""
        if self.last_bin < 0:
            e = np.zeros(0)
            return HeatColumns(e, e, e, e, e, e, e, e, e)
        lo = self.first_bin if first is None else max(first, self.first_bin)
        hi = self.last_bin if last is None else min(last, self.last_bin)
        bins = np.arange(lo, hi + 1)
        slots = bins % self.capacity
        book = self._book[slots]
        tb: list[float] = []
        tp: list[float] = []
        tv: list[float] = []
        td: list[float] = []
        for b, s in zip(bins.tolist(), slots.tolist()):
            for (p, d), v in self._trades[s].items():
                tb.append(b * self.bin_ms)
                tp.append(p)
                tv.append(v)
                td.append(d)
        return HeatColumns(
            (bins * self.bin_ms).astype(np.float64),
            book[:, 0].ravel(),
            book[:, 1].ravel(),
            book[:, 2].ravel(),
            book[:, 3].ravel(),
            np.array(tb),
            np.array(tp),
            np.array(tv),
            np.array(td),
        )
