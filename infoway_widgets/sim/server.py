"""The local Infoway-protocol server (aiohttp): REST and WebSocket on one port, in-process.

aiohttp serves HTTP and WebSocket on one port from the running asyncio loop (a kernel's, a test's
or the CLI's), handles the HTTP parsing, WebSocket framing, ping/pong and ``max_msg_size`` for us,
and is well maintained. The server is a thin shell: a pump task releases the market's events as
the simulated clock passes them and fans them out; timed faults and connection limits are checked
on the same beat.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from .._web import listen
from ..protocol import encode
from ..protocol.codes import ERROR_MESSAGES
from . import wire
from .clock import SimClock
from .events import SimDepth, SimTrade
from .faults import Faults
from .ground_truth import GroundTruth
from .market import SimMarket
from .rest import Rest
from .stats import ServerStats
from .ws import SimConnection, Subscribers, serve_connection

log = logging.getLogger("infoway_widgets.sim")
PUMP_S = 0.02
#: frames queued for one client before it counts as too slow and is closed
MAX_BACKLOG = 50_000


class SimServer:
    """The simulated market behind a local Infoway-protocol server.

    Parameters
    ----------
    host : str
        Interface to bind (default loopback only).
    port : int
        0 picks a free port.
    seed : int
    speed : float
        Simulated seconds per real second; every time limit (idle close, frame budget, fault
        periods) is in simulated time and scales with it.
    api_key : str, optional
        When set, REST needs header ``apiKey`` and the WebSocket ``apikey=`` to match.
    faults : Faults or str, optional
        Fault injection (see :mod:`infoway_widgets.sim.faults`); mutable later via ``.faults``.
    record : str or Path, optional
        Ground-truth JSON-lines file (``.gz`` compresses).
    clock : {"session", "wall"}
    extra_symbols : int
        Generated A-shares added to the default universe.
    start : int or datetime, optional
        Simulated start instant for every market (overrides the clock's anchors).
    max_codes : int, optional
        A plan's limit: distinct codes one WebSocket connection may hold. A subscription beyond
        it is refused with 505 ("Products quantity exceeds the limit"), as the service refuses
        symbols beyond a plan; the connection and its other codes go on.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        speed: float = 1.0,
        api_key: str | None = None,
        faults: Faults | str | None = None,
        record: str | Path | None = None,
        clock: str = "session",
        extra_symbols: int = 0,
        start: int | dt.datetime | None = None,
        max_codes: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.seed = seed
        self.speed = speed
        self.api_key = api_key or None
        self.faults: Faults = faults if isinstance(faults, Faults) else Faults.parse(faults)
        self.record = record
        self.clock_mode = clock
        self.extra_symbols = extra_symbols
        self.start_at = start
        self.max_codes = max_codes
        self.stats = ServerStats()
        #: the open connections and who takes which code
        self.subscribers = Subscribers()
        self.clock: SimClock
        self.market: SimMarket
        self.ground_truth: GroundTruth
        self._runner: web.AppRunner | None = None
        self._pump: asyncio.Task[None] | None = None
        self._fault_k: dict[str, int] = {}
        self._refuse_until = -1
        self._error_i = 0
        self._side_tasks: set[asyncio.Task[None]] = set()
        self.url = ""
        self.ws_url = ""

    # ---- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> SimServer:
        """Build the market (off the loop: it takes a moment), bind, and start releasing events."""

        def build() -> tuple[SimClock, SimMarket]:
            clock = SimClock(self.clock_mode, self.speed, self.start_at)
            return clock, SimMarket(self.seed, clock, self.extra_symbols)

        self.clock, self.market = await asyncio.to_thread(build)
        self.clock.restart()  # simulated time starts when the server does, not while it builds
        self.ground_truth = GroundTruth(self.market, self.record)
        if self.faults.refuse_for and not self.faults.drop_every:
            self._refuse_until = int(self.faults.refuse_for * 1000)
        app = web.Application()
        Rest(self).install(app)
        app.router.add_get("/ws", self._ws)
        bound = await listen(app, self.host, self.port)
        self._runner, self.port = bound.runner, bound.port
        self.url, self.ws_url = bound.url, bound.ws_url
        self._release()  # what happened before the clock's start (e.g. the 09:25 auction)
        self._pump = asyncio.ensure_future(self._run())
        return self

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        return await serve_connection(self, request)

    async def stop(self) -> None:
        """Close every socket, cancel every task, flush the ground truth."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for t in list(self._side_tasks):
            t.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        await asyncio.gather(
            *(
                c.close("shutdown", message=b"server shutting down")
                for c in list(self.subscribers.conns)
            ),
            return_exceptions=True,
        )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if hasattr(self, "ground_truth"):
            self.ground_truth.close()

    async def __aenter__(self) -> SimServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the beat ----------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            try:
                self._release()
                await self._police()
            except Exception:  # a bug in one beat must not stop the market
                log.exception("simulated server beat failed")
            await asyncio.sleep(PUMP_S)

    def _release(self) -> None:
        events = self.market.advance()
        if events:
            self.ground_truth.add(events)
        self.ground_truth.tick()
        subs = self.subscribers
        if not events or not subs.conns:
            return
        for e in events:
            if isinstance(e, SimTrade):
                conns = subs.trades.get(e.code)
                if conns:
                    frame = wire.trade_frame(self.market.sim(e.code).units, e)
            else:
                conns = subs.depth.get(e.code)
                if conns:
                    frame = wire.depth_frame(self.market.sim(e.code).units, e)
            if conns:
                for c in conns:
                    c.send(frame)

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` beside the beat (a slow close must not hold up everyone's events)."""
        task = asyncio.ensure_future(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _police(self) -> None:
        """Idle closes and timed faults, all in simulated time."""
        now = self.clock.elapsed_ms()
        conns = list(self.subscribers.conns)
        for c in conns:
            if c.session.closing or c.gone.is_set() or c.halfopen.is_set():
                continue
            idle = c.session.poll(now)
            if idle:
                for action in idle:
                    self.spawn(c.act(action))
            elif c.queue.qsize() > MAX_BACKLOG:
                c.session.closing = True
                self.spawn(
                    c.error_then_close(
                        500,
                        f"Server error: the client reads too slowly ({MAX_BACKLOG} frames waiting)",
                        "slow_consumer",
                    )
                )
        f = self.faults
        if self._due("drop", f.drop_every, now):
            self.stats.faults["drop"] += 1
            for c in conns:
                c.abort("fault_drop")
            if f.refuse_for:
                self._refuse_until = now + int(f.refuse_for * 1000)
        if self._due("halfopen", f.halfopen_every, now):
            self.stats.faults["halfopen"] += 1
            for c in conns:
                c.halfopen.set()
        if self._due("error", f.error_every, now) and f.error_codes:
            code = f.error_codes[self._error_i % len(f.error_codes)]
            self._error_i += 1
            self.stats.faults["error"] += 1
            msg = ERROR_MESSAGES.get(code, "Server error") + " (simulated fault)"
            for c in conns:
                if c.session.closing or c.gone.is_set() or c.halfopen.is_set():
                    continue
                if Faults.closes_after(code):
                    c.session.closing = True
                    self.spawn(c.error_then_close(code, msg, "fault_error"))
                else:
                    c.send(encode.error_frame(code, msg))

    def _due(self, name: str, every: float | None, now: int) -> bool:
        """True once each time simulated time crosses a multiple of ``every`` seconds."""
        if not every or every <= 0:
            self._fault_k.pop(name, None)
            return False
        k = int(now // (every * 1000))
        last = self._fault_k.setdefault(name, k)
        if k > last:
            self._fault_k[name] = k
            return True
        return False

    def refusing(self) -> bool:
        return self.clock.elapsed_ms() < self._refuse_until

    def connections(self) -> list[SimConnection]:
        """The open WebSocket connections (their ``trades``, ``depth``, ``klines``, faults)."""
        return list(self.subscribers.conns)

    def __repr__(self) -> str:
        return f"SimServer(url={self.url!r}, seed={self.seed}, speed={self.speed:g})"


@contextlib.asynccontextmanager
async def serve(
    port: int = 0,
    seed: int = 1,
    speed: float = 1.0,
    api_key: str | None = None,
    faults: Faults | str | None = None,
    record: str | Path | None = None,
    clock: str = "session",
    extra_symbols: int = 0,
    host: str = "127.0.0.1",
    start: Any = None,
    max_codes: int | None = None,
) -> AsyncIterator[SimServer]:
    """Run a :class:`SimServer` for the duration of an ``async with`` block.

    Examples
    --------
    >>> async with serve(port=0, seed=1, speed=60) as server:   # doctest: +SKIP
    ...     print(server.url, server.ws_url)
    """
    server = SimServer(
        host=host,
        port=port,
        seed=seed,
        speed=speed,
        api_key=api_key,
        faults=faults,
        record=record,
        clock=clock,
        extra_symbols=extra_symbols,
        start=start,
        max_codes=max_codes,
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


__all__ = ["SimDepth", "SimServer", "serve"]
