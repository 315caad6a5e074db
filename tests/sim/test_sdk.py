"""The official ``infoway-sdk`` works against the local server unmodified, via its base_url."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from infoway import InfowayClient
from infoway.exceptions import InfowayAPIError, InfowayAuthError
from infoway.ws.client import InfowayWebSocket

from .conftest import running


async def test_sdk_rest_candles_trades_depth_symbols():
    async with running() as srv:
        client = InfowayClient(api_key="any", base_url=srv.url, max_retries=1)
        try:
            kl = await asyncio.to_thread(client.stock.get_kline, "600519.SH", 1, 20)
            assert kl[0]["s"] == "600519.SH" and len(kl[0]["respList"]) == 20
            trades = await asyncio.to_thread(client.stock.get_trade, "600519.SH,00700.HK")
            assert {t["s"] for t in trades} == {"600519.SH", "00700.HK"}
            depth = await asyncio.to_thread(client.crypto.get_depth, "BTCUSDT")
            assert len(depth[0]["a"][0]) == 5
            daily = await asyncio.to_thread(client.crypto.get_kline, "BTCUSDT", 8, 100)
            assert len(daily[0]["respList"]) == 100
            syms = await asyncio.to_thread(client.basic.get_symbols, "STOCK_CN")
            assert any(s["symbol"] == "600519.SH" for s in syms)
            days = await asyncio.to_thread(
                client.basic.get_trading_days, "CN", "20261101", "20261130"
            )
            assert "20261124" in days["trade_days"]
            with pytest.raises(InfowayAPIError) as exc:
                await asyncio.to_thread(client.stock.get_trade, "NOPE.US")
            assert exc.value.ret == 508  # the SDK maps "All product not exists" to 508
        finally:
            client.close()
        parsed = InfowayClient(api_key="any", base_url=srv.url, parse=True, max_retries=1)
        try:
            candles = await asyncio.to_thread(parsed.stock.get_kline, "000001.SZ", 8, 5)
            assert isinstance(candles[0]["c"], Decimal)
        finally:
            parsed.close()


async def test_sdk_rest_wrong_key_is_an_auth_error():
    async with running(api_key="secret") as srv:
        client = InfowayClient(api_key="wrong", base_url=srv.url, max_retries=1)
        try:
            with pytest.raises(InfowayAuthError):
                await asyncio.to_thread(client.stock.get_trade, "600519.SH")
        finally:
            client.close()


async def test_sdk_websocket_receives_pushes():
    async with running(speed=30) as srv:
        ws = InfowayWebSocket(api_key="any", business="crypto", base_url=srv.ws_url)
        got: dict[str, asyncio.Event] = {k: asyncio.Event() for k in ("trade", "depth", "kline")}
        seen: dict[str, dict] = {}

        def on(kind):
            async def cb(data):
                seen[kind] = data
                got[kind].set()

            return cb

        ws.on_trade, ws.on_depth, ws.on_kline = on("trade"), on("depth"), on("kline")
        await ws.subscribe_trade("BTCUSDT")
        await ws.subscribe_depth("BTCUSDT")
        await ws.subscribe_kline("BTCUSDT", 1)
        task = asyncio.ensure_future(ws.connect())
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in got.values())), 10)
        finally:
            await ws.close()
            await asyncio.wait_for(task, 5)
        assert seen["trade"]["s"] == "BTCUSDT" and seen["kline"]["ty"] == 1


async def test_sdk_websocket_bad_key_stops_with_auth_error():
    async with running(api_key="secret") as srv:
        ws = InfowayWebSocket(api_key="wrong", business="stock", base_url=srv.ws_url)
        with pytest.raises(InfowayAuthError):
            await asyncio.wait_for(ws.connect(), 5)
