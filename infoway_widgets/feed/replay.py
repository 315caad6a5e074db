"""Playing a recording back through the feed's own ingest path.

The replay drives its feed only through what any custom source may use: ``ingest`` for each
recorded batch, ``watch`` and ``apply_bar_rows`` for the recorded watches and REST merges, and, to
seek backwards, ``state.reset()`` then the records again from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .._aio import wait_event
from ..errors import BadParameterError
from ..market import Interval
from .listeners import Listeners
from .record import read_recording
from .state import MarketState
from .stores import BarStore
from .subscriptions import Watch


class ReplayTarget(Protocol):
    """What a replay drives: a feed's public ingest path and its state (a :class:`Feed` is one)."""

    state: MarketState
    listeners: Listeners

    @property
    def market_ms(self) -> int: ...

    def ingest(self, frames: list[str | bytes]) -> set[str]: ...

    @property
    def watch(self) -> Callable[..., Watch]: ...

    def bar_store(self, symbol: str, interval: Interval | str) -> BarStore: ...

    def apply_bar_rows(self, st: BarStore, arr: np.ndarray, settled: np.ndarray) -> int: ...


class Replay:
    """Plays a recording at ``speed`` × the recorded pace: ``pause()``, ``resume()``,
    ``seek(ms)``, ``speed`` (settable), ``position_ms`` (recorded wall time), ``market_ms``
    (exchange time of the latest trade applied)."""

    def __init__(self, path: str | os.PathLike[str], speed: float = 1.0):
        self.meta, self.records = read_recording(path)
        if not self.records:
            raise BadParameterError(f"the recording {str(path)!r} holds no data; record longer")
        self.start_ms = int(self.records[0]["t"])
        self.end_ms = int(self.records[-1]["t"])
        self._speed = self._check_speed(speed)
        self._i = 0
        self.position_ms = self.start_ms
        self._feed: ReplayTarget | None = None
        self._playing = asyncio.Event()
        self._playing.set()
        self._wake = asyncio.Event()
        self.done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[], None]] = []

    @staticmethod
    def _check_speed(x: float) -> float:
        x = float(x)
        if not (0 < x <= 10_000):
            raise BadParameterError(f"replay speed must be in (0, 10000], got {x}")
        return x

    def attach(self, feed: ReplayTarget) -> None:
        """Start playing into ``feed`` (:func:`~infoway_widgets.connect` does this)."""
        self._feed = feed
        self._task = asyncio.get_running_loop().create_task(self._run())

    # ---- controls ----------------------------------------------------------------------------
    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, x: float) -> None:
        self._speed = self._check_speed(x)
        self._wake.set()

    @property
    def playing(self) -> bool:
        return self._playing.is_set() and not self.done.is_set()

    def pause(self) -> None:
        self._playing.clear()
        self._wake.set()
        self._changed()

    def resume(self) -> None:
        self._playing.set()
        self._wake.set()
        self._changed()

    def seek(self, position_ms: int) -> None:
        """Jump to a recorded time: the feed's stores are rebuilt from the start up to it."""
        assert self._feed is not None
        target = int(position_ms)
        feed = self._feed
        if target < self.position_ms:
            feed.state.reset()
            self._i = 0
        while self._i < len(self.records) and int(self.records[self._i]["t"]) <= target:
            self._apply(self.records[self._i])
            self._i += 1
        self.position_ms = max(self.start_ms, min(target, self.end_ms))
        if self._i >= len(self.records):
            self.done.set()
        else:
            self.done.clear()
        self._wake.set()
        feed.listeners.changed(feed.state.symbols())
        self._changed()

    def on_change(self, cb: Callable[[], None]) -> Callable[[], None]:
        """Call ``cb()`` after each control action and when playing ends. Returns an unsubscribe."""
        self._listeners.append(cb)
        return lambda: self._listeners.remove(cb) if cb in self._listeners else None

    def _changed(self) -> None:
        for cb in list(self._listeners):
            with contextlib.suppress(Exception):
                cb()

    @property
    def market_ms(self) -> int:
        return self._feed.market_ms if self._feed else 0

    # ---- playing -------------------------------------------------------------------------------
    def _apply(self, rec: dict[str, Any]) -> None:
        feed = self._feed
        assert feed is not None
        k = rec.get("k")
        if k == "f":
            feed.ingest(rec["d"])
        elif k == "watch":
            feed.watch(
                rec["s"],
                trades=rec.get("trades", False),
                depth=rec.get("depth", False),
                intervals=rec.get("intervals", ()),
            )
        elif k == "bars":
            arr = np.asarray(rec["c"], dtype=np.float64).reshape(-1, 7)
            st = feed.bar_store(rec["s"], rec["i"])
            feed.apply_bar_rows(st, arr, np.asarray(rec.get("st", [True] * len(arr)), dtype=bool))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        anchor_wall = loop.time()
        anchor_pos = self.position_ms
        anchor_speed = self._speed
        while True:
            if self._i >= len(self.records):
                self.done.set()
                self._changed()
                await self._wake.wait()
                self._wake.clear()
                anchor_wall, anchor_pos, anchor_speed = loop.time(), self.position_ms, self._speed
                continue
            if not self._playing.is_set():
                await self._playing.wait()
                anchor_wall, anchor_pos, anchor_speed = loop.time(), self.position_ms, self._speed
                continue
            rec = self.records[self._i]
            due = anchor_wall + (int(rec["t"]) - anchor_pos) / 1000 / anchor_speed
            delay = due - loop.time()
            if delay > 0:
                self._wake.clear()
                await wait_event(self._wake, delay)
                if self._wake.is_set():  # a control changed: re-anchor on the position reached
                    self._wake.clear()
                    anchor_wall, anchor_pos, anchor_speed = (
                        loop.time(),
                        self.position_ms,
                        self._speed,
                    )
                continue
            self._apply(rec)
            self._i += 1
            self.position_ms = int(rec["t"])

    async def wait_done(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.done.wait(), timeout)

    async def aclose(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
