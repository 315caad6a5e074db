"""Trades into bar rows for every watched interval. Pure: no loop, no feed, no stores.

:meth:`Aggregator.fold` takes one decoded batch (:class:`~infoway_widgets.protocol.TradeColumns`)
and what is watched, and returns for each watched symbol its trades (for the tape and listeners),
their buy/sell/neutral volume with the trading day they count toward, and one :class:`BarRow` per
bar they touch in each watched interval. The aggregator keeps the calendar caches (the span of the
bar each series is building) and notices rollovers: a series whose newest bar moved on, so the bar
before it is complete and can be settled against the service.

Speed: the batch is grouped by symbol once (a few ``reduceat`` calls for all symbols); a symbol
whose trades all fall inside the bar a series is building becomes one row without the calendar, so
the cost per batch hardly depends on how many intervals are watched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..market import Instrument, Interval, bar_opens, bar_span, parse_interval
from ..market.ohlcv import trade_bars
from ..protocol.decode import TradeColumns

#: a bar series: (symbol, interval name)
SeriesKey = tuple[str, str]
DAY = parse_interval("1d")
_NO_INTS = np.zeros(0, dtype=np.int64)
_NO_FLOATS = np.zeros(0)
_NO_DIRECTIONS = np.zeros(0, dtype=np.int8)
for _empty in (_NO_INTS, _NO_FLOATS, _NO_DIRECTIONS):
    _empty.flags.writeable = False


class Watched(NamedTuple):
    """A symbol whose trades are wanted (for its tape, its bars, or both)."""

    instrument: Instrument
    intervals: tuple[Interval, ...]


class BarRow(NamedTuple):
    """The aggregate of some trades of one bar, to fold into the bar opening at ``open_ms``."""

    interval: str
    open_ms: int
    first: float
    high: float
    low: float
    last: float
    volume: float
    turnover: float
    t_last: int


#: a BarRow from a tuple of its fields, without the named constructor's Python frame
_new_row = tuple.__new__


@dataclass
class SymbolTrades:
    """One symbol's trades of a batch, time-ordered as they arrived, and what they make."""

    symbol: str
    t: np.ndarray
    price: np.ndarray
    volume: np.ndarray
    turnover: np.ndarray
    direction: np.ndarray
    buy: float
    sell: float
    neutral: float
    #: open of the daily bar of the latest trade: the trading day the volume counts toward
    day_open: int | None
    rows: list[BarRow]
    #: the earliest and latest trade time of the run
    t_first: int = 0
    t_last: int = 0


@dataclass
class TradeBatch:
    """What one batch of trades makes: per watched symbol, and the series that rolled over."""

    runs: list[SymbolTrades] = field(default_factory=list)
    rollovers: list[SeriesKey] = field(default_factory=list)
    #: every trade of the batch, watched or not, and the latest exchange time among them
    trades: int = 0
    t_max: int = 0
    #: the watched runs' trades as one set of columns, run after run, and each row's run index
    #: (the order-flow counts take the whole batch in one numpy pass)
    #: (the empty defaults are shared: these columns are replaced, never written into)
    group: np.ndarray = field(default_factory=lambda: _NO_INTS)
    t: np.ndarray = field(default_factory=lambda: _NO_INTS)
    price: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    volume: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    turnover: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    direction: np.ndarray = field(default_factory=lambda: _NO_DIRECTIONS)


@dataclass
class DayFlow:
    """Buyer-, seller- and neither-initiated volume of one trading day (外盘 / 内盘 are per day).

    The trades missed while a connection was down cannot be recovered (REST bars carry no
    direction): :attr:`gap_since` marks the day's count incomplete since the last trade before
    the first gap (UTC ms), until a new day starts afresh.
    """

    buy: float = 0.0
    sell: float = 0.0
    neutral: float = 0.0
    #: open of the daily bar being counted
    day_open: int | None = None
    #: the count misses trades since this time (UTC ms), or None when it is complete
    gap_since: int | None = None

    def add(self, day_open: int | None, buy: float, sell: float, neutral: float) -> None:
        """Count volume toward the day opening at ``day_open``; a new trading day starts afresh.
        (``None``, a print outside any trading day, counts toward the day being counted.)"""
        if day_open is not None and day_open != self.day_open:
            self.buy = self.sell = self.neutral = 0.0
            self.gap_since = None
            self.day_open = day_open
        self.buy += buy
        self.sell += sell
        self.neutral += neutral

    def missed_since(self, t_ms: int) -> None:
        """Trades after ``t_ms`` may be missing from the count (a connection went down)."""
        if self.gap_since is None or t_ms < self.gap_since:
            self.gap_since = int(t_ms)


