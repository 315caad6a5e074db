"""REST conformance with raw httpx: shapes, limits and every error form of the protocol doc."""

from __future__ import annotations

import itertools
import re

import httpx
import pytest

from .conftest import running

NUM = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
async def rest():
    async with running() as srv, httpx.AsyncClient(base_url=srv.url) as client:
        yield srv, client


async def kline(client, **body):
    r = await client.post(f"/{body.pop('prefix', 'stock')}/v2/batch_kline", json=body)
    assert r.status_code == 200
    return r.json()


async def test_candles_shape_newest_first(rest):
    _, c = rest
    body = await kline(c, klineType=1, klineNum=30, codes="600519.SH")
    assert list(body) == ["ret", "msg", "traceId", "data"]
    assert body["ret"] == 200 and body["msg"] == "success"
    [item] = body["data"]
    assert list(item) == ["s", "respList"] and item["s"] == "600519.SH"
    bars = item["respList"]
    assert len(bars) == 30
    assert list(bars[0]) == ["t", "h", "o", "l", "c", "v", "vw", "pc", "pca"]
    ts = [int(b["t"]) for b in bars]
    assert ts == sorted(ts, reverse=True) and all(isinstance(b["t"], str) for b in bars)
    assert all(t % 60 == 0 and t < 10**11 for t in ts)
    for newer, older in itertools.pairwise(bars):
        # pca / pc against the previous candle's close
        pca = float(newer["c"]) - float(older["c"])
        assert abs(float(newer["pca"]) - pca) < 1e-6
        assert newer["pc"].endswith("%")
        assert abs(float(newer["pc"][:-1]) - pca / float(older["c"]) * 100) <= 0.0051
        for k in ("o", "h", "l", "c", "v", "vw"):
            assert NUM.match(newer[k])
        assert float(newer["l"]) <= min(float(newer["o"]), float(newer["c"]))
        assert float(newer["h"]) >= max(float(newer["o"]), float(newer["c"]))


async def test_get_form_and_multiple_codes_give_two_candles_each(rest):
    _, c = rest
    r = await c.get("/stock/batch_kline/1/10/600519.SH,000001.SZ")
    data = r.json()["data"]
    assert [d["s"] for d in data] == ["600519.SH", "000001.SZ"]
    assert all(len(d["respList"]) == 2 for d in data)


async def test_timestamp_pages_backwards(rest):
    _, c = rest
    first = (await kline(c, klineType=1, klineNum=50, codes="600519.SH"))["data"][0]["respList"]
    oldest = int(first[-1]["t"])
    page = (await kline(c, klineType=1, klineNum=50, codes="600519.SH", timestamp=oldest - 1))[
        "data"
    ][0]["respList"]
    assert len(page) == 50 and int(page[0]["t"]) < oldest
    assert not {b["t"] for b in page} & {b["t"] for b in first}


async def test_code_only_under_its_own_prefix(rest):
    _, c = rest
    assert (await kline(c, prefix="crypto", klineType=8, klineNum=2, codes="BTCUSDT"))["ret"] == 200
    wrong = await kline(c, prefix="stock", klineType=8, klineNum=2, codes="BTCUSDT")
    assert wrong == {
        "ret": 500,
        "msg": "All product not exists",
        "traceId": wrong["traceId"],
        "data": None,
    }
    fx = await c.get("/common/batch_trade/USDCNY,XAUUSD")
    assert [d["s"] for d in fx.json()["data"]] == ["USDCNY", "XAUUSD"]


async def test_business_errors(rest):
    _, c = rest
    assert (await kline(c, klineType=1, klineNum=501, codes="600519.SH"))["ret"] == 503
    big = await kline(c, klineType=1, klineNum=501, codes="600519.SH")
    assert big["msg"].startswith("Kline quantity exceeds the limit")
    codes = ",".join(f"{600000 + i}.SH" for i in range(101))
    assert (await kline(c, klineType=1, klineNum=1, codes=codes))["ret"] == 505
    assert (await kline(c, klineType=13, klineNum=1, codes="600519.SH"))["ret"] == 506
    assert (await kline(c, klineType="x", klineNum=1, codes="600519.SH"))["ret"] == 506
    lost = await kline(c, klineNum=1, codes="600519.SH")
    assert lost["ret"] == 507 and lost["msg"] == "Param lost：klineType" and lost["data"] is None
    r = await c.post(
        "/stock/v2/batch_kline", content=b"not json", headers={"content-type": "application/json"}
    )
    assert r.json()["ret"] == 515


async def test_unknown_path_is_rfc7807_404(rest):
    _, c = rest
    r = await c.get("/stock/nothing/here")
    assert r.status_code == 404
    assert list(r.json()) == ["type", "title", "status", "detail", "instance"]
    assert r.json()["instance"] == "/stock/nothing/here"


