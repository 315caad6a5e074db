"""Who hears about a feed's changes: callbacks per kind, and async iterators built on them.

A failing callback is logged and never stops the feed or the other callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..protocol.events import Trade
from .stores import BarStore, BookSnapshot
from .subscriptions import Watch

log = logging.getLogger("infoway_widgets.feed")
T = TypeVar("T")


@dataclass(frozen=True)
class Bar:
    """A bar as delivered to callbacks and async iterators."""

    symbol: str
    interval: str
    t: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    turnover: float

    @property
    def vwap(self) -> float:
        return self.turnover / self.volume if self.volume else math.nan


def _remover(registry: list[T], cb: T) -> Callable[[], None]:
    def remove() -> None:
        if cb in registry:
            registry.remove(cb)

    return remove


class Listeners:
    """The callbacks registered on a feed, and the calls that reach them."""

    def __init__(self) -> None:
        self._change: list[Callable[[set[str]], None]] = []
        self._status: list[Callable[[str, str], None]] = []
        self._trade: dict[str, list[Callable[[Trade], None]]] = {}
        self._bar: dict[tuple[str, str], list[Callable[[Bar], None]]] = {}
        self._depth: dict[str, list[Callable[[BookSnapshot | None], None]]] = {}

    # ---- registration (each returns its own removal) ------------------------------------------
    def on_change(self, cb: Callable[[set[str]], None]) -> Callable[[], None]:
        self._change.append(cb)
        return _remover(self._change, cb)

    def on_status(self, cb: Callable[[str, str], None]) -> Callable[[], None]:
        self._status.append(cb)
        return _remover(self._status, cb)

    def on_trade(self, symbol: str, cb: Callable[[Trade], None]) -> Callable[[], None]:
        reg = self._trade.setdefault(symbol, [])
        reg.append(cb)
        return _remover(reg, cb)

    def on_bar(self, symbol: str, interval: str, cb: Callable[[Bar], None]) -> Callable[[], None]:
        reg = self._bar.setdefault((symbol, interval), [])
        reg.append(cb)
        return _remover(reg, cb)

    def on_depth(
        self, symbol: str, cb: Callable[[BookSnapshot | None], None]
    ) -> Callable[[], None]:
        reg = self._depth.setdefault(symbol, [])
        reg.append(cb)
        return _remover(reg, cb)

    def wants_every_depth(self) -> bool:
        """True while someone listens to depth: then no snapshot of a batch may be skipped."""
        return any(self._depth.values())

    def wants_bars_or_trades(self) -> bool:
        """True while someone listens to a bar or a trade (of any symbol)."""
        return any(self._bar.values()) or any(self._trade.values())

    # ---- calls ---------------------------------------------------------------------------------
    def changed(self, symbols: set[str]) -> None:
        for cb in list(self._change):
            try:
                cb(symbols)
            except Exception:
                log.exception("change callback failed")

    def status(self, status: str, message: str) -> None:
        for cb in list(self._status):
            try:
                cb(status, message)
            except Exception:
                log.exception("status callback failed")

    def bar(self, symbol: str, interval: str, st: BarStore) -> None:
        cbs = self._bar.get((symbol, interval))
        if not cbs:
            return
        last = st.last()
        if last is None:
            return
        bar = Bar(
            symbol,
            interval,
            int(last["t"]),
            last["open"],
            last["high"],
            last["low"],
            last["close"],
            last["volume"],
            last["turnover"],
        )
        for cb in list(cbs):
            _safe(cb, bar)

    def trades(
        self,
        symbol: str,
        t: np.ndarray,
        p: np.ndarray,
        v: np.ndarray,
        vw: np.ndarray,
        d: np.ndarray,
    ) -> None:
        cbs = self._trade.get(symbol)
        if not cbs:
            return
        for a, b, c, e, f in zip(t, p, v, vw, d):
            tr = Trade(symbol, int(a), float(b), float(c), float(e), int(f))
            for cb in list(cbs):
                _safe(cb, tr)

    def depth(self, symbol: str, snapshot: BookSnapshot | None) -> None:
        for cb in list(self._depth.get(symbol, ())):
            _safe(cb, snapshot)


def _safe(cb: Callable[..., None], *args: Any) -> None:
    try:
        cb(*args)
    except Exception:
        log.exception("callback failed")


def _put_drop_oldest(q: asyncio.Queue[T], item: T) -> None:
    if q.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            q.get_nowait()
    q.put_nowait(item)


async def bar_stream(
    watch: Callable[[Callable[[Bar], None]], Watch], *, closed_only: bool, maxsize: int
) -> AsyncIterator[Bar]:
    """Bars from ``watch(callback)``: each change of the forming bar or, with ``closed_only``,
    each bar once a newer one has begun. The watch closes when the iteration ends."""
    q: asyncio.Queue[Bar] = asyncio.Queue(maxsize=maxsize)
    pending: list[Bar | None] = [None]

    def put(b: Bar) -> None:
        if closed_only:
            if pending[0] is not None and b.t > pending[0].t:
                _put_drop_oldest(q, pending[0])
            pending[0] = b
            return
        _put_drop_oldest(q, b)

    w = watch(put)
    try:
        while True:
            yield await q.get()
    finally:
        w.close()


async def trade_stream(
    watch: Callable[[Callable[[Trade], None]], Watch], *, maxsize: int
) -> AsyncIterator[Trade]:
    """Trades from ``watch(callback)``, dropping the oldest when ``maxsize`` are unread."""
    q: asyncio.Queue[Trade] = asyncio.Queue(maxsize=maxsize)
    w = watch(lambda tr: _put_drop_oldest(q, tr))
    try:
        while True:
            yield await q.get()
    finally:
        w.close()
