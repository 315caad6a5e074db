"""The WebSocket endpoint: handshake, greeting, subscriptions, limits and per-connection faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from aiohttp import WSCloseCode, WSMsgType, web

from .._aio import wait_event
from ..protocol import encode
from ..protocol.codes import BUSINESSES, ERROR_MESSAGES, FRAME_BUDGET, MAX_FRAME_BYTES
from . import wire
from .faults import Faults
from .universe import stable_int

if TYPE_CHECKING:
    from .server import SimServer

_SUB = {10000: "trade", 10003: "depth", 10006: "kline"}
_UNSUB = {11000: "trade", 11001: "depth", 11002: "kline"}
_ACK = {10000: 10001, 10003: 10004, 10006: 10007}
GARBAGE = '{"code":10002,"data":{"p":"1'  # a cut-off frame: what a broken proxy delivers
PROSE = "Subscribe fail: simulated fault frame (prose, not JSON)"


class Conn:
    """One client connection: its subscriptions, budgets, outgoing queue and fault state."""

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
        self.trades: set[str] = set()
        self.depth: set[str] = set()
        self.klines: dict[str, set[int]] = {}
        self.sent_candles: dict[tuple[str, int], str] = {}
        now = server.clock.elapsed_ms()
        self.last_frame = now
        self.frame_times: deque[int] = deque()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.halfopen = asyncio.Event()
        self.kick = asyncio.Event()  # a new candle subscription is pushed at once
        self.gone = asyncio.Event()
        self.rng = np.random.Generator(
            np.random.PCG64([server.market.seed, stable_int("conn"), number])
        )
        self.tasks: list[asyncio.Task[None]] = []
        self.closing = False  # a close is under way (idle, fault, slow consumer)

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
            if frame.startswith('{"code":100'):
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
            for code, types in list(self.klines.items()):
                s = market.get(code)
                if s is None or s.inst.business != self.business:
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

    async def error_then_close(self, code: int, msg: str, reason: str, trace: Any = None) -> None:
        """Send an error frame directly (not queued behind pushes), then close."""
        if self.gone.is_set():
            return
        await self._raw(encode.error_frame(code, msg, trace))
        await self.close(
            reason,
            WSCloseCode.POLICY_VIOLATION if reason == "frame_budget" else WSCloseCode.OK,
            msg.encode()[:120],
        )

    # ---- receiving -------------------------------------------------------------------------
    async def on_frame(self, text: str | None) -> None:
        """Handle one client frame (``None``: a binary frame that is not UTF-8)."""
        srv = self.server
        srv.stats.frames_received += 1
        now = srv.clock.elapsed_ms()
        self.last_frame = now
        ft = self.frame_times
        ft.append(now)
        while ft and ft[0] <= now - 60_000:
            ft.popleft()
        if len(ft) > FRAME_BUDGET:
            await self.error_then_close(
                501, ERROR_MESSAGES[501] + f" ({FRAME_BUDGET} frames per minute)", "frame_budget"
            )
            return
        try:
            msg = json.loads(text) if text is not None else None
        except ValueError:
            msg = None
        if not isinstance(msg, dict):
            self.send(
                encode.error_frame(
                    515,
                    'Param not json：every frame is a JSON object like {"code":10010,"trace":"id"}',
                )
            )
            return
        trace = msg.get("trace")
        code = msg.get("code")
        if code is None:
            self.send(encode.error_frame(507, "Param lost：code", trace))
            return
        if code == 10010:
            return  # heartbeats are never answered
        if (
            isinstance(code, bool)
            or not isinstance(code, int)
            or (code not in _SUB and code not in _UNSUB)
        ):
            self.send(encode.error_frame(506, "Param error：The code is out of range", trace))
            return
        data = msg.get("data")
        if not isinstance(data, dict):
            self.send(encode.error_frame(507, "Param lost：data", trace))
            return
        if code in _SUB:
            self._subscribe(_SUB[code], code, data, trace)
        else:
            self._unsubscribe(_UNSUB[code], data, trace)

    def _codes(self, data: dict[str, Any]) -> list[str] | None:
        raw = data.get("codes")
        if isinstance(raw, list):
            raw = ",".join(str(c) for c in raw)
        if not isinstance(raw, str) or not raw.strip():
            return None
        return [c.strip() for c in raw.split(",") if c.strip()]

    def _ours(self, codes: list[str]) -> list[str]:
        """Codes this channel carries; others are acked and then stay silent (as production)."""
        m = self.server.market
        out = []
        for c in codes:
            s = m.get(c)
            if s is not None and s.inst.business == self.business:
                out.append(c)
        return out

    def _subscribe(self, kind: str, code: int, data: dict[str, Any], trace: Any) -> None:
        hub = self.server.hub
        if kind == "kline":
            arr = data.get("arr")
            if not isinstance(arr, list) or not arr:
                self.send(encode.error_frame(507, "Param lost：arr", trace))
                return
            adds: list[tuple[str, int]] = []
            for item in arr:
                codes = self._codes(item) if isinstance(item, dict) else None
                ty = item.get("type") if isinstance(item, dict) else None
                if codes is None:
                    self.send(encode.error_frame(507, "Param lost：codes", trace))
                    return
                if isinstance(ty, str) and ty.isdigit():
                    ty = int(ty)
                if not isinstance(ty, int) or isinstance(ty, bool) or not 1 <= ty <= 12:
                    self.send(encode.error_frame(506, "Param error：type must be 1..12", trace))
                    return
                adds.extend((c, ty) for c in self._ours(codes))
            self.send(encode.ack(_ACK[code], trace))
            for c, ty in adds:
                self.klines.setdefault(c, set()).add(ty)
            self.kick.set()
            return
        codes = self._codes(data)
        if codes is None:
            self.send(encode.error_frame(507, "Param lost：codes", trace))
            return
        self.send(encode.ack(_ACK[code], trace))
        for c in self._ours(codes):
            if kind == "trade":
                self.trades.add(c)
                hub.trade_subs.setdefault(c, set()).add(self)
            else:
                self.depth.add(c)
                hub.depth_subs.setdefault(c, set()).add(self)
                # a new depth subscriber gets the current book at once
                s = self.server.market.sim(c)
                self.send(wire.depth_frame(s.units, self.server.market.depth(c)))

    def _unsubscribe(self, kind: str, data: dict[str, Any], trace: Any) -> None:
        codes = self._codes(data)
        if codes is None:
            self.send(encode.error_frame(507, "Param lost：codes", trace))
            return
        hub = self.server.hub
        for c in codes:
            if kind == "trade":
                self.trades.discard(c)
                hub.trade_subs.get(c, set()).discard(self)
            elif kind == "depth":
                self.depth.discard(c)
                hub.depth_subs.get(c, set()).discard(self)
            else:
                kt = data.get("klineTypes")
                if kt in (None, ""):
                    self.klines.pop(c, None)
                else:
                    drop = {int(x) for x in str(kt).split(",") if x.strip().isdigit()}
                    left = self.klines.get(c, set()) - drop
                    if left:
                        self.klines[c] = left
                    else:
                        self.klines.pop(c, None)
        self.send(encode.ack(11010, trace))

    def forget(self) -> None:
        hub = self.server.hub
        for c in self.trades:
            hub.trade_subs.get(c, set()).discard(self)
        for c in self.depth:
            hub.depth_subs.get(c, set()).discard(self)


class Hub:
    """Who is subscribed to what, for the fan-out of released events."""

    def __init__(self) -> None:
        self.conns: set[Conn] = set()
        self.trade_subs: dict[str, set[Conn]] = {}
        self.depth_subs: dict[str, set[Conn]] = {}


async def handle(server: SimServer, request: web.Request) -> web.StreamResponse:
    """``GET /ws?business=...&apikey=...``."""
    stats = server.stats
    q = request.query
    if server.api_key is not None:
        key = q.get("apikey") or q.get("apiKey")
        if key != server.api_key:
            stats.refused += 1
            return web.Response(
                status=401,
                text="Unauthorized: the apikey is missing or invalid",
                content_type="text/plain",
                headers={"www-authenticate": 'apikey realm="key"'},
            )
    if server.refusing():
        stats.refused += 1
        stats.faults["refuse"] += 1
        return web.Response(
            status=503, text="Service Unavailable: try again later", content_type="text/plain"
        )
    business = q.get("business", "")
    if business not in BUSINESSES:
        stats.refused += 1
        return web.Response(
            status=400,
            content_type="text/plain",
            text=f"business must be one of {', '.join(BUSINESSES)}, e.g. /ws?business=stock",
        )
    ws = web.WebSocketResponse(
        max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None, compress=False
    )
    await ws.prepare(request)
    stats.connections += 1
    stats.active += 1
    conn = Conn(server, ws, request, business, stats.connections)
    server.hub.conns.add(conn)
    conn.tasks = [asyncio.ensure_future(conn.sender()), asyncio.ensure_future(conn.candle_pusher())]
    if business == "stock":
        conn.send(wire.GREETING)
    conn.send(encode.WELCOME_FRAME)
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
        server.hub.conns.discard(conn)
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


async def _read_loop(conn: Conn) -> None:
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
            if msg.type == WSMsgType.TEXT:
                await conn.on_frame(msg.data)
            elif msg.type == WSMsgType.BINARY:
                try:
                    text: str | None = msg.data.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                await conn.on_frame(text)
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