async def test_missing_type_is_rfc7807_400(rest):
    _, c = rest
    r = await c.get("/common/basic/symbols")
    assert r.status_code == 400
    assert r.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "Required parameter 'type' is not present.",
        "instance": "/common/basic/symbols",
    }


async def test_symbols_are_bilingual_and_marked_simulated(rest):
    _, c = rest
    cn = (await c.get("/common/basic/symbols", params={"type": "STOCK_CN"})).json()["data"]
    by = {d["symbol"]: d for d in cn}
    assert (
        by["600519.SH"]["name_cn"] == "贵州茅台" and by["600519.SH"]["name_en"] == "Kweichow Moutai"
    )
    assert by["600200.SH"]["name_cn"].startswith("*ST")
    assert all(d["simulated"] is True for d in cn)
    for typ, code in (
        ("STOCK_HK", "00700.HK"),
        ("STOCK_US", "AAPL.US"),
        ("CRYPTO", "BTCUSDT"),
        ("FOREX", "USDCNY"),
    ):
        got = (await c.get("/common/basic/symbols", params={"type": typ})).json()["data"]
        assert code in {d["symbol"] for d in got}


async def test_trading_days(rest):
    _, c = rest
    r = await c.get(
        "/common/basic/markets/trading_days",
        params={"market": "CN", "beginDay": "20261001", "endDay": "20261010"},
    )
    days = r.json()["data"]["trade_days"]
    assert "20261009" in days and "20261001" not in days  # National Day holiday
    r = await c.get("/common/basic/markets/trading_days", params={"market": "CN"})
    assert r.status_code == 400


async def test_trade_and_depth_shapes(rest):
    _, c = rest
    t = (await c.get("/stock/batch_trade/600519.SH")).json()["data"][0]
    assert list(t) == ["s", "t", "p", "v", "vw", "td"] and isinstance(t["t"], int)
    d = (await c.get("/stock/batch_depth/600519.SH,AAPL.US")).json()["data"]
    assert list(d[0]) == ["s", "t", "a", "b"] and len(d[0]["a"][0]) == 5
    assert len(d[1]["a"][0]) == 1  # a US stock sends a single level
    assert re.match(r"^\d+\.\d{3}$", d[1]["a"][0][0])


async def test_api_key_and_rate_limit():
    async with running(api_key="secret") as srv, httpx.AsyncClient(base_url=srv.url) as c:
        r = await c.get("/stock/batch_trade/600519.SH", headers={"apiKey": "wrong"})
        assert r.status_code == 401
        body = r.json()
        assert list(body) == ["code", "message", "timestamp"] and body["message"] == "Token invalid"
        ok = await c.get("/stock/batch_trade/600519.SH", headers={"apikey": "secret"})
        assert ok.json()["ret"] == 200
        srv.faults.rate_limit = True
        r = await c.get("/stock/batch_trade/600519.SH", headers={"apiKey": "secret"})
        assert r.status_code == 429 and r.json() == {"detail": "Rate limit exceeded"}
        srv.faults.rate_limit = 2
        codes = [
            (await c.get("/stock/batch_trade/600519.SH", headers={"apiKey": "secret"})).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert srv.stats.faults["rate_limit"] == 2
        srv.faults.rate_limit, srv.faults.rate_limit_status = True, 200
        r = await c.get("/stock/batch_trade/600519.SH", headers={"apiKey": "secret"})
        assert r.status_code == 200 and r.json() == {"detail": "Rate limit exceeded"}


async def test_index_page_says_simulated(rest):
    _, c = rest
    r = await c.get("/")
    assert "SIMULATED" in r.text


async def test_an_unknown_code_answers_as_production_on_every_endpoint(rest):
    """An unknown code of a valid form: ``ret`` 500 "All product not exists", ``data`` null, on
    candles, trades and depth alike; next to a known code, only the known one comes back."""
    _, c = rest
    answers = [
        await kline(c, klineType=1, klineNum=5, codes="999999.SH"),
        (await c.get("/stock/batch_trade/999999.SH")).json(),
        (await c.get("/stock/batch_depth/688999.SH")).json(),
    ]
    for body in answers:
        assert body == {
            "ret": 500,
            "msg": "All product not exists",
            "traceId": body["traceId"],
            "data": None,
        }
        assert list(body) == ["ret", "msg", "traceId", "data"]
    mixed = (await c.get("/stock/batch_trade/999999.SH,600519.SH")).json()
    assert mixed["ret"] == 200 and [d["s"] for d in mixed["data"]] == ["600519.SH"]
