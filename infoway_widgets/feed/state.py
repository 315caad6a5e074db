"""A feed's market state: its stores, the day's order flow and the market clock, in one place.

The feed writes it (live pushes, REST merges), replay resets it (a backward seek) and the derived
views read it. It holds data, not decisions: aggregation happens before (:mod:`.aggregate`), and
nothing here knows about sockets, listeners or the calendar.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..market import Instrument, Interval
from .aggregate import DayFlow, SymbolTrades, Watched
from .moneyflow import MoneyFlows
from .stores import BarStore, BookStore, TapeStore
from .volume_profile import ProfileDay


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
        #: each symbol's 资金流向 of the day, by size class (every preset asked for)
        self.money: dict[str, MoneyFlows] = {}
        #: each symbol's volume profile of the day (volume by price and side)
        self.profiles: dict[str, ProfileDay] = {}
        #: the latest exchange time seen in any push (UTC ms; 0 before the first trade)
        self.market_ms = 0
        self._series: dict[str, list[BarStore]] = {}
        self._watched: dict[str, Watched] = {}

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
    def apply_trades(self, run: SymbolTrades) -> list[BarStore]:
        """One symbol's aggregated trades into its tape, day flow and bars; returns its bar stores."""
        sym = run.symbol
        tape = self.tapes.get(sym)
        if tape is not None:
            tape.append(run.t, run.price, run.volume, run.turnover, run.direction)
        flow = self.flows.get(sym)
        if flow is None:
            flow = self.flows[sym] = DayFlow()
        flow.add(run.day_open, run.buy, run.sell, run.neutral)
        money = self.money.get(sym)
        if money is None:
            money = self.money[sym] = MoneyFlows()
        money.add(run.day_open, run.t, run.volume, run.turnover, run.direction)
        profile = self.profiles.get(sym)
        if profile is None:
            profile = self.profiles[sym] = ProfileDay(price_step(self._watched[sym].instrument))
        profile.add(run.day_open, run.price, run.volume, run.direction)
        bars = self.bars
        for r in run.rows:
            bars[(sym, r.interval)].fold(
                r.open_ms, r.first, r.high, r.low, r.last, r.volume, r.turnover, r.t_last
            )
        return self._series.get(sym, [])

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
        self.money.clear()
        self.profiles.clear()
        # the clock goes back with the stores (it only ever rose before)
        self.market_ms = 0
        return self.symbols()
