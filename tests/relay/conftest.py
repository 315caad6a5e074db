"""Fixtures for the relay tests: a simulated upstream, relays, a private redis-server, raw clients.

Everything binds 127.0.0.1 on random ports and is stopped by the fixture that started it (the
redis-server by its pid).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections import defaultdict

import pytest
import websockets

from infoway_widgets.relay import RelayConfig, RelayServer
from infoway_widgets.sim import serve

from .redis_proc import redis_exe, redis_server

SPEED = 60.0  # one simulated minute per real second
UPSTREAM_KEY = "UPSTREAM-KEY-7f3a9c1e5b"  # what the "real service" (a SimServer) demands


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def upstream():
    """A SimServer acting as the real Infoway service (it requires the key)."""
    async with serve(port=0, seed=7, speed=SPEED, api_key=UPSTREAM_KEY) as server:
        yield server


def relay_config(upstream, **kw) -> RelayConfig:
    kw.setdefault("unsubscribe_grace_s", 0.0)
    return RelayConfig(upstream_url=upstream.url, upstream_key=UPSTREAM_KEY, time_scale=SPEED, **kw)


@pytest.fixture
async def relays():
    """Start relays with ``await start(cfg)``; all are stopped at the end."""
    started: list[RelayServer] = []

    async def start(cfg: RelayConfig) -> RelayServer:
        r = RelayServer(cfg)
        await r.start()
        started.append(r)
        return r

    yield start
    for r in started:
        with contextlib.suppress(Exception):
            await r.stop()


@pytest.fixture
def redis_url():
    """A private redis-server (no persistence) on a random port, stopped by pid."""
    if redis_exe() is None:
        pytest.skip("redis-server is not installed")
    with redis_server() as url:
        yield url


class RawClient:
    """A bare ``websockets`` client of the relay that records every frame it receives."""

    def __init__(self, url: str, business: str = "stock", token: str | None = None) -> None:
        q = f"?business={business}" + (f"&apikey={token}" if token else "")
        self.url = url + q
        self.frames: list[str] = []
        self.by_key: dict[tuple, list[str]] = defaultdict(list)
        self.controls: list[str] = []
        self.changed = asyncio.Event()
        self.ws = None
        self._tasks: list[asyncio.Task] = []
        self._trace = 0

    async def open(self) -> RawClient:
        self.ws = await websockets.connect(self.url, max_queue=None)
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._beat())]
        return self

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for msg in self.ws:
                self.frames.append(msg)
                k = key_of(msg)
                if k is None:
                    self.controls.append(msg)
                else:
                    self.by_key[k].append(msg)
                self.changed.set()

    async def _beat(self) -> None:
        # the relay closes a client silent for 60 simulated seconds (1 s here)
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(20 / SPEED)
                await self.ws.send('{"code":10010,"trace":"hb"}')

    async def send(self, code: int, data: dict) -> str:
        self._trace += 1
        trace = f"c{self._trace}"
        await self.ws.send(json.dumps({"code": code, "trace": trace, "data": data}))
        return trace

    async def wait_control(self, pred, timeout: float = 10.0) -> str:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            for c in self.controls:
                if pred(c):
                    return c
            left = end - loop.time()
            if left <= 0:
                raise AssertionError(f"no matching control frame; got {self.controls[-5:]}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)

    async def close(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.ws is not None:
            await self.ws.close()


def key_of(frame: str) -> tuple | None:
    """(kind, code, klineType) of a push frame; None for control frames and greetings."""
    try:
        obj = json.loads(frame)
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("code") not in (10002, 10005, 10008):
        return None
    d = obj["data"]
    return obj["code"], d["s"], d.get("ty", 0)


async def until(pred, timeout: float, what: str, event: asyncio.Event | None = None) -> None:
    """Await ``pred()``; woken by ``event`` when given, else polled every 20 ms."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        left = end - loop.time()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        if event is not None:
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), min(left, 0.5))
        else:
            await asyncio.sleep(0.02)
