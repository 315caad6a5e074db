"""Server lifecycle: clean stop, many symbols, wall clock, knobs through the server."""

from __future__ import annotations

import asyncio
import json

from infoway_widgets.sim import SimServer, serve

from .conftest import recv_until, running, ws_client


async def test_stop_leaves_no_tasks_and_closes_sockets():
    before = asyncio.all_tasks()
    server = SimServer(port=0, speed=30)
    await server.start()
    async with ws_client(server, "crypto") as ws:
        await ws.send('{"code":10000,"trace":"t","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("code") == 10002)
        await server.stop()
        closed = False
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except Exception:
            closed = True
        assert closed
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()
    assert server.stats.closes["shutdown"] == 1


async def test_serve_context_manager_exposes_the_api():
    async with serve(port=0, seed=5, speed=20) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.ws_url.endswith("/ws")
        assert server.clock.now_ms() > 0 and server.market.seed == 5
        assert server.faults.drop_every is None and server.stats.connections == 0


async def test_five_hundred_extra_symbols_in_one_subscription():
    async with running(speed=5, extra_symbols=500) as srv, ws_client(srv, "stock") as ws:
        codes = [c for c in srv.market.profiles if srv.market.profiles[c].name_en.startswith("Sim")]
        assert len(codes) == 500
        await ws.send(
            json.dumps(
                {"code": 10000, "trace": "many", "data": {"codes": ",".join([*codes, "999999.SH"])}}
            )
        )
        assert (await recv_until(ws, lambda m: m.get("code") == 10001))["trace"] == "many"
        seen = set()
        while len(seen) < 20:
            msg = await recv_until(ws, lambda m: m.get("code") == 10002)
            seen.add(msg["data"]["s"])
        assert seen <= set(codes)


async def test_wall_clock_follows_real_time():
    async with running(clock="wall", speed=1, start=None) as srv:
        import time

        assert abs(srv.clock.now_ms() - time.time() * 1000) < 5_000
        assert srv.clock.now_ms("US") == srv.clock.now_ms("CN")


async def test_session_clock_anchors_each_market_at_its_open():
    async with running(speed=1, start=None) as srv:
        from infoway_widgets.market import is_trading, parse_symbol

        for code in ("600519.SH", "00700.HK", "AAPL.US"):
            inst = parse_symbol(code)
            assert is_trading(inst, srv.clock.now_ms(inst.market))


async def test_inject_through_the_server_reaches_subscribers():
    async with running(speed=10) as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10000,"trace":"t","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("code") == 10002)
        t = srv.market.inject("BTCUSDT", "large_sell", size=40.0)
        sweep = await recv_until(ws, lambda m: m.get("code") == 10002 and m["data"]["t"] == t)
        assert sweep["data"]["td"] == 2
