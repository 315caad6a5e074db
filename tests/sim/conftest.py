"""Shared helpers for the simulator tests: servers on 127.0.0.1, raw WebSocket clients, fake clocks."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from websockets.asyncio.client import ClientConnection, connect

from infoway_widgets.sim import SimClock, SimMarket, SimServer, default_profiles

SH = ZoneInfo("Asia/Shanghai")
#: a Tuesday on which Shanghai, Hong Kong and New York all trade
DAY = dt.date(2026, 11, 24)


def sh(h: int, m: int, s: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, h, m, s, tzinfo=SH)


def ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


class FakeMono:
    """A monotonic clock the test moves by hand (so market tests never sleep)."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def fake_market(
    start: dt.datetime, seed: int = 1, extra: int = 0, codes: list[str] | None = None
) -> tuple[SimMarket, FakeMono]:
    """A market on a hand-moved clock; ``codes`` keeps only those default instruments."""
    mono = FakeMono()
    clock = SimClock("session", 1.0, start, monotonic=mono, skip_breaks=False)
    profiles = None
    if codes is not None:
        profiles = [p for p in default_profiles() if p.inst.code in codes]
    return SimMarket(seed, clock, extra, profiles), mono


def run_to(
    market: SimMarket, mono: FakeMono, until: dt.datetime, step_s: float = 30.0
) -> list[Any]:
    """Advance the fake clock to ``until`` (in steps) and return every released event."""
    out: list[Any] = []
    target = (ms(until) - market.clock.start_ms("CN")) / 1000
    while mono.t < target:
        mono.t = min(target, mono.t + step_s)
        out.extend(market.advance())
    return out


@asynccontextmanager
async def running(**kw: Any) -> AsyncIterator[SimServer]:
    kw.setdefault("speed", 10.0)
    kw.setdefault("start", sh(9, 30))
    server = SimServer(**kw)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def ws_client(
    server: SimServer, business: str = "stock", key: str = "k", skip_hello: bool = True
) -> AsyncIterator[ClientConnection]:
    # max_queue=None: a test that stops reading must not pause the socket (websockets' flow
    # control would then hold the server's close frame unread until close_timeout)
    async with connect(
        f"{server.ws_url}?business={business}&apikey={key}",
        max_size=None,
        ping_interval=None,
        max_queue=None,
        close_timeout=2,
    ) as ws:
        if skip_hello:
            first = await ws.recv()
            if business == "stock":
                assert not str(first).startswith("{")
                first = await ws.recv()
            # production's welcome, marked as the simulated market's (as a relay marks its own)
            assert json.loads(first) == {"code": 200, "msg": "ws connect success (simulated)"}
        yield ws


async def recv_json(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_until(ws: ClientConnection, pred: Any, timeout: float = 5.0) -> dict[str, Any]:
    """The first JSON frame that satisfies ``pred`` (others are skipped)."""

    async def loop() -> dict[str, Any]:
        while True:
            raw = await ws.recv()
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if pred(msg):
                return msg

    return await asyncio.wait_for(loop(), timeout)


async def wait_for_elapsed(server: SimServer, sim_ms: int, timeout: float = 20.0) -> None:
    """Wait until the server's simulated clock has run ``sim_ms``."""

    async def loop() -> None:
        while server.clock.elapsed_ms() < sim_ms:
            await asyncio.sleep(
                max(0.005, (sim_ms - server.clock.elapsed_ms()) / 1000 / server.clock.speed)
            )

    await asyncio.wait_for(loop(), timeout)


async def wait_until(pred: Any, timeout: float = 10.0) -> None:
    """Wait until ``pred()`` holds, for server state that has no event to await."""

    async def loop() -> None:
        while not pred():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), timeout)


async def heartbeat(ws: ClientConnection, every: float) -> None:
    """Keep a socket alive under time compression (cancel when done)."""
    while True:
        await asyncio.sleep(every)
        await ws.send('{"code":10010,"trace":"hb"}')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
