"""One coalescer for everything that redraws from feed changes: the live widgets, the controls and
the bqplot binding.

A feed calls its ``on_change`` listeners once per ingested batch, thousands of times a second in a
busy market; a display needs at most ``max_fps`` redraws a second. :class:`Coalescer` turns any
number of :meth:`~Coalescer.poke` calls into calls of one function:

* **leading edge**: the first poke after a quiet period runs the function on the loop's next turn,
  so a lone change is shown after one loop turn, not half a period later;
* then **at most one call per** ``1 / max_fps`` **seconds**: the pokes in between fold into one
  call at the end of the period, which sees everything that changed meanwhile.

The next turn rather than inside :meth:`~Coalescer.poke`: every poke of one callback chain (a
batch notifying all listeners, a handler setting several traits) folds into one call, and the
function never runs in the middle of the code that poked, so messages leave in the order that
code sent them.

It is event driven (``loop.call_later``, no polling, no thread) and runs on the asyncio loop that
delivers the feed's callbacks. An exception in the function is logged and never propagates into
the feed's callbacks: one broken display must not stop the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("infoway_widgets.widgets")


class Cancellable(Protocol):
    """What :meth:`Scheduler.call_later` returns (an :class:`asyncio.TimerHandle`)."""

    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """The two loop methods a :class:`Coalescer` uses; an asyncio event loop is one.

    Tests pass a fake clock with the same two methods to step time without sleeping.
    """

    def time(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], object], /) -> Cancellable: ...


def running_loop() -> asyncio.AbstractEventLoop:
    """The running asyncio loop, else the loop that will run (a synchronous cell's caller)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class Coalescer:
    """Calls ``fn`` once for any number of :meth:`poke` calls: at once when idle, then at most
    ``max_fps`` times a second.

    Parameters
    ----------
    fn : callable
        What to run (a redraw, a frame send). Its return value is ignored; an exception is logged
        to ``logger`` and swallowed.
    max_fps : float or callable returning float
        Most calls per second; a callable is read at every poke, so a rate the user changes
        (a widget's ``max_fps`` trait) applies from the next call on. Values below 0.1 count as 0.1.
    label : str
        Names the owner in the log line of a failed call (``"CandleChart: flush"``).
    logger : logging.Logger, optional
        Where a failed call is logged; default ``infoway_widgets.widgets``.
    scheduler : Scheduler, optional
        The clock and timer; default the running asyncio loop, looked up at each poke.

    Attributes
    ----------
    calls : int
        How many times ``fn`` ran.
    """

    def __init__(
        self,
        fn: Callable[[], object],
        max_fps: float | Callable[[], float],
        *,
        label: str = "refresh",
        logger: logging.Logger | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._fn = fn
        self._max_fps = max_fps
        self._label = label
        self._log = logger or log
        self._scheduler = scheduler
        self._handle: Cancellable | None = None
        self._last = -math.inf
        self._closed = False
        self.calls = 0

    @property
    def period(self) -> float:
        """Seconds between two calls at most: ``1 / max_fps``."""
        fps = self._max_fps() if callable(self._max_fps) else self._max_fps
        return 1.0 / max(float(fps), 0.1)

    @property
    def pending(self) -> bool:
        """True while a call is scheduled."""
        return self._handle is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def _clock(self) -> Scheduler:
        return self._scheduler if self._scheduler is not None else running_loop()

    def poke(self) -> None:
        """Something changed: make sure one call will run (now if idle, else at the period's end)."""
        if self._handle is not None or self._closed:
            return
        clock = self._clock()
        delay = max(0.0, self._last + self.period - clock.time())
        self._handle = clock.call_later(delay, self._run)

    def _run(self) -> None:
        self._handle = None
        if self._closed:
            return
        # the period counts from the start of a call: a slow call does not lower the rate further
        self._last = self._clock().time()
        self.calls += 1
        try:
            self._fn()
        except Exception:
            self._log.exception("%s failed", self._label)

    def close(self) -> None:
        """Cancel a scheduled call; later pokes do nothing. Idempotent."""
        self._closed = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "pending" if self._handle else "idle"
        return f"Coalescer({self._label!r}, period={self.period:g}s, calls={self.calls}, {state})"


__all__ = ["Cancellable", "Coalescer", "Scheduler", "running_loop"]
