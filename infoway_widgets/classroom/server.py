"""The classroom server: one practice market served to a class, the teacher's clock, the board.

``infoway-widgets serve --classroom`` runs it. Every student's kernel gets the same round (the
same days, the same bars) from ``GET /classroom``; the teacher's clock and the leaderboard are
read by long polling (``?after=VERSION`` answers as soon as something newer exists, or after
``wait`` seconds with what there is); changing the clock needs the server's token.

=========================  ======================================================================
``GET /classroom``         ``{"market": ..., "clock": ...}``
``GET /classroom/clock``   the clock (``after``, ``wait``: long poll)
``POST /classroom/clock``  ``{"action": "pause" | "resume" | "seek", "index": n, "speed": x}``,
                           header ``Authorization: Bearer TOKEN``
``POST /classroom/results````{"name", "pnl", "return_pct", "trades"}`` (nothing else is kept)
``GET /classroom/board``   ``{"version", "rows"}`` sorted by P&L (``after``, ``wait``: long poll)
=========================  ======================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .._aio import cancel_and_wait
from .._web import listen
from ..errors import InfowayError
from ..practice.market import PracticeMarket
from .state import Board, ClassClock

log = logging.getLogger("infoway_widgets.classroom")

#: longest a long poll is held open (seconds)
MAX_WAIT = 30.0
#: largest request body the server reads (a result is ~100 bytes)
MAX_BODY = 4096


class _Changes:
    """Wakes every long poll waiting on one kind of change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_newer(self, version: Callable[[], int], after: int, wait: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while version() <= after:
            left = deadline - loop.time()
            if left <= 0:
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event.wait(), left)


class ClassroomServer:
    """Serves ``market`` to a class on ``host:port`` (0 picks a free port).

    Parameters
    ----------
    market : PracticeMarket
    host, port
    token : str, optional
        What the teacher sends to move the clock; default a fresh random one (``server.token``).
    speed : float
        Bars per second of the teacher's clock when it plays.

    Examples
    --------
    >>> async with ClassroomServer(simulate("000001.SZ", seed=7)) as server:  # doctest: +SKIP
    ...     feed = iw.connect(base_url=server.url)
    """

    def __init__(
        self,
        market: PracticeMarket,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        speed: float = 1.0,
    ) -> None:
        self.market = market
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(16)
        self.clock = ClassClock(index=market.first, last=len(market) - 1, speed=speed)
        self.board = Board()
        self.url = ""
        self._market_json = market.to_json()
        self._clock_changes: _Changes | None = None
        self._board_changes: _Changes | None = None
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None

    async def start(self) -> ClassroomServer:
        self._clock_changes = _Changes()
        self._board_changes = _Changes()
        self._wake = asyncio.Event()
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get("/classroom", self._round)
        app.router.add_get("/classroom/clock", self._get_clock)
        app.router.add_post("/classroom/clock", self._set_clock)
        app.router.add_post("/classroom/results", self._results)
        app.router.add_get("/classroom/board", self._board)
        bound = await listen(app, self.host, self.port)
        self._runner = bound.runner
        self.port = bound.port
        self.url = bound.url
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        return self

    async def stop(self) -> None:
        if self._ticker is not None:
            await cancel_and_wait([self._ticker])
            self._ticker = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ClassroomServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the teacher's clock ------------------------------------------------------------------
    async def _tick(self) -> None:
        assert self._wake is not None
        while True:
            if not self.clock.playing:
                await self._wake.wait()
                self._wake.clear()
                continue
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0 / self.clock.speed)
                continue  # the teacher changed something: start the bar's wait again
            if self.clock.tick():
                self._clock_changed()

    def _clock_changed(self) -> None:
        assert self._clock_changes is not None and self._wake is not None
        self._clock_changes.notify()
        self._wake.set()

    # ---- handlers -------------------------------------------------------------------------------
    async def _round(self, request: web.Request) -> web.Response:
        return web.json_response({"market": self._market_json, "clock": self.clock.as_json()})

    async def _get_clock(self, request: web.Request) -> web.Response:
        after, wait = _poll_args(request)
        assert self._clock_changes is not None
        await self._clock_changes.wait_newer(lambda: self.clock.version, after, wait)
        return web.json_response(self.clock.as_json())

    async def _set_clock(self, request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return _error(403, "only the teacher moves the class clock: send the server's token")
        body = await _json(request)
        if isinstance(body, web.Response):
            return body
        action = body.get("action")
        try:
            if action == "pause":
                self.clock.pause()
            elif action == "resume":
                self.clock.resume(body.get("speed"))
            elif action == "seek":
                index = body.get("index")
                if isinstance(index, bool) or not isinstance(index, int):
                    return _error(400, "seek needs the bar index to go to: {'index': n}")
                self.clock.seek(index)
            else:
                return _error(400, "action is one of pause, resume, seek")
        except InfowayError as e:
            return _error(400, str(e))
        self._clock_changed()
        return web.json_response(self.clock.as_json())

    async def _results(self, request: web.Request) -> web.Response:
        body = await _json(request)
        if isinstance(body, web.Response):
            return body
        try:
            row = self.board.submit(body)
        except InfowayError as e:
            return _error(400, str(e))
        assert self._board_changes is not None
        self._board_changes.notify()
        return web.json_response({"ok": True, "row": row})

    async def _board(self, request: web.Request) -> web.Response:
        after, wait = _poll_args(request)
        assert self._board_changes is not None
        await self._board_changes.wait_newer(lambda: self.board.version, after, wait)
        return web.json_response(self.board.as_json())


def _poll_args(request: web.Request) -> tuple[int, float]:
    try:
        after = int(request.query.get("after", "-1"))
        wait = float(request.query.get("wait", "0"))
    except ValueError:
        after, wait = -1, 0.0
    return after, max(0.0, min(wait, MAX_WAIT))


async def _json(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        body = await request.json()
    except Exception:
        return _error(400, "the body must be a JSON object")
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object")
    return body


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


__all__ = ["ClassroomServer"]
