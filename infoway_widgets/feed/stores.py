"""Bounded in-memory market state: bars, order book, trade tape. numpy-backed, no I/O.

The feed writes these; widgets read them. Every store has a ``version`` that rises with each change,
so a reader can ask "what changed since the version I last saw" and send only that (see
:meth:`BarStore.changed_since`, :meth:`TapeStore.since`). Memory is bounded by ``capacity``.
All times are UTC epoch milliseconds.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..market import Instrument, Interval, parse_interval
from ..market.ohlcv import trade_bars

_versions = itertools.count(1)


def _next_version() -> int:
    # one global counter: versions of different stores never collide, and "since" is comparable
    return next(_versions)


BAR_FIELDS = ("open", "high", "low", "close", "volume", "turnover")
#: how many (version, oldest bar) entries a BarStore keeps for changed_since
_TOUCH_ENTRIES = 64
_O, _H, _L, _C, _V, _VW = range(6)


# ---- merge policy of a service candle over a bar that live trades build (trades: BarStore.fold)
def keep_live_progress(candle: np.ndarray, live: np.ndarray) -> None:
    """A service candle for a bar that live trades are building: the candle is the truth, except
    that it must not roll the bar back (its push may be older than the trades folded in), so high,
    low and volume never move backwards. Changes ``candle`` in place."""
    candle[_H] = max(candle[_H], live[_H])
    candle[_L] = min(candle[_L], live[_L])
    if live[_V] > candle[_V]:
        candle[_V], candle[_VW], candle[_C] = live[_V], live[_VW], live[_C]


class BarStore:
    """Bars of one (symbol, interval), oldest first, at most ``capacity`` (older ones drop off).

    Columns: ``t`` (open time, int64 ms) and float64 ``open high low close volume turnover``;
    per bar also the number of trades folded in from the live stream and the time of the latest
    one (to keep a late trade from overwriting the close), and ``rev``: the version that last
    touched the bar. One bar per open time, always.
    """

    def __init__(self, instrument: Instrument, interval: Interval | str, capacity: int = 100_000):
        self.instrument = instrument
        self.interval = parse_interval(interval)
        self.capacity = int(capacity)
        cap2 = max(16, 2 * self.capacity)
        self._t = np.zeros(cap2, dtype=np.int64)
        self._x = np.zeros((cap2, 6), dtype=np.float64)
        self._last_trade_t = np.zeros(cap2, dtype=np.int64)
        self._settled = np.zeros(cap2, dtype=bool)
        self._rev = np.zeros(cap2, dtype=np.int64)
        self._a = 0  # first live row
        self._b = 0  # one past the last live row
        self.version = _next_version()
        #: rises when the series starts over (clear); a reader must then resend everything
        self.epoch = 0
        #: bars dropped off the old end to keep within ``capacity`` (not a reason to resend: a
        #: reader that mirrors the newest bars never held them, or trims its own window)
        self.dropped = 0
        # which bars a version touched, in brief: versions rising and open times rising, each
        # entry the oldest bar touched at or after its version (so that changed_since reads
        # the tail a live bar makes, not every bar held)
        self._touch_v: list[int] = []
        self._touch_t: list[int] = []

    # ---- size and views --------------------------------------------------------------------
    def __len__(self) -> int:
        return self._b - self._a

    @property
    def t(self) -> np.ndarray:
        return self._t[self._a : self._b]

    def column(self, name: str) -> np.ndarray:
        return self._x[self._a : self._b, BAR_FIELDS.index(name)]

    @property
    def rev(self) -> np.ndarray:
        return self._rev[self._a : self._b]

    @property
    def settled(self) -> np.ndarray:
        """True for bars confirmed by the service (REST history or settlement)."""
        return self._settled[self._a : self._b]

    def last(self) -> dict[str, float] | None:
        if not len(self):
            return None
        i = self._b - 1
        d: dict[str, float] = {"t": int(self._t[i])}
        d.update({k: float(self._x[i, j]) for j, k in enumerate(BAR_FIELDS)})
        return d

    def arrays(self, start: int = 0, stop: int | None = None) -> dict[str, np.ndarray]:
        """Copies of the columns for rows ``[start, stop)`` (negative indices count from the end)."""
        sl = slice(*slice(start, stop).indices(len(self)))
        a = self._a
        rows = slice(a + sl.start, a + sl.stop)
        out = {"t": self._t[rows].copy()}
        for j, k in enumerate(BAR_FIELDS):
            out[k] = self._x[rows, j].copy()
        return out

    def _touched(self, version: int, t: int) -> None:
        tv, tt = self._touch_v, self._touch_t
        if tt and tt[-1] == t:  # the bar touched last, touched again (the common case)
            tv[-1] = version
            return
        while tt and tt[-1] >= t:  # a later version reaching as far back says it all
            tt.pop()
            tv.pop()
        tv.append(version)
        tt.append(t)
        if len(tv) > _TOUCH_ENTRIES:  # fold the oldest two: reaching back further is still right
            del tv[0], tt[1]

    def _oldest_touched(self, version: int) -> int | None:
        """Index (into :attr:`t`) from which the bars touched after ``version`` lie; None if none."""
        k = bisect.bisect_right(self._touch_v, version)
        if k == len(self._touch_v):
            return None
        return int(np.searchsorted(self.t, self._touch_t[k]))

    def changed_since(self, version: int) -> dict[str, np.ndarray]:
        """Every bar touched after ``version`` (oldest first), as column copies."""
        i0 = self._oldest_touched(version)
        if i0 is None:
            idx = np.zeros(0, dtype=np.int64)
        else:
            idx = i0 + np.flatnonzero(self._rev[self._a + i0 : self._b] > version)
        rows = self._x[self._a : self._b][idx]  # one gather; the columns are views of it
        out = {"t": self.t[idx]}
        for j, k in enumerate(BAR_FIELDS):
            out[k] = rows[:, j]
        return out

    def to_pandas(self, tz: str | None = None) -> pd.DataFrame:
        """Bars as a DataFrame indexed by a tz-aware open time (the exchange's zone by default),
        with open/high/low/close/volume/turnover/vwap columns."""
        a = self.arrays()
        idx = pd.to_datetime(a.pop("t"), unit="ms", utc=True).tz_convert(tz or self.instrument.tz)
        df = pd.DataFrame(a, index=idx)
        df.index.name = "time"
        with np.errstate(invalid="ignore", divide="ignore"):
            df["vwap"] = np.where(df["volume"] > 0, df["turnover"] / df["volume"], np.nan)
        return df

    # ---- writes ----------------------------------------------------------------------------
    def _room(self, n: int = 1) -> None:
        if self._b + n <= len(self._t):
            return
        keep = min(len(self), self.capacity)
        if keep + n > len(self._t):  # grow (only when a single write exceeds the headroom)
            new = max(len(self._t) * 2, keep + n)
            for name in ("_t", "_last_trade_t", "_rev", "_settled"):
                arr = getattr(self, name)
                grown = np.zeros(new, dtype=arr.dtype)
                grown[:keep] = arr[self._b - keep : self._b]
                setattr(self, name, grown)
            x = np.zeros((new, 6), dtype=np.float64)
            x[:keep] = self._x[self._b - keep : self._b]
            self._x = x
        else:
            src = slice(self._b - keep, self._b)
            self._t[:keep] = self._t[src]
            self._x[:keep] = self._x[src]
            self._last_trade_t[:keep] = self._last_trade_t[src]
            self._settled[:keep] = self._settled[src]
            self._rev[:keep] = self._rev[src]
        if keep < len(self):
            self.dropped += len(self) - keep
        self._a, self._b = 0, keep

    def _trim(self) -> None:
        if len(self) > self.capacity:
            self.dropped += len(self) - self.capacity
            self._a = self._b - self.capacity

    def _find(self, t: int) -> int:
        """Index (absolute) of the bar opening at ``t``, or -1."""
        if not len(self):
            return -1
        if self._t[self._b - 1] == t:
            return self._b - 1
        i = int(np.searchsorted(self.t, t)) + self._a
        return i if i < self._b and self._t[i] == t else -1

    def _insert(self, t: int, row: np.ndarray, settled: bool, last_trade_t: int, v: int) -> None:
        """Insert a bar at its sorted place (append in the common case)."""
        if not len(self) or t > self._t[self._b - 1]:
            self._room()
            i = self._b
            self._b += 1
        else:
            pos = int(np.searchsorted(self.t, t)) + self._a
            self._room()
            # _room may have moved rows: recompute
            pos = int(np.searchsorted(self.t, t)) + self._a
            for name in ("_t", "_last_trade_t", "_rev", "_settled"):
                arr = getattr(self, name)
                arr[pos + 1 : self._b + 1] = arr[pos : self._b].copy()
            self._x[pos + 1 : self._b + 1] = self._x[pos : self._b].copy()
            self._b += 1
            i = pos
        self._t[i] = t
        self._x[i] = row
        self._settled[i] = settled
        self._last_trade_t[i] = last_trade_t
        self._rev[i] = v
        self._touched(v, t)
        self._trim()

    def upsert(
        self,
        t: int,
        o: float,
        h: float,
        lo: float,
        c: float,
        v: float,
        vw: float,
        *,
        settled: bool = False,
    ) -> None:
        """Write a whole bar (a candle push, or REST), replacing any bar with the same open time.

        A candle from the service is the truth for its bar, except that it must not roll back a
        live bar that trades have already carried further: while the bar is still forming, high,
        low and volume never move backwards.
        """
        ver = _next_version()
        row = np.array([o, h, lo, c, v, vw], dtype=np.float64)
        i = self._find(int(t))
        if i < 0:
            self._insert(int(t), row, settled, 0, ver)
        else:
            if not settled and not self._settled[i] and self._last_trade_t[i]:
                keep_live_progress(row, self._x[i])
            self._x[i] = row
            self._settled[i] = self._settled[i] or settled
            self._rev[i] = ver
            self._touched(ver, int(t))
        self.version = ver

    def merge(
        self,
        t: np.ndarray,
        o: np.ndarray,
        h: np.ndarray,
        lo: np.ndarray,
        c: np.ndarray,
        v: np.ndarray,
        vw: np.ndarray,
        *,
        settled: bool = True,
    ) -> int:
        """Merge many bars from the service (history, backfill, settlement): each replaces the bar
        with the same open time or is inserted at its place. Returns how many bars changed."""
        t = np.asarray(t, dtype=np.int64)
        if t.size == 0:
            return 0
        order = np.argsort(t, kind="stable")
        rows = np.column_stack([o, h, lo, c, v, vw]).astype(np.float64)[order]
        t = t[order]
        changed = 0
        ver = _next_version()
        if not len(self) or t[0] > self._t[self._b - 1]:
            # pure append: vectorised
            n = len(t)
            self._room(n)
            s = slice(self._b, self._b + n)
            self._t[s], self._x[s], self._settled[s], self._last_trade_t[s], self._rev[s] = (
                t,
                rows,
                settled,
                0,
                ver,
            )
            self._b += n
            self._touched(ver, int(t[0]))
            self._trim()
            self.version = ver
            return n
        for k in range(len(t)):
            ti = int(t[k])
            i = self._find(ti)
            if i < 0:
                self._insert(ti, rows[k], settled, 0, ver)
                changed += 1
            elif not np.array_equal(self._x[i], rows[k]) or (settled and not self._settled[i]):
                self._x[i] = rows[k]
                self._settled[i] = settled
                self._rev[i] = ver
                self._touched(ver, ti)
                changed += 1
        self.version = ver
        return changed

    def apply_trades(
        self,
        opens: np.ndarray,
        t: np.ndarray,
        price: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray,
    ) -> None:
        """Fold trades into bars. ``opens`` are the bar open times (from ``bar_opens``; rows with
        -1 must be removed by the caller); arrays in arrival order."""
        if len(opens) == 0:
            return
        ver = _next_version()
        for row in trade_bars(opens, t, price, volume, turnover).rows():
            self.fold(*row, ver)

    def fold(
        self,
        bo: int,
        first: float,
        high: float,
        low: float,
        last: float,
        volume: float,
        turnover: float,
        t_last: int,
        ver: int | None = None,
    ) -> None:
        """Fold the aggregate of some trades of one bar (given as scalars) into the bar at ``bo``.

        A settled bar only widens: the service confirmed it and counted its trades, so a trade
        for it now is a resent push (after a reconnect) or a late print, and adding its volume
        would count it twice. A forming bar adds volume and turnover, and takes the close unless
        the trades are older than the latest one already folded in (a late trade must not
        overwrite the close). Every trade write goes through here.
        """
        ver = ver if ver is not None else _next_version()
        i = self._b - 1
        if i < self._a or self._t[i] != bo:
            i = self._find(bo)
        if i < 0:
            self._insert(
                bo, np.array([first, high, low, last, volume, turnover]), False, t_last, ver
            )
        else:
            # one read of the row and a write per changed value: numpy's per-call cost is what
            # counts here
            x = self._x[i]
            _, h, lo, _, v, vw = x.tolist()
            if high > h:
                x[_H] = high
            if low < lo:
                x[_L] = low
            if not self._settled[i]:
                lt = self._last_trade_t
                if t_last >= lt[i]:
                    x[_C] = last
                    lt[i] = t_last
                x[_V] = v + volume
                x[_VW] = vw + turnover
            self._rev[i] = ver
            self._touched(ver, bo)
        self.version = ver

    def clear(self) -> None:
        self._a = self._b = 0
        self._touch_v.clear()
        self._touch_t.clear()
        self.epoch += 1
        self.version = _next_version()


#: decimals kept by derived prices: finer than any tick, coarser than float noise
_CLEAN = 9


@dataclass
class BookSnapshot:
    """One order-book state. Prices best first; empty arrays for an empty side."""

    symbol: str
    t: int
    bid_px: np.ndarray
    bid_vol: np.ndarray
    ask_px: np.ndarray
    ask_vol: np.ndarray

    @property
    def best_bid(self) -> float | None:
        return float(self.bid_px[0]) if len(self.bid_px) else None

    @property
    def best_ask(self) -> float | None:
        return float(self.ask_px[0]) if len(self.ask_px) else None

    @property
    def spread(self) -> float | None:
        """Best ask − best bid, without the float noise of the subtraction (0.03, not 0.0300000001)."""
        b, a = self.best_bid, self.best_ask
        return None if b is None or a is None else round(a - b, _CLEAN)

    @property
    def mid(self) -> float | None:
        """The middle of best bid and best ask (half a tick finer than the prices)."""
        b, a = self.best_bid, self.best_ask
        return None if b is None or a is None else round((a + b) / 2, _CLEAN)

    def imbalance(self, levels: int = 5) -> float | None:
        """(Σbid − Σask) / (Σbid + Σask) over the first ``levels`` levels, in [-1, 1] (委比 / 100)."""
        b = float(self.bid_vol[:levels].sum())
        a = float(self.ask_vol[:levels].sum())
        return None if a + b <= 0 else (b - a) / (b + a)

    def depth_difference(self, levels: int = 5) -> float:
        """Σbid − Σask over the first ``levels`` levels (委差)."""
        return float(self.bid_vol[:levels].sum() - self.ask_vol[:levels].sum())

    def to_pandas(self) -> pd.DataFrame:
        n = max(len(self.bid_px), len(self.ask_px))

        def pad(a: np.ndarray) -> np.ndarray:
            out = np.full(n, np.nan)
            out[: len(a)] = a
            return out

        return pd.DataFrame(
            {
                "bid_px": pad(self.bid_px),
                "bid_vol": pad(self.bid_vol),
                "ask_px": pad(self.ask_px),
                "ask_vol": pad(self.ask_vol),
            },
            index=pd.RangeIndex(1, n + 1, name="level"),
        )


class BookStore:
    """Latest order book of one symbol (depth pushes are full snapshots, not diffs)."""

    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.snapshot: BookSnapshot | None = None
        self.version = _next_version()
        self.updates = 0

    def update(
        self,
        t: int,
        bid_px: np.ndarray,
        bid_vol: np.ndarray,
        ask_px: np.ndarray,
        ask_vol: np.ndarray,
    ) -> None:
        snap = self.snapshot
        if snap is not None and t < snap.t:
            return  # an older snapshot arriving late must not replace a newer one
        self.snapshot = BookSnapshot(
            self.instrument.code,
            int(t),
            np.asarray(bid_px, np.float64),
            np.asarray(bid_vol, np.float64),
            np.asarray(ask_px, np.float64),
            np.asarray(ask_vol, np.float64),
        )
        self.updates += 1
        self.version = _next_version()


TAPE_FIELDS = ("t", "price", "volume", "turnover", "direction")


class TapeStore:
    """The latest ``capacity`` trades of one symbol (time & sales), plus day totals by direction."""

    def __init__(self, instrument: Instrument, capacity: int = 5000):
        self.instrument = instrument
        self.capacity = int(capacity)
        self._t = np.zeros(self.capacity, dtype=np.int64)
        self._x = np.zeros(
            (self.capacity, 4), dtype=np.float64
        )  # price, volume, turnover, direction
        self.total = 0  # trades ever appended
        self.version = _next_version()

    def __len__(self) -> int:
        return min(self.total, self.capacity)

    def append(
        self,
        t: np.ndarray,
        price: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray,
        direction: np.ndarray,
    ) -> None:
        n = len(t)
        if n == 0:
            return
        if n > self.capacity:
            t, price, volume, turnover, direction = (
                a[-self.capacity :] for a in (t, price, volume, turnover, direction)
            )
            skipped = n - self.capacity
            n = self.capacity
        else:
            skipped = 0
        a = (self.total + skipped) % self.capacity
        if a + n <= self.capacity:
            pos: slice | np.ndarray = slice(a, a + n)
        else:
            pos = (a + np.arange(n)) % self.capacity
        self._t[pos] = t
        self._x[pos, 0] = price
        self._x[pos, 1] = volume
        self._x[pos, 2] = turnover
        self._x[pos, 3] = direction
        self.total += n + skipped
        self.version = _next_version()

    def last(self) -> tuple[int, float] | None:
        """(time, price) of the newest trade, or None before the first."""
        if not self.total:
            return None
        i = (self.total - 1) % self.capacity
        return int(self._t[i]), float(self._x[i, 0])

    def since(self, total_seen: int) -> dict[str, np.ndarray]:
        """Trades appended after the reader had seen ``total_seen`` of them (at most ``capacity``),
        oldest first."""
        start = max(total_seen, self.total - self.capacity)
        n = self.total - start
        pos = (start + np.arange(n)) % self.capacity
        return {
            "t": self._t[pos].copy(),
            "price": self._x[pos, 0].copy(),
            "volume": self._x[pos, 1].copy(),
            "turnover": self._x[pos, 2].copy(),
            "direction": self._x[pos, 3].copy(),
        }

    def to_pandas(self, tz: str | None = None) -> pd.DataFrame:
        """The tape as a DataFrame, newest first, indexed by tz-aware trade time."""
        d = self.since(0)
        idx = pd.to_datetime(d.pop("t"), unit="ms", utc=True).tz_convert(tz or self.instrument.tz)
        df = pd.DataFrame(d, index=idx)
        df["direction"] = df["direction"].astype(np.int8)
        df.index.name = "time"
        return df.iloc[::-1]
