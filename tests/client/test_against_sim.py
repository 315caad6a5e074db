"""REST client and WsSession against the project's simulated market server (real sockets on
127.0.0.1, simulated time 100x faster, so 60 s limits pass in 0.6 s)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from infoway_widgets.client.rest import RestClient
from infoway_widgets.client.ws import WsSession
from infoway_widgets.errors import AuthError, BadParameterError, RateLimitError, UnknownSymbolError
from infoway_widgets.protocol.decode import decode_frame
from infoway_widgets.protocol.events import ErrorFrame
from infoway_widgets.sim import SimServer, serve

from .test_ws_session import Sink

KEY = "sim-test-SECRET-0123456789abcdef"
SPEED = 100.0


@pytest.fixture
async def sim() -> AsyncIterator[SimServer]:
    async with serve(port=0, seed=1, speed=SPEED, api_key=KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_key_in_logs(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG)
    yield
    assert KEY not in caplog.text, "the API key leaked into a log line"
    assert "internal error" not in caplog.text, "a session task crashed"


def ws(server: SimServer, sink: Sink, business: str, key: str | None = KEY, **kw: Any) -> WsSession:
    kw.setdefault("time_scale", SPEED)
    return WsSession(
        server.ws_url,
        business,
        key,
        on_push=sink.on_push,
        on_state=sink.on_state,
        on_event=sink.on_event,
        on_reconnect=sink.on_reconnect,
        **kw,
    )


# ---- REST --------------------------------------------------------------------------------------
async def test_rest_against_sim(sim: SimServer) -> None:
    async with RestClient(sim.url, KEY, backoff=0.01) as rest:
        bars = await rest.history("600519.SH", "1m", count=1200)
        assert len(bars) == 1200
        ts = [b.t for b in bars]
        assert ts == sorted(set(ts))
        assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)
        many = await rest.klines(["600519.SH", "00700.HK", "AAPL.US", "BTCUSDT", "USDCNY"], "1d", 2)
        assert all(len(v) == 2 for v in many.values())
        trades = await rest.trades("600519.SH,BTCUSDT")
        assert {t.symbol for t in trades} == {"600519.SH", "BTCUSDT"}
        books = await rest.depth(["BTCUSDT"])
        assert books[0].ask_px[0] > books[0].bid_px[0]
        assert [d["symbol"] for d in await rest.symbols("CRYPTO")] == ["BTCUSDT"]
        days = await rest.trading_days("CN", "2026-11-02", "2026-11-06")
        assert days["trade_days"] == ["20261102", "20261103", "20261104", "20261105", "20261106"]
        with pytest.raises(UnknownSymbolError):
            await rest.trades("999999.SH")
        n = sim.stats.rest_requests
        with pytest.raises(BadParameterError):  # RFC 7807 400 from the server, not retried
            await rest._request("GET", "/common/basic/symbols", what="symbols")
        assert sim.stats.rest_requests == n + 1


async def test_rest_history_matches_server_bars(sim: SimServer) -> None:
    """Paging must neither lose nor repeat a bar: compare with a single direct page."""
    async with RestClient(sim.url, KEY) as rest:
        paged = await rest.history("BTCUSDT", "5m", count=1100)
        direct_tail = (await rest.klines("BTCUSDT", "5m", 500))["BTCUSDT"]
    assert len(paged) == 1100
    # the newest bar is still forming (the simulated clock runs): compare the settled ones
    settled = min(paged[-1].t, direct_tail[-1].t)
    by_t = {b.t: b for b in paged}
    common = [b for b in direct_tail if b.t < settled]
    assert len(common) >= 498 and all(by_t[b.t] == b for b in common)
    assert all(
        b - a == 300_000
        for a, b in zip([x.t for x in paged], [x.t for x in paged][1:], strict=False)
    )


async def test_rest_bad_key_and_rate_limit(sim: SimServer) -> None:
    async with RestClient(sim.url, KEY + "x", retries=5, backoff=0.001) as rest:
        with pytest.raises(AuthError):
            await rest.trades("BTCUSDT")
    assert sim.stats.rest_requests == 1  # never retried
    sim.faults.rate_limit = True
    async with RestClient(sim.url, KEY, retries=2, backoff=0.001) as rest:
        with pytest.raises(RateLimitError):
            await rest.trades("BTCUSDT")
    assert sim.stats.rest_requests == 1 + 3  # retried twice


# ---- WebSocket ---------------------------------------------------------------------------------
async def test_ws_channels_against_sim(sim: SimServer) -> None:
    stock, crypto = Sink(), Sink()
    async with ws(sim, stock, "stock") as s, ws(sim, crypto, "crypto") as c:
        s.subscribe("trades", ["600519.SH", "000001.SZ"])
        s.subscribe("depth", ["600519.SH"])
        s.subscribe("candles", ["600519.SH"], kline_types=["1m", "5m"])
        c.subscribe("trades", "BTCUSDT")
        c.subscribe("candles", "BTCUSDT", kline_types=[1])
        await asyncio.gather(s.wait_synced(5), c.wait_synced(5))
        await stock.until(
            lambda: (
                stock.pushed(10002, "000001.SZ")
                and stock.pushed(10005, "600519.SH")
                and stock.pushed(10008, "600519.SH", 1)
                and stock.pushed(10008, "600519.SH", 2)
            ),
            8,
            "stock pushes of every kind",
        )
        await crypto.until(
            lambda: crypto.pushed(10002, "BTCUSDT") and crypto.pushed(10008, "BTCUSDT"),
            8,
            "crypto pushes",
        )
        # every frame the session hands over decodes cleanly
        for p in stock.raw[:200] + crypto.raw[:200]:
            assert type(decode_frame(p)).__name__ in ("Trade", "Depth", "Candle"), p
        s.unsubscribe("candles", "600519.SH", kline_types=["1m"])
        s.unsubscribe("trades", "000001.SZ")
        await s.wait_synced(5)
        conn = next(x for x in sim.connections() if x.business == "stock")
        assert conn.klines == {"600519.SH": {2}} and conn.trades == {"600519.SH"}
    assert s.state == c.state == "closed"


async def test_ws_heartbeat_outlives_idle_limit(sim: SimServer) -> None:
    sink = Sink()
    async with ws(sim, sink, "crypto") as s:
        s.subscribe("trades", "BTCUSDT")
        await s.wait_synced(5)
        # idle limit is 60 simulated s = 0.6 s: outlive it 3 times over on heartbeats alone
        await sink.until(lambda: s.stats["heartbeats"] >= 6, 10, "six heartbeats")
        assert sim.stats.closes["idle"] == 0 and s.stats["reconnects"] == 0


async def test_ws_budget_with_500_codes(sim: SimServer) -> None:
    """500 codes in 250 small calls on one socket: the server (which closes a connection at its
    61st frame within a simulated minute) never has to. The simulated market knows only a few of
    these codes; it acks the others and stays silent, as production does — the frames count all
    the same. (A simulated market with 500 extra symbols takes ~30 s to build: too slow here.)"""
    sink = Sink()
    codes = [f"{600000 + i:06d}.SH" for i in range(500)]
    codes[:2] = ["600519.SH", "000001.SZ"]
    async with ws(sim, sink, "stock") as s:
        await s.wait_open(5)
        for i in range(0, 500, 4):  # 125 calls of 4 codes per kind, yielding between them
            s.subscribe("trades", codes[i : i + 4])
            s.subscribe("depth", codes[i : i + 4])
            await asyncio.sleep(0)
        s.subscribe("candles", codes, kline_types=[1, 8])
        await s.wait_synced(10)
        for i in range(0, 60, 2):  # churn on top: drop and re-add
            s.unsubscribe("depth", codes[i : i + 2])
            await asyncio.sleep(0.002)
            s.subscribe("depth", codes[i : i + 2])
        await s.wait_synced(10)
        await sink.until(lambda: s.stats["heartbeats"] >= 3, 5, "heartbeats on top")
        conn = sim.connections()[0]
        known = set(codes) & set(sim.market.profiles)
        assert {"600519.SH", "000001.SZ"} <= known and conn.trades == known == conn.depth
        assert sim.stats.closes["frame_budget"] == 0 and s.stats["reconnects"] == 0
        assert s.stats["max_frames_in_window"] <= 60
        assert s.stats["sub_frames"] <= 60  # merged: far fewer frames than calls


async def test_ws_500_real_symbols_in_many_calls(caplog: pytest.LogCaptureFixture) -> None:
    """500 symbols the simulated market really trades. Such a market takes ~6 s to build and is too
    heavy to run 100x faster, so this one runs at 5x (budget window 12 s): every subscription must
    fit in one window's budget, merged, with no frame_budget close."""
    caplog.set_level(logging.INFO)  # thousands of pushes: per-frame DEBUG lines would dominate
    sink = Sink()
    async with serve(port=0, seed=1, speed=5.0, api_key=KEY, extra_symbols=500) as big:
        codes = [c for c in big.market.profiles if c.endswith((".SH", ".SZ"))][-500:]
        assert len(codes) == 500
        async with ws(big, sink, "stock", time_scale=5.0) as s:
            await s.wait_open(5)
            for i in range(0, 500, 5):  # 100 calls of 5 codes per kind, yielding between them
                s.subscribe("trades", codes[i : i + 5])
                s.subscribe("depth", codes[i : i + 5])
                await asyncio.sleep(0)
            s.subscribe("candles", codes, kline_types=["1m"])
            await s.wait_synced(10)
            conn = big.connections()[0]
            assert conn.trades == set(codes) == conn.depth and set(conn.klines) == set(codes)
            assert big.stats.closes["frame_budget"] == 0 and s.stats["reconnects"] == 0
            assert s.stats["sub_frames"] <= 30 and s.stats["max_frames_in_window"] <= 60
            await sink.until(
                lambda: len(sink.symbols) >= 100, 10, "pushes from 100 different symbols"
            )


