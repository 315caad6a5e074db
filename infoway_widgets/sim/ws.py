"""The simulated server's WebSocket endpoint: an aiohttp adapter of the protocol's server session.

The protocol (requests, answers, the frame budget, the idle close, the handshake refusals) is
:class:`~infoway_widgets.protocol.server.ServerSession`'s. What is left here is what only a
simulated market does: which codes a channel carries (the market's universe), the current book
sent at once to a new depth subscriber, the forming candles pushed while they change, and the
per-connection faults (delay, garbage and prose frames, half-open sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from aiohttp import WSCloseCode, WSMsgType, web

from .._aio import wait_event
from .._web import client_text, refusal_response, websocket_response
from ..protocol import encode
from ..protocol import server as proto
from ..protocol.codes import IDLE_MS, PUSH_TRADE
from ..protocol.handshake import refuse_business, refuse_key
from . import wire
from .faults import Faults
from .universe import stable_int

if TYPE_CHECKING:
    from .server import SimServer

GARBAGE = f'{{"code":{PUSH_TRADE},"data":{{"p":"1'  # a cut-off frame, as a broken proxy delivers
PROSE = "Subscribe fail: simulated fault frame (prose, not JSON)"
#: frames of codes 100xx (pushes and acks) are the ones the garbage and prose faults precede
_DATA_FRAME = '{"code":100'


#: A time-compressed server keeps the service's idle limit (60 s) in simulated time, but never below
#: this much real time: a stalled event loop, shared with the client in a kernel or a test, must not
#: look like a silent client (at speed 120 the limit would be half a real second). Jitter does not
#: shrink with the speed; the client keeps a real-time slack on its frame budget for the same reason.
IDLE_FLOOR_REAL_S = 1.5
#: the welcome says what this server is, so a feed pointed at it by ``base_url`` says "simulated"
SIM_WELCOME = encode.welcome("simulated")


class SimConnection:
    """One client connection: its protocol session, outgoing queue and fault state."""

    def __init__(
        self,
        server: SimServer,
        ws: web.WebSocketResponse,
        request: web.Request,
        business: str,
        number: int,
    ) -> None:
        self.server = server
        self.ws = ws
        self.request = request
        self.business = business
        self.number = number
        # simulated time and the service's own limits: they scale with the market's speed
        self.session = proto.ServerSession(
            business,
            self._carries,
            server.clock.elapsed_ms(),
            greeting=wire.GREETING,
            idle_ms=max(IDLE_MS, round(IDLE_FLOOR_REAL_S * 1000 * server.speed)),
            max_codes=server.max_codes,
            per=" per connection",
            welcome=SIM_WELCOME,
        )
        self.sent_candles: dict[tuple[str, int], str] = {}
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.halfopen = asyncio.Event()
        self.kick = asyncio.Event()  # a new candle subscription is pushed at once
        self.gone = asyncio.Event()
        self.rng = np.random.Generator(
            np.random.PCG64([server.market.seed, stable_int("conn"), number])
        )
        self.tasks: list[asyncio.Task[None]] = []

    def _carries(self, code: str) -> str | None:
        s = self.server.market.get(code)
        return code if s is not None and s.inst.business == self.business else None

    # ---- what the connection holds ----------------------------------------------------------
    @property
    def trades(self) -> set[str]:
        return {c for kind, _, c in self.session.held if kind == "trades"}

    @property
    def depth(self) -> set[str]:
        return {c for kind, _, c in self.session.held if kind == "depth"}

    @property
    def klines(self) -> dict[str, set[int]]:
        """Candle subscriptions: code -> klineTypes."""
        out: dict[str, set[int]] = {}
        for kind, kt, c in self.session.held:
            if kind == "candles":
                out.setdefault(c, set()).add(kt)
        return out

    # ---- sending ---------------------------------------------------------------------------
    def send(self, frame: str) -> None:
        """Queue ``frame`` (dropped once the connection is half-open or gone)."""
        if not self.halfopen.is_set() and not self.gone.is_set():
            self.queue.put_nowait(frame)

    async def sender(self) -> None:
        stats = self.server.stats
        while True:
            frame = await self.queue.get()
            if frame is None or self.ws.closed:
                return
            if self.halfopen.is_set():
                continue
            f: Faults = self.server.faults
            if f.delay_ms:
                stats.faults["delay"] += 1
                await asyncio.sleep(f.delay_ms / 1000)
            if frame.startswith(_DATA_FRAME):
                if f.garbage_prob and self.rng.random() < f.garbage_prob:
                    stats.faults["garbage"] += 1
                    await self._raw(GARBAGE)
                if f.prose_prob and self.rng.random() < f.prose_prob:
                    stats.faults["prose"] += 1
                    await self._raw(PROSE)
            await self._raw(frame)

    async def _raw(self, frame: str) -> None:
        try:
            await self.ws.send_str(frame)
            self.server.stats.frames_sent += 1
        except (ConnectionError, RuntimeError):
            self.gone.set()

    async def candle_pusher(self) -> None:
        """Re-send each subscribed forming bar about once a real second while it changes."""
        market = self.server.market
        while not self.gone.is_set():
            for code, types in self.klines.items():
                s = market.get(code)
                if s is None:
                    continue
                for ty in sorted(types):
                    bar = market.current_bar(code, ty)
                    if bar is None:
                        continue
                    frame = wire.candle_frame(s.units, code, ty, bar)
                    if self.sent_candles.get((code, ty)) != frame:
                        self.sent_candles[(code, ty)] = frame
                        self.send(frame)
            self.kick.clear()
            # not asyncio.wait_for: on 3.10/3.11 it can swallow the cancel that stops this pusher
            await wait_event(self.kick, 1.0)

    async def close(self, reason: str, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        if self.gone.is_set():
            return
        self.server.stats.closes[reason] += 1
        self.gone.set()
        self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=code, message=message), 2.0)

    def abort(self, reason: str) -> None:
        """Drop the TCP connection without a close frame (what a network drop looks like)."""
        if self.gone.is_set():
            return
        self.server.stats.closes[reason] += 1
        self.gone.set()
        self.queue.put_nowait(None)
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def error_then_close(self, code: int, msg: str, reason: str) -> None:
        """Send an error frame directly (not queued behind pushes), then close."""
        await self.shut(proto.Close(encode.error_frame(code, msg), msg, reason, WSCloseCode.OK))

    async def shut(self, close: proto.Close) -> None:
        """Carry out a close the session (or the server) decided: the error frame goes out
        directly, not queued behind pushes."""
        if self.gone.is_set():
            return
        await self._raw(close.frame)
        await self.close(close.reason, close.ws_code, close.message.encode()[:120])

    # ---- receiving -------------------------------------------------------------------------
    async def on_frame(self, text: str | None) -> None:
        """Handle one client frame (``None``: a binary frame that is not UTF-8)."""
        srv = self.server
        srv.stats.frames_received += 1
        for action in self.session.receive(text, srv.clock.elapsed_ms()):
            await self.act(action)

    async def act(self, action: proto.Action) -> None:
        """Run one action of the protocol session."""
        if isinstance(action, (proto.Send, proto.Refuse)):
            self.send(action.text)
        elif isinstance(action, proto.Subscribe):
            self.server.subscribers.add(self, action.new)
            market = self.server.market
            for kind, _, c in action.requested:
                if kind == "depth":  # a new depth subscriber gets the current book at once
                    self.send(wire.depth_frame(market.sim(c).units, market.depth(c)))
                elif kind == "candles":
                    self.kick.set()
        elif isinstance(action, proto.Unsubscribe):
            self.server.subscribers.remove(self, action.dropped)
        elif isinstance(action, proto.Close):
            await self.shut(action)

    def forget(self) -> None:
        self.server.subscribers.remove(self, list(self.session.held))


class Subscribers:
    """The open connections and, per code, who takes its trades and its books: the fan-out of
    the market's events."""

    def __init__(self) -> None:
        self.conns: set[SimConnection] = set()
        self.trades: dict[str, set[SimConnection]] = {}
        self.depth: dict[str, set[SimConnection]] = {}

    def _index(self, kind: str) -> dict[str, set[SimConnection]] | None:
        return self.trades if kind == "trades" else self.depth if kind == "depth" else None

    def add(self, conn: SimConnection, subs: Iterable[proto.Subscription]) -> None:
        for kind, _, c in subs:
            index = self._index(kind)
            if index is not None:
                index.setdefault(c, set()).add(conn)

    def remove(self, conn: SimConnection, subs: Iterable[proto.Subscription]) -> None:
        for kind, _, c in subs:
            index = self._index(kind)
            if index is not None:
                index.get(c, set()).discard(conn)