class SpanCache:
    """Per series, the instants ``[lo, hi)`` that surely belong to the bar it is building, so that
    most trades skip the calendar. Calendar facts only: nothing here is reset with the stores."""

    def __init__(self) -> None:
        self._spans: dict[SeriesKey, tuple[int, int, int]] = {}

    def inside(self, key: SeriesKey, tmin: int, tmax: int) -> int | None:
        """The open of the cached bar if ``[tmin, tmax]`` lies inside it, else None."""
        lo, hi, op = self._spans.get(key, (0, 0, 0))
        return op if lo <= tmin and tmax < hi else None

    def opens(self, inst: Instrument, iv: Interval, t: np.ndarray) -> np.ndarray:
        """:func:`~infoway_widgets.market.bar_opens` of ``t``, remembering the bar of the latest."""
        key = (inst.code, iv.name)
        op = self.inside(key, int(t.min()), int(t.max()))
        if op is not None:
            return np.full(len(t), op, dtype=np.int64)
        opens = bar_opens(inst, iv, t)
        newest = int(np.argmax(t))
        self._remember(key, inst, iv, int(opens[newest]), int(t[newest]))
        return opens

    def open_of(self, inst: Instrument, iv: Interval, t_ms: int) -> int | None:
        """The open of the bar holding ``t_ms`` (None outside sessions), remembering it."""
        key = (inst.code, iv.name)
        op = self.inside(key, t_ms, t_ms)
        if op is not None:
            return op
        op = int(bar_opens(inst, iv, np.array([t_ms], dtype=np.int64))[0])
        self._remember(key, inst, iv, op, t_ms)
        return op if op >= 0 else None

    def _remember(self, key: SeriesKey, inst: Instrument, iv: Interval, op: int, t: int) -> None:
        if op >= 0:
            lo, hi = bar_span(inst, iv, op, t)
            self._spans[key] = (lo, hi, op)


