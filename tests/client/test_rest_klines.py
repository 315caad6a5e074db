"""Candle requests: splitting by the service's limits, backward paging, grouping by prefix.

A mock transport plays a service that enforces the documented limits, so a call that breaks a
limit fails the test the way production would refuse it.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import orjson
import pytest

from infoway_widgets.client.rest import RestClient
from infoway_widgets.errors import BadParameterError, UnknownSymbolError

NOW_S = 1_786_737_540  # newest bar open, seconds
FIRST_S = NOW_S - 60 * 1799  # the service holds 1800 one-minute bars per code


def _bar(t: int) -> dict[str, str]:
    p = 100 + (t // 60) % 17
    return {
        "t": str(t),
        "o": f"{p:.2f}",
        "h": f"{p + 1:.2f}",
        "l": f"{p - 1:.2f}",
        "c": f"{p:.2f}",
        "v": "100",
        "vw": f"{p * 100:.2f}",
        "pc": "0.01%",
        "pca": "0.01",
    }


class KlineService:
    def __init__(self, known: set[str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.known = known

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        prefix = request.url.path.split("/")[1]
        self.calls.append((prefix, body))
        codes = body["codes"].split(",")
        num = body["klineNum"]

        def err(msg: str) -> httpx.Response:
            return httpx.Response(
                200, content=orjson.dumps({"ret": 500, "msg": msg, "traceId": "x", "data": None})
            )

        if len(codes) > 100:
            return err("Products quantity exceeds the limit")
        if num > 500 or (len(codes) > 1 and num > 2):
            return err("Kline quantity exceeds the limit")
        codes = [c for c in codes if self.known is None or c in self.known]
        if not codes:
            return err("All product not exists")
        end = min(NOW_S, body.get("timestamp", NOW_S))
        end -= (end - FIRST_S) % 60
        data = []
        for c in codes:
            ts = [t for t in range(end, FIRST_S - 1, -60)][:num]  # newest first
            data.append({"s": c, "respList": [_bar(t) for t in ts]})
        return httpx.Response(
            200, content=orjson.dumps({"ret": 200, "msg": "success", "traceId": "t", "data": data})
        )


def rest(svc: KlineService) -> RestClient:
    return RestClient(
        "https://data.example", "k-123456", transport=httpx.MockTransport(svc), backoff=0.001
    )


async def test_one_code_one_call_oldest_first() -> None:
    svc = KlineService()
    async with rest(svc) as r:
        out = await r.klines("AAPL.US", "1m", 300)
    bars = out["AAPL.US"]
    assert len(bars) == 300 and len(svc.calls) == 1
    assert [b.t for b in bars] == sorted(b.t for b in bars)
    assert bars[-1].t == NOW_S * 1000
    assert bars[0].interval is not None and bars[0].interval.kline_type == 1
    assert svc.calls[0] == ("stock", {"klineType": 1, "klineNum": 300, "codes": "AAPL.US"})


async def test_many_codes_two_bars_batched_by_prefix_and_100() -> None:
    svc = KlineService()
    stocks = [f"{600000 + i:06d}.SH" for i in range(150)]
    codes = [*stocks, "BTCUSDT", "ETHUSDT", "XAUUSD"]
    async with rest(svc) as r:
        out = await r.klines(codes, "1d", 2)
    assert list(out) == codes and all(len(v) == 2 for v in out.values())
    prefixes = sorted((p, len(b["codes"].split(","))) for p, b in svc.calls)
    assert prefixes == [("common", 1), ("crypto", 2), ("stock", 50), ("stock", 100)]
    assert all(b["klineType"] == 8 for _, b in svc.calls)


async def test_many_codes_many_bars_one_call_each() -> None:
    svc = KlineService()
    async with rest(svc) as r:
        out = await r.klines("AAPL.US,00700.HK,BTCUSDT", "5m", 50, end_ms=(NOW_S - 3600) * 1000)
    assert len(svc.calls) == 3
    assert all(b["klineNum"] == 50 and b["timestamp"] == NOW_S - 3600 for _, b in svc.calls)
    assert all(len(v) == 50 and v[-1].t <= (NOW_S - 3600) * 1000 for v in out.values())


async def test_history_pages_backwards_beyond_500() -> None:
    svc = KlineService()
    seen: list[tuple[int, int | None]] = []
    async with rest(svc) as r:
        bars = await r.history(
            "600519.SH", "1m", count=1234, progress=lambda d, t: seen.append((d, t))
        )
    assert len(bars) == 1234
    ts = [b.t for b in bars]
    assert ts == sorted(set(ts)) and ts[-1] == NOW_S * 1000
    assert all(b - a == 60_000 for a, b in itertools.pairwise(ts))
    assert [c[1]["klineNum"] for c in svc.calls] == [500, 500, 234]
    # each page ends one second before the oldest bar held so far
    assert svc.calls[1][1]["timestamp"] == ts[-500] // 1000 - 1
    assert seen[-1] == (1234, 1234)


async def test_history_stops_when_exhausted_and_by_start() -> None:
    svc = KlineService()
    async with rest(svc) as r:
        everything = await r.history("BTCUSDT", "1m", count=5000)
        assert len(everything) == 1800 and everything[0].t == FIRST_S * 1000
        n_calls = len(svc.calls)
        assert n_calls == 5  # 500, 500, 500, 300, then one page that adds nothing
        start = (NOW_S - 60 * 700) * 1000
        since = await r.history("BTCUSDT", "1m", start_ms=start)
        assert since[0].t == start and since[-1].t == NOW_S * 1000 and len(since) == 701
        window = await r.history("BTCUSDT", "1m", start_ms=start, end_ms=start + 600_000)
        assert [b.t for b in window] == [start + 60_000 * i for i in range(11)]


async def test_klines_over_500_uses_history() -> None:
    svc = KlineService()
    async with rest(svc) as r:
        out = await r.klines(["AAPL.US", "BTCUSDT"], "1m", 700)
    assert all(len(v) == 700 for v in out.values())
    assert all(b["klineNum"] <= 500 and len(b["codes"].split(",")) == 1 for _, b in svc.calls)


async def test_unknown_symbol_and_bad_arguments() -> None:
    svc = KlineService(known={"AAPL.US"})
    async with rest(svc) as r:
        with pytest.raises(UnknownSymbolError, match="suffix"):
            await r.klines("ZZZZ.US", "1m", 10)
        with pytest.raises(BadParameterError):
            await r.klines("AAPL.US", "1m", 0)
        with pytest.raises(BadParameterError):
            await r.history("AAPL.US,BTCUSDT", "1m", 10)
        with pytest.raises(BadParameterError):
            await r.klines("600519", "1m", 10)  # no exchange suffix: refused before sending
        with pytest.raises(BadParameterError):
            await r.trading_days("CN", "2026-13", "20260101")
    assert len(svc.calls) == 1