async def serve_connection(server: SimServer, request: web.Request) -> web.StreamResponse:
    """``GET /ws?business=...&apikey=...``: one client connection, from handshake to close."""
    stats = server.stats
    q = request.query
    refused = refuse_key(q, server.api_key)
    if refused is not None:
        stats.refused += 1
        return refusal_response(refused)
    if server.refusing():
        stats.refused += 1
        stats.faults["refuse"] += 1
        return web.Response(
            status=503, text="Service Unavailable: try again later", content_type="text/plain"
        )
    refused = refuse_business(q)
    if refused is not None:
        stats.refused += 1
        return refusal_response(refused)
    ws = websocket_response()
    await ws.prepare(request)
    stats.connections += 1
    stats.active += 1
    conn = SimConnection(server, ws, request, q["business"], stats.connections)
    server.subscribers.conns.add(conn)
    conn.tasks = [asyncio.ensure_future(conn.sender()), asyncio.ensure_future(conn.candle_pusher())]
    for frame in conn.session.hello():
        conn.send(frame)
    try:
        await _read_loop(conn)
    finally:
        if not conn.gone.is_set():
            if ws.close_code == WSCloseCode.MESSAGE_TOO_BIG:
                stats.closes["too_big"] += 1
            else:
                stats.closes["client"] += 1
        conn.gone.set()
        conn.queue.put_nowait(None)
        conn.forget()
        server.subscribers.conns.discard(conn)
        stats.active -= 1
        for t in conn.tasks:
            t.cancel()
        for t in conn.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if not ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)
    return ws


async def _read_loop(conn: SimConnection) -> None:
    ws = conn.ws
    halted = asyncio.ensure_future(conn.halfopen.wait())
    gone = asyncio.ensure_future(conn.gone.wait())
    try:
        while not conn.gone.is_set():
            recv = asyncio.ensure_future(ws.receive())
            done, _ = await asyncio.wait({recv, halted, gone}, return_when=asyncio.FIRST_COMPLETED)
            if recv not in done:
                recv.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await recv
                if halted in done and not conn.gone.is_set():
                    # half-open: read nothing (no pong either) until the server stops or kills it
                    await conn.gone.wait()
                return
            msg = recv.result()
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await conn.on_frame(client_text(msg))
            elif msg.type == WSMsgType.ERROR:
                if (
                    ws.close_code == WSCloseCode.MESSAGE_TOO_BIG
                    or "too big" in str(msg.data).lower()
                    or "message size" in str(msg.data).lower()
                ):
                    conn.server.stats.closes["too_big"] += 1
                    conn.gone.set()
                return
            else:  # CLOSE, CLOSING, CLOSED
                return
    finally:
        for f in (halted, gone):
            f.cancel()


__all__ = ["SimConnection", "Subscribers", "serve_connection"]