class Aggregator:
    """Folds batches of trades into bar rows; holds the calendar caches and the rollover marks."""

    def __init__(self) -> None:
        self.spans = SpanCache()
        self._newest: dict[SeriesKey, int] = {}
        self._series_keys: dict[
            str, tuple[tuple[Interval, ...], list[tuple[SeriesKey, Interval]]]
        ] = {}

    def _keys(self, sym: str, intervals: tuple[Interval, ...]) -> list[tuple[SeriesKey, Interval]]:
        """Each interval of ``sym`` with its series key (made once per symbol and intervals)."""
        got = self._series_keys.get(sym)
        if got is None or got[0] is not intervals:
            got = self._series_keys[sym] = (intervals, [((sym, iv.name), iv) for iv in intervals])
        return got[1]

    def advance(self, key: SeriesKey, open_ms: int) -> bool:
        """Note that series ``key`` has a bar opening at ``open_ms``; True if that moved it on
        from an older newest bar (a rollover: the bar before is complete)."""
        prev = self._newest.get(key)
        if prev is None or open_ms > prev:
            self._newest[key] = open_ms
        return prev is not None and open_ms > prev

    def fold(self, cols: TradeColumns, watched: Mapping[str, Watched]) -> TradeBatch:
        """The bar rows, tape runs and day volume a batch of trades makes for what is watched.

        Parameters
        ----------
        cols
            One decoded batch, in arrival order.
        watched
            By code, the symbols whose trades are kept and their bar intervals; trades of any
            other symbol are counted and otherwise skipped.

        Returns
        -------
        TradeBatch
            Per watched symbol (in the order the batch first names them) its trades, volume by
            direction and rows; the series that rolled over; the batch's size and latest time.
        """
        n = len(cols)
        out = TradeBatch(trades=n)
        if n == 0:
            return out
        codes = cols.symbol_codes
        group_syms = cols.symbols
        k_syms = len(group_syms)
        t, p, v, vw, d = cols.t, cols.price, cols.volume, cols.turnover, cols.direction
        if k_syms == 1:
            counts = np.array([n])
        else:
            # codes number the symbols in first-seen order: a stable sort by code makes one run
            # per symbol, in that order, each keeping its arrival order
            counts = np.bincount(codes, minlength=k_syms)
            order = np.argsort(codes, kind="stable")
            t, p, v, vw, d = t[order], p[order], v[order], vw[order], d[order]
        ends = np.cumsum(counts)
        starts = ends - counts
        out.t_max = int(t.max())
        # the extremes and sums of every run in one reduceat each (times are exact in float64)
        lo_tl = np.minimum.reduceat(np.array((p, t)), starts, axis=1).tolist()
        hi_th = np.maximum.reduceat(np.array((p, t)), starts, axis=1).tolist()
        lo, tmin_f = lo_tl
        hi, tmax_f = hi_th
        tmin, tmax = [int(x) for x in tmin_f], [int(x) for x in tmax_f]
        sums = np.add.reduceat(
            np.array((v, vw, np.where(d == 1, v, 0.0), np.where(d == 2, v, 0.0))), starts, axis=1
        ).tolist()
        vol, turn, buy, sell = sums
        first, last = p[starts].tolist(), p[ends - 1].tolist()
        # time order inside each symbol's run: then its first and last print are the run's ends
        # (one pass for all runs: a step back where a run starts does not count)
        unordered: set[int] = set()
        if n > 1:
            back = np.diff(t) < 0
            back[starts[1:] - 1] = False
            if back.any():
                steps = np.flatnonzero(back) + 1
                unordered = set((np.searchsorted(starts, steps, "right") - 1).tolist())
        starts_l, ends_l = starts.tolist(), ends.tolist()
        run_of: list[int] = []
        spans, newest_of = self.spans._spans, self._newest
        for k, sym in enumerate(group_syms):
            w = watched.get(sym)
            if w is None:
                run_of.append(-1)
                continue  # not watched: an unsubscribe still in flight
            run_of.append(len(out.runs))
            a, b = starts_l[k], ends_l[k]
            rows: list[BarRow] = []
            if w.intervals:
                run_mono = k not in unordered
                t0, t1 = tmin[k], tmax[k]
                # the run's aggregate, as the rows of bars it lies inside share it
                agg = (first[k], hi[k], lo[k], last[k], vol[k], turn[k], t1)
                for key, iv in self._keys(sym, w.intervals):
                    span = spans.get(key) if run_mono else None
                    if span is not None and span[0] <= t0 and t1 < span[1]:
                        newest: int | None = span[2]
                        rows.append(_new_row(BarRow, (iv.name, newest, *agg)))
                        if newest_of.get(key) == newest:
                            continue  # still the bar the series is building
                    else:
                        newest = self._rows_across(
                            w.instrument, iv, t[a:b], p[a:b], v[a:b], vw[a:b], rows
                        )
                    if newest is not None and self.advance(key, newest):
                        out.rollovers.append(key)
            out.runs.append(
                SymbolTrades(
                    sym,
                    t[a:b],
                    p[a:b],
                    v[a:b],
                    vw[a:b],
                    d[a:b],
                    buy[k],
                    sell[k],
                    vol[k] - buy[k] - sell[k],
                    self.spans.open_of(w.instrument, DAY, tmax[k]),
                    rows,
                    tmin[k],
                    tmax[k],
                )
            )
        if out.runs:
            group = np.repeat(np.array(run_of, dtype=np.int64), counts)
            if len(out.runs) < len(group_syms):
                keep = group >= 0
                group, t, p, v, vw, d = (a[keep] for a in (group, t, p, v, vw, d))
            out.group, out.t, out.price, out.volume, out.turnover, out.direction = (
                group,
                t,
                p,
                v,
                vw,
                d,
            )
        return out

    def _rows_across(
        self,
        inst: Instrument,
        iv: Interval,
        t: np.ndarray,
        p: np.ndarray,
        v: np.ndarray,
        vw: np.ndarray,
        rows: list[BarRow],
    ) -> int | None:
        """Trades that may span several bars (or leave a session): each aligned with the calendar.
        Appends their rows; returns the newest bar's open (None if every trade was outside)."""
        opens = self.spans.opens(inst, iv, t)
        ok = opens >= 0
        if not ok.all():
            opens, t, p, v, vw = opens[ok], t[ok], p[ok], v[ok], vw[ok]
        if len(opens) == 0:
            return None
        tb = trade_bars(opens, t, p, v, vw)
        rows.extend(BarRow(iv.name, *r) for r in tb.rows())
        return int(tb.open_ms[-1])