async def test_ws_reconnects_after_drops_and_half_open(sim: SimServer) -> None:
    sink = Sink()
    async with ws(sim, sink, "crypto") as s:
        s.subscribe("trades", "BTCUSDT")
        s.subscribe("candles", "BTCUSDT", kline_types=[1])
        await s.wait_synced(5)
        sim.faults.drop_every = 20  # simulated seconds
        await sink.until(lambda: len(sink.reconnects) >= 1, 5, "reconnect after a drop")
        sim.faults.drop_every = None
        await s.wait_synced(5)
        sim.faults.halfopen_every = 20
        await sink.until(lambda: len(sink.reconnects) >= 2, 10, "reconnect after half-open")
        sim.faults.halfopen_every = None
        await s.wait_synced(5)
        m = len(sink.pushes)
        await sink.until(lambda: len(sink.pushes) > m + 3, 5, "pushes after reconnecting")
        # the server keeps its end of the half-open socket (it reads nothing, so it never sees
        # our close): count only live ones
        conn = [x for x in sim.connections() if not x.gone.is_set() and not x.halfopen.is_set()]
        assert (
            len(conn) == 1 and conn[0].trades == {"BTCUSDT"} and conn[0].klines == {"BTCUSDT": {1}}
        )
        assert all(d <= u for d, u in sink.reconnects)


