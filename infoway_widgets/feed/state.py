"""A feed's market state: its stores, the day's order flow and the market clock, in one place.

The feed writes it (live pushes, REST merges), replay resets it (a backward seek) and the derived
views read it. It holds data, not decisions: aggregation happens before (:mod:`.aggregate`), and
nothing here knows about sockets, listeners or the calendar.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..market import Instrument, Interval
from .aggregate import DayFlow, TradeBatch, Watched
from .moneyflow import MoneyFlows
from .moneyflow import add_groups as add_money
from .stores import BarStore, BookStore, TapeStore
from .volume_profile import ProfileDay

#: order-flow counts wait for at most this many trades (the memory they hold meanwhile)
SETTLE_AFTER_TRADES = 8192


def price_step(inst: Instrument) -> float:
    """The price bucket of a volume profile: the tick where it is fixed, else a unit of the last
    price decimal."""
    return float(inst.fixed_tick) if inst.fixed_tick is not None else 10.0**-inst.price_decimals


class MarketState:
    """Bars per (symbol, interval), a book and a tape per symbol, each symbol's day flow, and the
    latest exchange time seen. Stores are created on first use and live as long as the feed."""

    def __init__(self) -> None:
        self.bars: dict[tuple[str, str], BarStore] = {}
        self.books: dict[str, BookStore] = {}
        self.tapes: dict[str, TapeStore] = {}
        self.flows: dict[str, DayFlow] = {}
        self._money: dict[str, MoneyFlows] = {}
        self._profiles: dict[str, ProfileDay] = {}
        #: trades whose order-flow counts are still to be made (see :meth:`settle_orderflow`):
        #: per batch its columns (numpy only: nothing for the garbage collector to follow), the
        #: group of each row indexing the symbols below
        self._unsettled: list[tuple[np.ndarray, ...]] = []
        self._unsettled_trades = 0
        #: the symbols of those trades (first seen first) and each one's latest trade time
        self._unsettled_index: dict[str, int] = {}
        self._unsettled_last: list[int] = []
        #: per symbol in those batches: the trading day they count toward (None: the current
        #: one) and the earliest trade time of the first
        self._unsettled_day: dict[str, int | None] = {}
        self._unsettled_first: dict[str, int] = {}
        #: the latest exchange time seen in any push (UTC ms; 0 before the first trade)
        self.market_ms = 0
        self._series: dict[str, list[BarStore]] = {}
        self._watched: dict[str, Watched] = {}

    # ---- order flow (counted in bulk) ------------------------------------------------------
    @property
    def money(self) -> dict[str, MoneyFlows]:
        """Each symbol's 资金流向 of the day, by size class (every preset asked for), up to date."""
        self.settle_orderflow()
        return self._money

    @property
    def profiles(self) -> dict[str, ProfileDay]:
        """Each symbol's volume profile of the day (volume by price and side), up to date."""
        self.settle_orderflow()
        return self._profiles

    def settle_orderflow(self) -> None:
        """Count the trades of the batches kept since the last count into the money flows and
        volume profiles, all symbols in one numpy pass.

        Nobody listens to these counts per batch, so they are made when read (or when enough
        trades wait): a live socket's small batches then cost what one large batch costs.
        """
        pending = self._unsettled
        if not pending:
            return
        index, lasts = self._unsettled_index, self._unsettled_last
        self._unsettled, self._unsettled_trades = [], 0
        self._unsettled_index, self._unsettled_last = {}, []
        days, firsts = self._unsettled_day, self._unsettled_first
        self._unsettled_day, self._unsettled_first = {}, {}
        if len(pending) == 1:
            group, t, price, volume, turnover, direction = pending[0]
        else:
            group, t, price, volume, turnover, direction = (
                np.concatenate(cols) for cols in zip(*pending)
            )
        syms = list(index)
        opens = [days[sym] for sym in syms]
        first = [firsts[sym] for sym in syms]
        moneys: list[MoneyFlows] = []
        profiles: list[ProfileDay | None] = []
        for sym in syms:
            money = self._money.get(sym)
            if money is None:
                money = self._money[sym] = MoneyFlows()
            moneys.append(money)
            profile = self._profiles.get(sym)
            if profile is None:
                step = price_step(self._watched[sym].instrument)
                profile = self._profiles[sym] = ProfileDay(step)
            profiles.append(profile)
        # each set of thresholds over every symbol counting it (the presets: all of them)
        for th in dict.fromkeys(th for m in moneys for th in m.days):
            days_th = [m.days.get(th) for m in moneys]
            add_money(days_th, opens, first, lasts, group, t, volume, turnover, direction)
        ProfileDay.add_groups(profiles, opens, group, price, volume, direction)

    # ---- stores --------------------------------------------------------------------------------
    def bar_store(self, inst: Instrument, iv: Interval) -> BarStore:
        key = (inst.code, iv.name)
        st = self.bars.get(key)
        if st is None:
            st = self.bars[key] = BarStore(inst, iv)
            self._series.setdefault(inst.code, []).append(st)
            self._track(inst)
        return st

    def book(self, inst: Instrument) -> BookStore:
        st = self.books.get(inst.code)
        if st is None:
            st = self.books[inst.code] = BookStore(inst)
        return st

    def tape(self, inst: Instrument) -> TapeStore:
        st = self.tapes.get(inst.code)
        if st is None:
            st = self.tapes[inst.code] = TapeStore(inst)
            self._track(inst)
        return st

    def series(self, symbol: str) -> list[BarStore]:
        """The bar stores of ``symbol``, one per interval, in the order they were made."""
        return self._series.get(symbol, [])

    @property
    def watched(self) -> Mapping[str, Watched]:
        """Symbols whose trades are kept (a tape, bar stores or both), with their bar intervals."""
        return self._watched

    def _track(self, inst: Instrument) -> None:
        ivs = tuple(st.interval for st in self._series.get(inst.code, ()))
        self._watched[inst.code] = Watched(inst, ivs)

    def symbols(self) -> set[str]:
        """Every symbol with a tape or bars."""
        return set(self.tapes) | {k[0] for k in self.bars}

    # ---- writes --------------------------------------------------------------------------------
    def apply_batch(self, batch: TradeBatch) -> None:
        """A whole batch's aggregated trades into tapes, day flows and bars; its order-flow
        counts (money flow, volume profile) are made in bulk, on the next read at the latest."""
        runs = batch.runs
        if not runs:
            return
        bars, tapes, flows = self.bars, self.tapes, self.flows
        days, firsts = self._unsettled_day, self._unsettled_first
        for run in runs:
            sym = run.symbol
            tape = tapes.get(sym)
            if tape is not None:
                tape.append(run.t, run.price, run.volume, run.turnover, run.direction)
            flow = flows.get(sym)
            if flow is None:
                flow = flows[sym] = DayFlow()
            flow.add(run.day_open, run.buy, run.sell, run.neutral)
            for r in run.rows:  # (interval, then BarStore.fold's arguments in order)
                bars[(sym, r[0])].fold(*r[1:])
            # a new trading day of a symbol with trades waiting: count those toward their own day
            if sym in days and run.day_open is not None and run.day_open != days[sym]:
                self.settle_orderflow()
                days, firsts = self._unsettled_day, self._unsettled_first
        index, lasts = self._unsettled_index, self._unsettled_last
        gmap = []
        for run in runs:
            sym = run.symbol
            if days.get(sym) is None:
                days[sym] = run.day_open
            firsts.setdefault(sym, run.t_first)
            g = index.get(sym)
            if g is None:
                g = index[sym] = len(lasts)
                lasts.append(run.t_last)
            elif run.t_last > lasts[g]:
                lasts[g] = run.t_last
            gmap.append(g)
        group = batch.group if gmap == list(range(len(gmap))) else np.array(gmap)[batch.group]
        self._unsettled.append(
            (group, batch.t, batch.price, batch.volume, batch.turnover, batch.direction)
        )
        self._unsettled_trades += len(batch.t)
        if self._unsettled_trades >= SETTLE_AFTER_TRADES:
            self.settle_orderflow()

    def missed_trades(self, codes: set[str]) -> None:
        """The connection of ``codes`` went down: their day's order flow misses the trades since
        each one's last trade (the market clock where it has none)."""
        for code in codes:
            flow = self.flows.get(code)
            if flow is None:
                continue
            tape = self.tapes.get(code)
            last = tape.last() if tape is not None else None
            flow.missed_since(last[0] if last is not None else self.market_ms)
            money = self.money.get(code)
            if money is not None:
                money.missed_since(last[0] if last is not None else self.market_ms)

    @staticmethod
    def merge_rows(st: BarStore, rows: np.ndarray, settled: np.ndarray) -> int:
        """Merge rows ``[t, o, h, l, c, v, vw]`` into ``st``: settled rows replace their bar,
        unsettled ones are upserted so live trades keep adding to a forming bar. Returns how many
        bars changed (unsettled rows count one each)."""
        if len(rows) == 0:
            return 0
        t = rows[:, 0].astype(np.int64)
        s = np.asarray(settled, dtype=bool)
        n = 0
        if s.any():
            a = rows[s]
            n += st.merge(t[s], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6], settled=True)
        for row in rows[~s]:
            st.upsert(int(row[0]), *row[1:].tolist(), settled=False)
            n += 1
        return n

    def reset(self) -> set[str]:
        """Start over with empty stores, no day flow and the clock at 0 (a replay seeking back).
        Stores stay the same objects except tapes, which are replaced (a reader notices the new
        one: its total starts again at 0). Returns the symbols that had a tape or bars."""
        for st in self.bars.values():
            st.clear()
        for code, tape in list(self.tapes.items()):
            self.tapes[code] = TapeStore(tape.instrument, tape.capacity)
        for book in self.books.values():
            book.snapshot = None
        self.flows.clear()
        self._unsettled, self._unsettled_trades = [], 0
        self._unsettled_index, self._unsettled_last = {}, []
        self._unsettled_day, self._unsettled_first = {}, {}
        self._money.clear()
        self._profiles.clear()
        # the clock goes back with the stores (it only ever rose before)
        self.market_ms = 0
        return self.symbols()
