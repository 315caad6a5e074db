"""A small, strict Infoway WebSocket server for the session tests, with fault injection.

It plays the production rules that the session must respect, time-compressed by ``speed``:
greeting on ``stock``, welcome, acks echoing ``trace``, pushes for subscribed codes, no answer to
heartbeats, idle close after 60 s without a client frame (513), a hard 60-frames-per-minute
budget (exceeding it drops the connection and is recorded as a violation), and HTTP 401 at the
handshake for a wrong key. Faults: drop every socket, make sockets half-open, refuse a
subscription with an error frame (516 …) or a ``Subscribe fail:`` text, send any error frame.

Tests await server-side conditions with :meth:`FakeServer.until`, woken on every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import itertools
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response


@dataclass
class Conn:
    ws: ServerConnection
    business: str
    n: int
    frames: deque[float] = field(default_factory=deque)  # arrival times (loop clock)
    received: list[dict[str, Any]] = field(default_factory=list)
    trades: set[str] = field(default_factory=set)
    depth: set[str] = field(default_factory=set)
    candles: dict[int, set[str]] = field(default_factory=dict)
    max_in_window: int = 0
    silent: bool = False
    closed: bool = False


class FakeServer:
    def __init__(
        self,
        *,
        api_key: str | None = None,
        speed: float = 100.0,
        budget: int = 60,
        window_s: float = 60.0,
        idle_s: float = 60.0,
        push_every_s: float = 2.0,
        push_max: int = 20,
        echo_trace: bool = True,
    ) -> None:
        self.api_key = api_key
        self.speed = speed
        self.budget = budget
        self.window = window_s / speed
        self.idle = idle_s / speed
        self.push_every = push_every_s / speed
        self.push_max = push_max  # pushes per kind per tick: keeps 500-code tests light
        self.echo_trace = echo_trace
        self.conns: list[Conn] = []
        self.handshakes = 0
        self.refused = 0
        self.violations = 0
        self.idle_closes = 0
        self.pushes = 0
        self.fail_next: list[
            tuple[int | None, str]
        ] = []  # (code, msg) or (None, prose) for subscribes
        self._changed = asyncio.Event()
        self._server: Server | None = None
        self._seq = itertools.count(1)
        self.port = 0

    # ---- lifecycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeServer:
        self._server = await serve(
            self._handler,
            "127.0.0.1",
            0,
            process_request=self._check,
            ping_interval=None,
            compression=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for c in self.conns:
            with contextlib.suppress(Exception):
                c.ws.transport.abort()
        self._server.close()
        await self._server.wait_closed()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    # ---- waiting ----------------------------------------------------------------------------------
    def _notify(self) -> None:
        self._changed.set()

    async def until(self, pred: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ``pred()`` holds, re-checking on every server-side change."""

        async def loop() -> None:
            while not pred():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}") from None

    # ---- stats ------------------------------------------------------------------------------------
    @property
    def live(self) -> list[Conn]:
        return [c for c in self.conns if not c.closed]

    @property
    def max_frames_in_window(self) -> int:
        return max((c.max_in_window for c in self.conns), default=0)

    def codes(self, kind: str, kt: int = 0) -> set[str]:
        out: set[str] = set()
        for c in self.live:
            out |= (
                c.trades
                if kind == "trades"
                else c.depth
                if kind == "depth"
                else c.candles.get(kt, set())
            )
        return out

    def count(self, code: int) -> int:
        return sum(1 for c in self.conns for f in c.received if f.get("code") == code)

    # ---- faults -----------------------------------------------------------------------------------
    def drop_all(self) -> None:
        for c in self.live:
            c.closed = True
            c.ws.transport.abort()
        self._notify()

    def halfopen_all(self) -> None:
        """TCP stays up; nothing is sent and nothing is read (so pings are not answered)."""
        for c in self.live:
            c.silent = True
            c.ws.transport.pause_reading()
        self._notify()

    async def send_error(self, code: int, msg: str = "error") -> None:
        for c in self.live:
            await c.ws.send(orjson.dumps({"traceId": "srv", "code": code, "msg": msg}).decode())

    # ---- protocol ---------------------------------------------------------------------------------
    def _check(self, conn: ServerConnection, request: Request) -> Response | None:
        self.handshakes += 1
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        if self.api_key is not None and q.get("apikey", [None])[0] != self.api_key:
            self.refused += 1
            self._notify()
            return Response(
                http.HTTPStatus.UNAUTHORIZED,
                "Unauthorized",
                Headers(
                    [("www-authenticate", 'apikey realm="key"'), ("content-type", "text/plain")]
                ),
                b"Unauthorized",
            )
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(ws.request.path).query)
        conn = Conn(ws, q.get("business", [""])[0], len(self.conns))
        self.conns.append(conn)
        self._notify()
        pusher = asyncio.create_task(self._push(conn))
        try:
            if conn.business == "stock":
                await ws.send("You have permission to subscribe to all market data")
            await ws.send('{"code":200,"msg":"ws connect success"}')
            loop = asyncio.get_running_loop()
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), self.idle)
                except asyncio.TimeoutError:
                    if conn.silent:
                        continue
                    self.idle_closes += 1
                    await ws.send('{"code":513,"msg":"Heartbeat timeout, connection closed"}')
                    await ws.close(1000, "idle")
                    return
                now = loop.time()
                conn.frames.append(now)
                while conn.frames and conn.frames[0] <= now - self.window:
                    conn.frames.popleft()
                conn.max_in_window = max(conn.max_in_window, len(conn.frames))
                if len(conn.frames) > self.budget:
                    self.violations += 1
                    await ws.close(1008, "frame budget exceeded")
                    return
                frame = orjson.loads(raw)
                conn.received.append(frame)
                await self._on_frame(conn, frame)
                self._notify()
        except Exception:
            pass
        finally:
            conn.closed = True
            pusher.cancel()
            with contextlib.suppress(BaseException):
                await pusher
            self._notify()

    async def _on_frame(self, conn: Conn, f: dict[str, Any]) -> None:
        code, trace, data = f.get("code"), f.get("trace"), f.get("data") or {}
        if code == 10010:
            return
        if code in (10000, 10003, 10006) and self.fail_next:
            ecode, msg = self.fail_next.pop(0)
            if ecode is None:
                await conn.ws.send(f"Subscribe fail: {msg}")
            else:  # production's traceId is its own, not the client's trace
                await conn.ws.send(
                    orjson.dumps(
                        {"traceId": f"srv{next(self._seq)}", "code": ecode, "msg": msg}
                    ).decode()
                )
            return
        codes = [c for c in str(data.get("codes", "")).split(",") if c]
        if code == 10000:
            conn.trades |= set(codes)
        elif code == 10003:
            conn.depth |= set(codes)
        elif code == 10006:
            for g in data.get("arr", []):
                conn.candles.setdefault(int(g["type"]), set()).update(g["codes"].split(","))
        elif code == 11000:
            conn.trades -= set(codes)
        elif code == 11001:
            conn.depth -= set(codes)
        elif code == 11002:
            kts = [int(k) for k in str(data.get("klineTypes", "")).split(",") if k] or list(
                conn.candles
            )
            for kt in kts:
                conn.candles.get(kt, set()).difference_update(codes)
        else:
            await conn.ws.send(
                orjson.dumps(
                    {"traceId": "x", "code": 506, "msg": "Param error：The code is out of range"}
                ).decode()
            )
            return
        ack = {10000: 10001, 10003: 10004, 10006: 10007}.get(code, 11010)
        reply = (
            {"code": ack, "trace": trace, "msg": "ok"}
            if self.echo_trace
            else {"code": ack, "msg": "ok"}
        )
        await conn.ws.send(orjson.dumps(reply).decode())

    async def _push(self, conn: Conn) -> None:
        while True:
            await asyncio.sleep(self.push_every)
            if conn.silent:
                continue
            t = int(time.time() * 1000)
            out: list[str] = []
            for s in sorted(conn.trades)[: self.push_max]:
                out.append(
                    orjson.dumps(
                        {
                            "code": 10002,
                            "data": {
                                "p": "10.50",
                                "s": s,
                                "t": t,
                                "td": 1,
                                "v": "100",
                                "vw": "1050.00",
                            },
                        }
                    ).decode()
                )
            for s in sorted(conn.depth)[: self.push_max]:
                out.append(
                    orjson.dumps(
                        {
                            "code": 10005,
                            "data": {
                                "a": [["10.51", "10.52"], ["100", "200"]],
                                "b": [["10.50", "10.49"], ["300", "400"]],
                                "s": s,
                                "t": t,
                            },
                        }
                    ).decode()
                )
            for kt, codes in sorted(conn.candles.items()):
                for s in sorted(codes)[: self.push_max]:
                    out.append(
                        orjson.dumps(
                            {
                                "code": 10008,
                                "data": {
                                    "c": "10.50",
                                    "h": "10.60",
                                    "l": "10.40",
                                    "o": "10.45",
                                    "pca": "0.05",
                                    "pfr": "0.48%",
                                    "s": s,
                                    "t": str(t // 60000 * 60),
                                    "ty": kt,
                                    "v": "100",
                                    "vw": "1050.0",
                                },
                            }
                        ).decode()
                    )
            for fr in out:
                await conn.ws.send(fr)
                self.pushes += 1
            if out:
                self._notify()