async def test_ws_error_frames(sim: SimServer) -> None:
    sink = Sink()
    async with ws(sim, sink, "crypto") as s:
        s.subscribe("trades", "BTCUSDT")
        await s.wait_synced(5)
        sim.faults.error_codes = (516,)
        sim.faults.error_every = 10
        await sink.until(
            lambda: any(isinstance(e, ErrorFrame) and e.code == 516 for e in sink.events),
            5,
            "a 516 frame",
        )
        sim.faults.error_every = None
        assert s.state == "open" and s.stats["reconnects"] == 0  # 516 never drops the socket
        sim.faults.error_codes = (500,)
        sim.faults.error_every = 10
        await sink.until(lambda: len(sink.reconnects) >= 1, 5, "reconnect after 500")
        sim.faults.error_every = None
        await s.wait_synced(5)
        sim.faults.error_codes = (511,)
        sim.faults.error_every = 10
        await sink.until(lambda: s.state == "failed", 5, "failed after 511")
        assert isinstance(s.error, AuthError) and s.error.code == 511


async def test_ws_bad_key_is_terminal(sim: SimServer) -> None:
    sink = Sink()
    s = ws(sim, sink, "crypto", key=KEY + "-bad")
    await s.start()
    with pytest.raises(AuthError, match=r"(?i)not retried"):
        await s.wait_open(5)
    await asyncio.sleep(0.05)  # asserting an absence: no second handshake
    assert sim.stats.refused == 1
    assert KEY not in repr(s) and KEY not in str(s.error)
    await s.close()
