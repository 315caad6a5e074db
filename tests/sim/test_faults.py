"""Every fault mode is observable by a client and counted in ``server.stats``."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from infoway_widgets.sim import Faults

from .conftest import heartbeat, recv_until, running, wait_until, ws_client

wait_stat = wait_until


def test_spec_parsing():
    f = Faults.parse(
        "drop=60,halfopen=120,garbage=0.01,prose=0.02,errors=500|516@30,delay=200,"
        "refuse=10,ratelimit=5"
    )
    assert (f.drop_every, f.halfopen_every, f.garbage_prob, f.prose_prob) == (60, 120, 0.01, 0.02)
    assert (f.error_codes, f.error_every, f.delay_ms, f.refuse_for, f.rate_limit) == (
        (500, 516),
        30,
        200,
        10,
        5,
    )
    assert Faults.parse("ratelimit=1").rate_limit is True
    assert not Faults.parse("").active
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("explode=1")
    with pytest.raises(ValueError, match="needs a value"):
        Faults.parse("drop")


async def test_drop_then_refuse_reconnects_with_503():
    async with running(speed=300, faults="drop=30,refuse=120") as srv:
        async with ws_client(srv, "stock") as ws:
            with pytest.raises(ConnectionClosed) as exc:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            assert exc.value.rcvd is None  # an abrupt drop: no close frame
        assert srv.stats.closes["fault_drop"] == 1 and srv.stats.faults["drop"] >= 1
        with pytest.raises(InvalidStatus) as refused:
            async with ws_client(srv, "stock"):
                pass
        assert refused.value.response.status_code == 503
        assert srv.stats.faults["refuse"] >= 1


async def test_halfopen_goes_silent_without_closing():
    async with (
        running(speed=30, faults=Faults(halfopen_every=5)) as srv,
        ws_client(srv, "crypto") as ws,
    ):
        await ws.send('{"code":10000,"trace":"t","data":{"codes":"BTCUSDT"}}')
        await wait_stat(lambda: srv.stats.faults["halfopen"] >= 1)
        # drain what was already on the wire, then nothing more arrives
        with pytest.raises(asyncio.TimeoutError):
            while True:
                await asyncio.wait_for(ws.recv(), 0.4)
        assert ws.state.name == "OPEN"
        assert srv.stats.active == 1


async def test_garbage_and_prose_frames():
    async with (
        running(speed=30, faults=Faults(garbage_prob=1.0, prose_prob=1.0)) as srv,
        ws_client(srv, "crypto") as ws,
    ):
        await ws.send('{"code":10000,"trace":"t","data":{"codes":"BTCUSDT"}}')
        raw = [await asyncio.wait_for(ws.recv(), 5) for _ in range(8)]
        bad = [r for r in raw if not _is_json(r)]
        assert any(r.startswith("Subscribe fail:") for r in bad)
        assert any(r.startswith("{") for r in bad)  # a cut-off JSON frame
        assert srv.stats.faults["garbage"] >= 1 and srv.stats.faults["prose"] >= 1


def _is_json(raw: str) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


async def test_error_frames_516_keeps_socket_500_closes_it():
    async with running(speed=300, faults="errors=516|500@10") as srv, ws_client(srv, "stock") as ws:
        hb = asyncio.ensure_future(heartbeat(ws, 0.02))
        try:
            e516 = await recv_until(ws, lambda m: m.get("code") == 516)
            assert list(e516) == ["traceId", "code", "msg"]
            e500 = await recv_until(ws, lambda m: m.get("code") == 500)
            assert e500["msg"]
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
        finally:
            hb.cancel()
        assert srv.stats.faults["error"] >= 2 and srv.stats.closes["fault_error"] == 1


async def test_delay_is_counted_and_faults_change_at_runtime():
    async with running(speed=30) as srv, ws_client(srv, "crypto") as ws:
        srv.faults.delay_ms = 5
        await ws.send('{"code":10000,"trace":"t","data":{"codes":"BTCUSDT"}}')
        await recv_until(ws, lambda m: m.get("code") == 10002)
        assert srv.stats.faults["delay"] >= 2


async def test_refuse_from_start_without_drop():
    async with running(speed=10, faults="refuse=10") as srv:
        with pytest.raises(InvalidStatus):
            async with ws_client(srv, "stock"):
                pass
        await wait_stat(lambda: not srv.refusing())
        async with ws_client(srv, "stock") as ws:
            await ws.send('{"code":10000,"trace":"t","data":{"codes":"600519.SH"}}')
            assert json.loads(await ws.recv())["code"] == 10001


async def test_faults_are_deterministic_in_simulated_time():
    """Drops happen at multiples of the period since start, whatever the real timing."""
    async with running(speed=600, faults="drop=60") as srv:
        await wait_stat(lambda: srv.stats.faults["drop"] >= 2)
        assert srv.clock.elapsed_ms() >= 120_000
