"""Bars from the service: history when a series is first watched, older pages on demand, the
settlement of completed bars, and the backfill of a gap after a reconnect.

Live trades build the forming bar; the service has the final word on a bar once it is complete.
When a series rolls over to a new bar, the one before is fetched again (after a short pause that
lets the service finish it) and merged as settled; after a reconnect the bars the socket missed are
fetched and merged the same way, so no bar is lost or counted twice.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np

from ..errors import InfowayError
from ..market import Instrument, Interval, parse_interval
from ..protocol.events import Candle
from .frames import short_history_reason
from .sources import Source
from .state import MarketState
from .subscriptions import Subscriptions

#: merge(symbol, interval, candles, all_settled) -> bars changed
Merge = Callable[[str, str, list[Candle], bool], int]
#: history_outcome(symbol, error or None once a load succeeded)
HistoryOutcome = Callable[[str, InfowayError | None], None]


def candle_rows(candles: list[Candle], *, all_settled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Candles as rows ``[t, o, h, l, c, v, vw]`` oldest first, and which rows are settled: all,
    or all but the newest (it may still be forming: live trades keep adding to it)."""
    rows = sorted(candles, key=lambda c: c.t)
    arr = np.array(
        [[c.t, c.open, c.high, c.low, c.close, c.volume, c.turnover] for c in rows],
        dtype=np.float64,
    ).reshape(-1, 7)
    flags = np.ones(len(arr), dtype=bool)
    if not all_settled and len(flags):
        flags[-1] = False
    return arr, flags


