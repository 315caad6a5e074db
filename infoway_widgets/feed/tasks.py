"""A feed's background tasks: run on its loop, cancelled together, failures reported not raised."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from .._aio import cancel_and_wait

log = logging.getLogger("infoway_widgets.feed")


class Background:
    """Tasks a feed started and must stop when it closes."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, on_failure: Callable[[BaseException], None]
    ) -> None:
        self.loop = loop
        self._on_failure = on_failure
        self.tasks: set[asyncio.Task[Any]] = set()

    def run(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        t = self.loop.create_task(coro)
        self.tasks.add(t)
        t.add_done_callback(self._done)
        return t

    def _done(self, t: asyncio.Task[Any]) -> None:
        self.tasks.discard(t)
        if t.cancelled():
            return
        e = t.exception()
        if e is not None and not isinstance(e, asyncio.CancelledError):
            # a widget's background load failing must not kill the kernel: say so and go on
            log.warning("background task failed: %s", e)
            self._on_failure(e)

    async def cancel_all(self) -> None:
        """Cancel every task and wait until each has ended (all but the caller's own: a feed
        closed from one of its tasks finishes closing)."""
        me = asyncio.current_task()
        stuck = await cancel_and_wait([t for t in self.tasks if t is not me])
        if stuck:
            log.warning("%d background task(s) ignored cancellation; closing anyway", len(stuck))
