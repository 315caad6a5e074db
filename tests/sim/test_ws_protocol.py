"""WebSocket conformance with a raw ``websockets`` client: every row of the protocol table."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .conftest import heartbeat, recv_json, recv_until, running, ws_client

NUM = re.compile(r"^-?\d+(\.\d+)?$")


async def test_stock_greeting_then_welcome_then_ack():
    async with running() as srv, ws_client(srv, "stock", skip_hello=False) as ws:
        first = await asyncio.wait_for(ws.recv(), 5)
        assert first.startswith("You have permission to subscribe to all market data")
        assert "SIMULATED" in first
        assert await ws.recv() == '{"code":200,"msg":"ws connect success (simulated)"}'
        await ws.send('{"code":10000,"trace":"336b","data":{"codes":"600519.SH"}}')
        assert await ws.recv() == '{"code":10001,"trace":"336b","msg":"ok"}'


async def test_crypto_has_no_greeting():
    async with running() as srv, ws_client(srv, "crypto", skip_hello=False) as ws:
        assert (
            await asyncio.wait_for(ws.recv(), 5)
            == '{"code":200,"msg":"ws connect success (simulated)"}'
        )


async def test_trade_push_shape():
    async with running(speed=30) as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10000,"trace":"t1","data":{"codes":"BTCUSDT"}}')
        assert (await recv_json(ws))["code"] == 10001
        raw = await asyncio.wait_for(ws.recv(), 5)
        msg = json.loads(raw)
        assert msg["code"] == 10002 and "trace" not in msg
        d = msg["data"]
        assert list(d) == ["p", "s", "t", "td", "v", "vw"]
        assert raw.startswith('{"code":10002,"data":{"p":"')
        assert isinstance(d["t"], int) and d["t"] > 10**12 and d["td"] in (0, 1, 2)
        for k in ("p", "v", "vw"):
            assert isinstance(d[k], str) and NUM.match(d[k])
        from decimal import Decimal

        assert Decimal(d["p"]) * Decimal(d["v"]) == Decimal(d["vw"])


async def test_depth_push_shape_and_levels():
    async with running() as srv, ws_client(srv, "stock") as ws:
        await ws.send('{"code":10003,"trace":"d1","data":{"codes":"600519.SH"}}')
        assert await ws.recv() == '{"code":10004,"trace":"d1","msg":"ok"}'
        msg = await recv_json(ws)
        assert msg["code"] == 10005
        d = msg["data"]
        assert list(d) == ["a", "b", "s", "t"] and d["s"] == "600519.SH"
        asks, bids = d["a"], d["b"]
        assert len(asks) == 2 and len(asks[0]) == 5 and len(bids[1]) == 5
        ap = [float(x) for x in asks[0]]
        bp = [float(x) for x in bids[0]]
        assert ap == sorted(ap) and bp == sorted(bp, reverse=True) and bp[0] < ap[0]
        assert all(re.match(r"^\d+\.\d\d$", x) for x in asks[0])  # A-share prices: 2 decimals
        assert all(int(v) % 100 == 0 for v in asks[1] + bids[1])


async def test_crypto_depth_has_eight_decimals():
    async with running() as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10003,"trace":"d","data":{"codes":"BTCUSDT"}}')
        msg = await recv_until(ws, lambda m: m.get("code") == 10005)
        assert all(re.match(r"^\d+\.\d{8}$", x) for x in msg["data"]["a"][0] + msg["data"]["b"][1])


async def test_crypto_depth_is_twenty_levels_deep_and_ordered():
    async with running() as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10003,"trace":"d","data":{"codes":"BTCUSDT"}}')
        msg = await recv_until(ws, lambda m: m.get("code") == 10005)
        (ap, av), (bp, bv) = msg["data"]["a"], msg["data"]["b"]
        assert len(ap) == len(av) == len(bp) == len(bv) == 20
        a, b = [float(x) for x in ap], [float(x) for x in bp]
        assert a == sorted(a) and b == sorted(b, reverse=True) and b[0] < a[0]
        assert len(set(a)) == 20 and len(set(b)) == 20 and all(float(v) > 0 for v in av + bv)


async def test_candle_push_shape_and_several_intervals():
    async with running() as srv, ws_client(srv, "crypto") as ws:
        await ws.send(
            json.dumps(
                {
                    "code": 10006,
                    "trace": "k1",
                    "data": {
                        "arr": [{"type": 1, "codes": "BTCUSDT"}, {"type": 8, "codes": "BTCUSDT"}]
                    },
                }
            )
        )
        assert await ws.recv() == '{"code":10007,"trace":"k1","msg":"ok"}'
        seen = {}
        while len(seen) < 2:
            msg = await recv_until(ws, lambda m: m.get("code") == 10008)
            seen[msg["data"]["ty"]] = msg["data"]
        d = seen[1]
        assert list(d) == ["c", "h", "l", "o", "pca", "pfr", "s", "t", "ty", "v", "vw"]
        assert isinstance(d["t"], str) and int(d["t"]) % 60 == 0 and int(d["t"]) < 10**11
        assert re.match(r"^-?\d+\.\d{5}$", d["c"]) and d["pfr"].endswith("%")
        assert int(seen[8]["t"]) % 86400 == 0  # a crypto day opens 00:00 UTC


async def test_unknown_code_and_wrong_business_are_acked_then_silent():
    async with running(speed=30) as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10000,"trace":"a","data":{"codes":"600519.SH,NOPEUSDT"}}')
        assert (await recv_json(ws))["msg"] == "ok"
        hb = asyncio.ensure_future(heartbeat(ws, 0.5))
        try:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.8)
        finally:
            hb.cancel()


async def test_an_unknown_code_beside_a_known_one_is_acked_then_silent_while_the_other_streams():
    async with running(speed=30) as srv, ws_client(srv, "stock") as ws:
        await ws.send('{"code":10000,"trace":"a","data":{"codes":"999999.SH,600519.SH"}}')
        assert await ws.recv() == '{"code":10001,"trace":"a","msg":"ok"}'
        seen: list[str] = []
        hb = asyncio.ensure_future(heartbeat(ws, 0.5))
        try:
            while len(seen) < 20:
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 5))["data"]["s"])
        finally:
            hb.cancel()
        assert set(seen) == {"600519.SH"}
        assert srv.connections()[0].trades == {"600519.SH"}


async def test_a_per_connection_code_limit_refuses_beyond_it_with_505_and_keeps_the_rest():
    async with running(speed=30, max_codes=2) as srv, ws_client(srv, "stock") as ws:
        await ws.send('{"code":10000,"trace":"a","data":{"codes":"600519.SH,000001.SZ"}}')
        await recv_until(ws, lambda m: m.get("trace") == "a")
        await ws.send('{"code":10003,"trace":"b","data":{"codes":"600519.SH"}}')  # same codes
        await recv_until(ws, lambda m: m.get("trace") == "b" and m.get("msg") == "ok")
        await ws.send('{"code":10000,"trace":"c","data":{"codes":"300750.SZ"}}')
        refusal = await recv_until(ws, lambda m: m.get("traceId") == "c")
        assert refusal == {
            "traceId": "c",
            "code": 505,
            "msg": "Products quantity exceeds the limit：2 codes per connection",
        }
        seen = {(await recv_until(ws, lambda m: m.get("code") == 10002))["data"]["s"]}
        while len(seen) < 2:
            seen.add((await recv_until(ws, lambda m: m.get("code") == 10002))["data"]["s"])
        assert seen == {"600519.SH", "000001.SZ"}
        conn = srv.connections()[0]
        assert conn.trades == {"600519.SH", "000001.SZ"} and not conn.gone.is_set()


async def test_unsubscribe_trades_and_one_kline_interval():
    async with running(speed=30) as srv, ws_client(srv, "crypto") as ws:
        await ws.send('{"code":10000,"trace":"a","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("code") == 10002)
        await ws.send('{"code":11000,"trace":"u","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("code") == 11010 and m.get("trace") == "u")
        conn = srv.connections()[0]
        assert conn.trades == set()
        await ws.send(
            json.dumps(
                {
                    "code": 10006,
                    "trace": "k",
                    "data": {
                        "arr": [{"type": 1, "codes": "BTCUSDT"}, {"type": 8, "codes": "BTCUSDT"}]
                    },
                }
            )
        )
        await recv_until(ws, lambda m: m.get("code") == 10007)
        await ws.send('{"code":11002,"trace":"u2","data":{"codes":"BTCUSDT","klineTypes":"1"}}')
        await recv_until(ws, lambda m: m.get("trace") == "u2")
        assert conn.klines == {"BTCUSDT": {8}}
        await ws.send('{"code":11002,"trace":"u3","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("trace") == "u3")
        assert conn.klines == {}


async def test_error_frames():
    async with running() as srv, ws_client(srv, "stock") as ws:
        await ws.send('{"code":10000,"trace":"408e"}')
        assert await ws.recv() == '{"traceId":"408e","code":507,"msg":"Param lost：data"}'
        await ws.send('{"code":12345,"trace":"5bd5"}')
        assert (
            await ws.recv()
            == '{"traceId":"5bd5","code":506,"msg":"Param error：The code is out of range"}'
        )
        await ws.send("hello, not json")
        err = await recv_json(ws)
        assert err["code"] == 515 and list(err) == ["traceId", "code", "msg"]
        await ws.send(b'{"code":10000,"trace":"bin","data":{"codes":"600519.SH"}}')
        assert (await recv_json(ws)) == {"code": 10001, "trace": "bin", "msg": "ok"}
        await ws.send(b"\xff\xfe not utf-8")
        assert (await recv_json(ws))["code"] == 515
        await ws.send('{"code":10010,"trace":"hb"}')  # heartbeats get no answer
        await ws.send('{"code":10006,"trace":"k","data":{}}')
        assert (await recv_json(ws))["code"] == 507


async def test_over_long_frame_closes_1009_and_server_survives():
    async with running() as srv:
        async with ws_client(srv, "stock") as ws:
            await ws.send("x" * (300 * 1024))
            with pytest.raises(ConnectionClosed) as exc:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            assert exc.value.rcvd is not None and exc.value.rcvd.code == 1009
        async with ws_client(srv, "stock") as ws2:  # others keep being served
            await ws2.send('{"code":10000,"trace":"ok","data":{"codes":"600519.SH"}}')
            assert (await recv_json(ws2))["code"] == 10001


async def test_idle_connection_is_closed_with_513_first():
    async with running(speed=600) as srv, ws_client(srv, "stock") as ws:
        err = await recv_until(ws, lambda m: m.get("code") == 513, timeout=10)
        assert list(err) == ["traceId", "code", "msg"]
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert srv.stats.closes["idle"] == 1


async def test_more_than_60_frames_a_minute_closes():
    async with running(speed=100) as srv, ws_client(srv, "stock") as ws:
        for _ in range(61):
            await ws.send('{"code":10010,"trace":"hb"}')
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert srv.stats.closes["frame_budget"] == 1


async def test_sixty_frames_a_minute_are_fine():
    async with running(speed=1) as srv, ws_client(srv, "stock") as ws:
        for _ in range(59):
            await ws.send('{"code":10010,"trace":"hb"}')
        await ws.send('{"code":10000,"trace":"x","data":{"codes":"600519.SH"}}')
        assert (await recv_json(ws)) == {"code": 10001, "trace": "x", "msg": "ok"}
        assert srv.stats.closes["frame_budget"] == 0


async def test_api_key_refused_at_handshake_with_401():
    async with running(api_key="secret") as srv:
        with pytest.raises(InvalidStatus) as exc:
            async with connect(f"{srv.ws_url}?business=stock&apikey=wrong"):
                pass
        r = exc.value.response
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'apikey realm="key"'
        assert r.headers["content-type"].startswith("text/plain")
        with pytest.raises(InvalidStatus):
            async with connect(f"{srv.ws_url}?business=stock"):
                pass
        async with ws_client(srv, "stock", key="secret") as ws:
            await ws.send('{"code":10000,"trace":"x","data":{"codes":"600519.SH"}}')
            assert (await recv_json(ws))["code"] == 10001
        assert srv.stats.refused == 2


async def test_a_bad_client_does_not_disturb_others():
    async with running(speed=30) as srv, ws_client(srv, "crypto") as good:
        await good.send('{"code":10000,"trace":"g","data":{"codes":"BTCUSDT"}}')
        await recv_until(good, lambda m: m.get("code") == 10001)
        async with ws_client(srv, "crypto") as bad:
            for junk in (
                "{",
                "[]",
                "null",
                '{"code":"x"}',
                '{"code":10000,"data":[]}',
                '{"code":10006,"data":{"arr":[{"type":99,"codes":"BTCUSDT"}]}}',
            ):
                await bad.send(junk)
        msg = await recv_until(good, lambda m: m.get("code") == 10002)
        assert msg["data"]["s"] == "BTCUSDT"


async def test_idle_limit_keeps_a_real_time_floor_when_compressed():
    """At speed 120 the service's 60 s idle limit would be half a real second: a loop stall shared
    with the client would look like a silent client. The limit stays 60 simulated s, but never
    less than IDLE_FLOOR_REAL_S of real time."""
    from infoway_widgets.sim.ws import IDLE_FLOOR_REAL_S

    # ws_client has read the welcome: the server holds the connection by then
    async with running(speed=120) as fast, ws_client(fast, "stock"):
        assert fast.connections()[0].session.idle_ms == round(IDLE_FLOOR_REAL_S * 1000 * 120)
    async with running(speed=1) as slow, ws_client(slow, "stock"):
        assert slow.connections()[0].session.idle_ms == 60_000