class Settlement:
    """History loading, settlement and backfill of a feed's bar series."""

    def __init__(
        self,
        *,
        source: Source,
        state: MarketState,
        subscriptions: Subscriptions,
        instrument: Callable[[str], Instrument],
        merge: Merge,
        run: Callable[[Coroutine[Any, Any, Any]], object],
        warn: Callable[[str], None],
        symbol_error: HistoryOutcome,
        stats: dict[str, int],
        time_scale: float,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._source = source
        self._state = state
        self._subs = subscriptions
        self._instrument = instrument
        self._merge = merge
        self._run = run
        self._warn = warn
        self._symbol_error = symbol_error
        self._stats = stats
        self._time_scale = time_scale
        self._loop = loop
        #: (symbol, interval) -> bars of history asked for
        self.loaded: dict[tuple[str, str], int] = {}
        self._to_settle: dict[str, set[str]] = defaultdict(set)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        #: backfills under way: settle_all waits for them (a bar the socket missed entirely has no
        #: row to find unsettled; only its backfill brings it)
        self._backfills: set[asyncio.Task[Any]] = set()
        #: series already warned about a short history
        self._short: set[tuple[str, str]] = set()

    def cancel(self) -> None:
        """Drop the pending settlement timers (the feed is closing)."""
        for h in self._timers.values():
            h.cancel()
        self._timers.clear()

    # ---- history --------------------------------------------------------------------------------
    def wants_more(self, symbol: str, interval: str, count: int) -> bool:
        """True if ``count`` bars of history are more than the series has asked for."""
        return count > self.loaded.get((symbol, interval), 0)

    async def load(self, inst: Instrument, iv: Interval, count: int) -> None:
        """The latest ``count`` bars of a series, unless that many were asked for already."""
        key = (inst.code, iv.name)
        had = self.loaded.get(key, 0)
        if count <= had:
            return
        self.loaded[key] = count
        try:
            candles = await self._source.history(inst.code, iv, count=count)
        except InfowayError as e:
            self.loaded[key] = had
            self._warn(f"history for {inst.code} {iv.name}: {e}")
            self._symbol_error(inst.code, e)
            return
        self._symbol_error(inst.code, None)
        self._merge(inst.code, iv.name, candles, False)
        self._check_depth(inst, iv, candles, count, None)

    async def page_back(self, inst: Instrument, iv: Interval, before_ms: int, count: int) -> int:
        """``count`` bars older than ``before_ms``, merged as settled; returns how many changed."""
        candles = await self._source.history(inst.code, iv, count=count, end_ms=int(before_ms) - 1)
        older = [c for c in candles if c.t < before_ms]
        self._check_depth(inst, iv, older, count, int(before_ms) - 1)
        return self._merge(inst.code, iv.name, older, True)

    def _check_depth(
        self, inst: Instrument, iv: Interval, got: list[Candle], count: int, end_ms: int | None
    ) -> None:
        """A warning, once per series, when fewer bars came back than were asked for."""
        key = (inst.code, iv.name)
        if len(got) >= count or key in self._short:
            return
        self._short.add(key)
        why = short_history_reason(
            inst, iv, [c.t for c in got], end_ms=end_ms, simulated=self._source.market is not None
        )
        self._warn(f"{inst.code} {iv.name}: {len(got)} of {count} bars: {why}")

    # ---- settlement ------------------------------------------------------------------------------
    def rolled_over(self, symbol: str, interval: str) -> None:
        """Series ``(symbol, interval)`` began a new bar: settle the one before soon."""
        self._to_settle[interval].add(symbol)
        if interval in self._timers or not self._source.remote:
            return
        # a short pause lets the service finish the bar; scaled like every other timer
        delay = max(0.05, 1.5 / self._time_scale)
        self._timers[interval] = self._loop.call_later(
            delay, lambda: self._run(self._settle(interval))
        )

    async def _settle(self, interval: str) -> None:
        self._timers.pop(interval, None)
        symbols = sorted(self._to_settle.pop(interval, set()))
        if not symbols or not self._source.remote:
            return
        try:
            # several codes → the service returns the latest 2 bars each: the forming one and the
            # one that just completed, which is exactly what settlement needs
            got = await self._source.klines(symbols, interval, count=2)
        except InfowayError as e:
            self._warn(f"settling {interval} bars: {e}")
            return
        for sym, candles in got.items():
            if not candles:
                continue
            n = self._merge(sym, interval, candles, False)
            self._stats["settled_bars"] += max(0, n - 1)

    async def settle_all(self) -> None:
        """Confirm every bar of the watched series now, up to the service's newest.

        Each series is fetched from its oldest unconfirmed bar on, the newest bar the store holds
        included: the store cannot tell whether that one is still forming (after a reconnect the
        market may have moved on without a trade reaching us), and the periodic two-bar settlement
        would miss it once the service is two bars further. Backfills under way are waited for
        first (a bar the socket missed entirely has no row to find; only its backfill brings it).
        """
        if self._backfills:
            await asyncio.gather(*list(self._backfills), return_exceptions=True)
        for interval in list(self._timers):
            self._timers.pop(interval).cancel()
        self._to_settle.clear()
        if not self._source.remote:
            return  # a replay or a detached feed has no service to ask
        series = []
        for (sym, iv), st in list(self._state.bars.items()):
            if ("bars", sym, iv) not in self._subs or not len(st):
                continue
            uns = np.flatnonzero(~st.settled)
            series.append((sym, iv, int(st.t[int(uns[0])]) if len(uns) else int(st.t[-1])))
        await asyncio.gather(*(self._settle_from(sym, iv, t0) for sym, iv, t0 in series))

    async def _settle_from(self, symbol: str, interval: str, start_ms: int) -> None:
        try:
            got = await self._source.history(symbol, interval, start_ms=start_ms)
        except InfowayError as e:
            self._warn(f"settling {symbol} {interval}: {e}")
            return
        n = self._merge(symbol, interval, got, False)
        self._stats["settled_bars"] += max(0, n - 1)

    # ---- backfill ----------------------------------------------------------------------------------
    async def backfill(self, business: str, down_ms: int, up_ms: int) -> None:
        """Fetch the bars missed while ``business``'s socket was down and merge them as settled."""
        task = asyncio.current_task()
        if task is not None:
            self._backfills.add(task)
            task.add_done_callback(self._backfills.discard)
        gap_market_s = max(0.0, (up_ms - down_ms) / 1000 * self._time_scale)
        for sym, ivname in list(self._state.bars):
            inst = self._instrument(sym)
            if inst.business != business or ("bars", sym, ivname) not in self._subs:
                continue
            iv = parse_interval(ivname)
            span = iv.seconds or 86_400
            count = int(min(500, math.ceil(gap_market_s / span) + 3))
            try:
                got = await self._source.klines([sym], iv, count=count)
            except InfowayError as e:
                self._warn(f"backfill {sym} {ivname}: {e}")
                continue
            self._stats["backfilled_bars"] += self._merge(sym, ivname, got.get(sym, []), False)
