"""A stand-in for ``infoway_widgets.feed.Feed`` with synthetic data, for widget tests.

Implements the interface the widgets consume (instrument, watch, stores, quote, on_change,
on_status, symbol_errors, on_symbol_error, load_more) over the real stores; ``trade()`` and
``run()`` produce live data, ``symbol_error()`` a problem of one code.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from infoway_widgets.feed.stores import BarStore, BookStore, TapeStore
from infoway_widgets.market import Instrument, parse_interval, parse_symbol

NAMES = {
    "600519.SH": "贵州茅台",
    "000001.SZ": "平安银行",
    "00700.HK": "腾讯控股",
    "AAPL.US": "Apple",
    "BTCUSDT": "Bitcoin",
}
BASE = {
    "600519.SH": 1500.0,
    "000001.SZ": 11.0,
    "00700.HK": 480.0,
    "AAPL.US": 230.0,
    "BTCUSDT": 90000.0,
}
T0 = 1_764_000_000_000 - (1_764_000_000_000 % 86_400_000)  # a UTC midnight in Nov 2025


class FakeWatch:
    def __init__(self, feed: FakeFeed, symbol: str) -> None:
        self.feed, self.symbol, self.closed = feed, symbol, False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.feed.refs[self.symbol] -= 1


class FakeFeed:
    """Synthetic feed. ``now_ms`` is the simulated clock; history ends at it."""

    def __init__(
        self, now_ms: int = T0 + 3 * 3600_000, seed: int = 7, history_older: int = 3000
    ) -> None:
        self.simulated = True
        self.status = "simulated"
        self.status_message = ""
        self.now_ms = now_ms
        self.rng = np.random.default_rng(seed)
        self.history_older = history_older  # bars load_more can still page in
        self.refs: dict[str, int] = {}
        self.watch_calls: list[tuple[str, dict[str, Any]]] = []
        self._bars: dict[tuple[str, str], BarStore] = {}
        self._books: dict[str, BookStore] = {}
        self._tapes: dict[str, TapeStore] = {}
        self._last: dict[str, float] = {}
        self._day_flow: dict[str, list[float]] = {}  # buy, sell, neutral volume (as Feed keeps it)
        self._change_cbs: list[Callable[[set[str]], None]] = []
        self._status_cbs: list[Callable[[str, str], None]] = []
        self.symbol_errors: dict[str, str] = {}
        self._symbol_cbs: list[Callable[[str, str | None], None]] = []
        self._task: asyncio.Task[None] | None = None

    # ---- interface ----------------------------------------------------------------------------
    def instrument(self, symbol: str) -> Instrument:
        return parse_symbol(symbol).with_name(NAMES.get(parse_symbol(symbol).code))

    def watch(
        self,
        symbol: str,
        *,
        trades: bool = False,
        depth: bool = False,
        intervals: tuple[str, ...] | list[str] = (),
        history: int = 500,
    ) -> FakeWatch:
        code = self.instrument(symbol).code
        self.watch_calls.append(
            (
                code,
                {
                    "trades": trades,
                    "depth": depth,
                    "intervals": tuple(intervals),
                    "history": history,
                },
            )
        )
        self.refs[code] = self.refs.get(code, 0) + 1
        for iv in intervals:
            self.bar_store(code, iv, history=history)
        self.book_store(code)
        self.tape_store(code)
        return FakeWatch(self, code)

    def bar_store(self, symbol: str, interval: str, history: int = 500) -> BarStore:
        code = self.instrument(symbol).code
        iv = parse_interval(interval).name
        key = (code, iv)
        if key not in self._bars:
            store = BarStore(self.instrument(code), iv)
            self._bars[key] = store
            ms = parse_interval(iv).ms or 86_400_000
            end = self.now_ms - self.now_ms % ms
            t = end - ms * np.arange(history, 0, -1)
            store.merge(t, *self._ohlc(code, history, seed=len(self._bars)), settled=True)
            self._last.setdefault(code, float(store.column("close")[-1]))
        return self._bars[key]

    def book_store(self, symbol: str) -> BookStore:
        code = self.instrument(symbol).code
        if code not in self._books:
            self._books[code] = BookStore(self.instrument(code))
            self._book(code, self._last.get(code, BASE.get(code, 100.0)))
        return self._books[code]

    def tape_store(self, symbol: str) -> TapeStore:
        code = self.instrument(symbol).code
        if code not in self._tapes:
            self._tapes[code] = TapeStore(self.instrument(code), capacity=2000)
        return self._tapes[code]

    def quote(self, symbol: str) -> dict[str, Any]:
        code = self.instrument(symbol).code
        inst = self.instrument(code)
        pc = BASE.get(code, 100.0)
        last = self._last.get(code, pc)
        lim = inst.price_limits(pc)
        store = self._bars.get((code, "1m"))
        spark = store.column("close")[-60:].tolist() if store is not None and len(store) else []
        tape = self._tapes.get(code)
        vol = float(tape.since(0)["volume"].sum()) if tape is not None else 0.0
        return {
            "symbol": code,
            "name": NAMES.get(code, ""),
            "last": last,
            "prev_close": pc,
            "open": pc,
            "high": max(pc, last),
            "low": min(pc, last),
            "volume": vol + 1e6,
            "turnover": (vol + 1e6) * last,
            "change": last - pc,
            "change_pct": (last - pc) / pc * 100,
            "limit_up": lim[1] if lim else None,
            "limit_down": lim[0] if lim else None,
            "buy_volume": vol / 2,
            "sell_volume": vol / 2,
            "t": self.now_ms,
            "spark": spark,
        }

    def ashare(self, symbol: str) -> dict[str, Any]:
        """The real feed's 盘口 numbers, computed by the same function over this feed's stores."""
        from infoway_widgets.feed.ashare import ashare_view

        code = self.instrument(symbol).code
        book, flow = self._books.get(code), self._day_flow.get(code, [0.0, 0.0, 0.0])
        snap = book.snapshot if book is not None else None
        day = self._bars.get((code, "1d"))
        return ashare_view(self.instrument(symbol), self.quote(symbol), snap, flow[0], flow[1], day)

    def on_change(self, cb: Callable[[set[str]], None]) -> Callable[[], None]:
        self._change_cbs.append(cb)
        return lambda: self._change_cbs.remove(cb) if cb in self._change_cbs else None

    def on_status(self, cb: Callable[[str, str], None]) -> Callable[[], None]:
        self._status_cbs.append(cb)
        return lambda: self._status_cbs.remove(cb) if cb in self._status_cbs else None

    def on_symbol_error(self, cb: Callable[[str, str | None], None]) -> Callable[[], None]:
        self._symbol_cbs.append(cb)
        return lambda: self._symbol_cbs.remove(cb) if cb in self._symbol_cbs else None

    async def load_more(self, symbol: str, interval: str, before_ms: int, count: int) -> int:
        store = self.bar_store(symbol, interval)
        ms = parse_interval(interval).ms or 86_400_000
        oldest_allowed = self.now_ms - ms * (len(store) + self.history_older + 10)
        n = int(min(count, max(0, (before_ms - oldest_allowed) // ms)))
        if n <= 0:
            return 0
        await asyncio.sleep(0)
        t = before_ms - ms * np.arange(n, 0, -1)
        store.merge(
            t,
            *self._ohlc(self.instrument(symbol).code, n, seed=int(before_ms // ms) % 10_000),
            settled=True,
        )
        return n

    # ---- driving ------------------------------------------------------------------------------
    def set_status(self, status: str, message: str = "") -> None:
        self.status, self.status_message = status, message
        for cb in list(self._status_cbs):
            cb(status, message)

    def symbol_error(self, code: str, message: str | None) -> None:
        """Give ``code`` a problem (None: solve it), as the Feed tells its widgets."""
        if message is None:
            self.symbol_errors.pop(code, None)
        else:
            self.symbol_errors[code] = message
        for cb in list(self._symbol_cbs):
            cb(code, message)

    def notify(self, symbols: set[str]) -> None:
        for cb in list(self._change_cbs):
            cb(set(symbols))

    def trade(self, symbol: str, n: int = 1, dt_ms: int = 50, notify: bool = True) -> None:
        """``n`` synthetic trades, ``dt_ms`` apart, into tape, bars (every watched interval) and book."""
        code = self.instrument(symbol).code
        last = self._last.get(code, BASE.get(code, 100.0))
        steps = self.rng.normal(0, last * 0.0004, n).cumsum()
        price = np.round(np.maximum(last + steps, 0.01), 2)
        t = self.now_ms + dt_ms * np.arange(1, n + 1)
        self.now_ms = int(t[-1])
        vol = np.round(self.rng.lognormal(5, 1, n) / 100) * 100 + 100
        direction = self.rng.integers(0, 3, n).astype(np.float64)
        self.tape_store(code).append(t, price, vol, price * vol, direction)
        flow = self._day_flow.setdefault(code, [0.0, 0.0, 0.0])
        flow[0] += float(vol[direction == 1].sum())
        flow[1] += float(vol[direction == 2].sum())
        flow[2] += float(vol[direction == 0].sum())
        for (c, iv), store in self._bars.items():
            if c != code:
                continue
            ms = parse_interval(iv).ms or 86_400_000
            store.apply_trades(t - t % ms, t, price, vol, price * vol)
        self._last[code] = float(price[-1])
        self._book(code, float(price[-1]))
        if notify:
            self.notify({code})

    def drive_to_limit(self, symbol: str, direction: str = "up") -> None:
        """Put an A-share at its limit: last at the limit price, the far side of the book empty."""
        code = self.instrument(symbol).code
        q = self.quote(code)
        px = float(q["limit_up"] if direction == "up" else q["limit_down"])
        self._last[code] = px
        bid = np.round(px - 0.01 * np.arange(5), 2) if direction == "up" else np.zeros(0)
        ask = np.round(px + 0.01 * np.arange(5), 2) if direction == "down" else np.zeros(0)
        self.now_ms += 1000
        self.book_store(code).update(
            self.now_ms, bid, np.full(len(bid), 5000.0), ask, np.full(len(ask), 5000.0)
        )
        self.notify({code})

    async def run(self, symbols: list[str], hz: float = 20.0, per_tick: int = 3) -> None:
        """Trades at ``hz`` batches per second until cancelled (for browser demos)."""
        while True:
            for s in symbols:
                self.trade(s, per_tick, dt_ms=int(1000 / hz / per_tick) or 1)
            await asyncio.sleep(1 / hz)

    def start(self, symbols: list[str], hz: float = 20.0) -> asyncio.Task[None]:
        self._task = asyncio.ensure_future(self.run(symbols, hz))
        return self._task

    def stop(self) -> None:
        if self._task:
            self._task.cancel()

    # ---- synthetic data -------------------------------------------------------------------------
    def _ohlc(self, code: str, n: int, seed: int) -> tuple[np.ndarray, ...]:
        rng = np.random.default_rng(seed + 1)
        base = BASE.get(code, 100.0)
        close = base * np.exp(np.cumsum(rng.normal(0, 0.0015, n)))
        close *= base / close[-1] if n else 1
        open_ = np.r_[close[0], close[:-1]]
        spread = np.abs(rng.normal(0, 0.001, n)) * close
        high = np.maximum(open_, close) + spread
        low = np.minimum(open_, close) - spread
        vol = np.round(rng.lognormal(9, 0.6, n) / 100) * 100
        amount = vol * (open_ + close) / 2
        r = lambda a: np.round(a, 2)  # noqa: E731
        return r(open_), r(high), r(low), r(close), vol, amount

    def _book(self, code: str, mid: float) -> None:
        tick = 0.01
        k = np.arange(1, 6)
        bid = np.round(mid - tick * k, 2)
        ask = np.round(mid + tick * (k - 1) + tick, 2)
        bv = np.round(self.rng.lognormal(7, 0.8, 5) / 100) * 100 + 100
        av = np.round(self.rng.lognormal(7, 0.8, 5) / 100) * 100 + 100
        self.book_store(code).update(self.now_ms, bid, bv, ask, av) if code in self._books else None


def finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)
