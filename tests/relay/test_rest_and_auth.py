"""REST through the relay (cache, coalescing, pass-through), the relay token, and the upstream key
never leaving the relay."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
import websockets

import infoway_widgets as iw
from infoway_widgets.errors import BadParameterError
from infoway_widgets.relay import RelayServer

from .conftest import SPEED, UPSTREAM_KEY, RawClient, relay_config, until

TOKEN = "classroom-token-42"


async def test_thirty_identical_history_requests_make_one_upstream_request(upstream, relays):
    relay = await relays(relay_config(upstream))
    body = {"klineType": 1, "klineNum": 500, "codes": "600519.SH"}
    before = upstream.stats.rest_requests
    async with httpx.AsyncClient(base_url=relay.url) as http:
        rs = await asyncio.gather(
            *(http.post("/stock/v2/batch_kline", json=body) for _ in range(30))
        )
    assert upstream.stats.rest_requests - before == 1
    assert {r.status_code for r in rs} == {200}
    assert len({r.content for r in rs}) == 1  # every student got the same bytes
    assert sorted(r.headers["x-infoway-relay"] for r in rs).count("miss") == 1
    assert len(json.loads(rs[0].content)["data"][0]["respList"]) == 500
    assert relay.rest.stats["coalesced"] + relay.rest.stats["cache_hits"] == 29


async def test_completed_history_is_cached_longer_than_the_newest_bars(upstream, relays):
    relay = await relays(relay_config(upstream))
    async with httpx.AsyncClient(base_url=relay.url) as http:
        latest = (
            await http.post(
                "/stock/v2/batch_kline", json={"klineType": 1, "klineNum": 10, "codes": "000001.SZ"}
            )
        ).json()
        newest_s = int(latest["data"][0]["respList"][0]["t"])
        page = {"klineType": 1, "klineNum": 100, "codes": "000001.SZ", "timestamp": newest_s - 600}
        n0 = upstream.stats.rest_requests
        a = await http.post("/stock/v2/batch_kline", json=page)
        await asyncio.sleep(0.1)  # far beyond the newest bars' TTL (0.5 s / 60)
        # same request, other key order: the same cache entry
        b = await http.post(
            "/stock/v2/batch_kline",
            content=json.dumps(dict(reversed(page.items()))),
            headers={"content-type": "application/json"},
        )
        assert a.content == b.content and b.headers["x-infoway-relay"] == "hit"
        assert upstream.stats.rest_requests - n0 == 1
        # the newest bars are not served stale
        n1 = upstream.stats.rest_requests
        await http.post(
            "/stock/v2/batch_kline", json={"klineType": 1, "klineNum": 10, "codes": "000001.SZ"}
        )
        assert upstream.stats.rest_requests - n1 == 1
        # errors pass through unchanged and are not cached
        for _ in range(2):
            e = await http.get("/stock/batch_trade/NOPE.SH")
            assert e.json()["ret"] != 200
        bad = await http.get("/common/basic/symbols")  # missing parameter: RFC 7807 from upstream
        assert bad.status_code == 400 and bad.json()["title"] == "Bad Request"


async def test_feed_history_through_the_relay(upstream, relays):
    relay = await relays(relay_config(upstream))
    feed = iw.connect(base_url=relay.url, speed=SPEED, new=True)
    try:
        df = await feed.history("600519.SH", "1m", count=120)
        assert len(df) == 120
    finally:
        await feed.aclose()


async def test_a_relay_beyond_loopback_requires_a_token(upstream):
    with pytest.raises(BadParameterError, match="relay token"):
        RelayServer(relay_config(upstream, host="127.0.0.2"))
    with pytest.raises(BadParameterError, match="differ"):
        RelayServer(relay_config(upstream, relay_token=UPSTREAM_KEY))
    # and by flag, on loopback
    with pytest.raises(BadParameterError):
        RelayServer(relay_config(upstream, require_token=True))


async def test_token_checked_and_the_upstream_key_never_leaks(upstream, relays, caplog):
    caplog.set_level(logging.DEBUG)
    lines: list[str] = []
    relay = RelayServer(
        relay_config(upstream, host="127.0.0.2", relay_token=TOKEN, status_every_s=0.05),
        print_fn=lines.append,
    )
    await relay.start()
    seen: list[str] = []  # everything a client receives
    try:
        assert relay.url.startswith("http://127.0.0.2:")
        for q in (
            "?business=stock",
            "?business=stock&apikey=wrong",
            f"?business=stock&apikey={UPSTREAM_KEY}",
        ):
            with pytest.raises(websockets.InvalidStatus) as ei:
                await websockets.connect(relay.ws_url + q)
            assert ei.value.response.status_code == 401
            seen.append(ei.value.response.body.decode())
        async with httpx.AsyncClient(base_url=relay.url) as http:
            r = await http.get("/stock/batch_trade/600519.SH")
            assert r.status_code == 401 and r.json()["message"] == "Token invalid"
            seen.append(r.text)
            r = await http.get("/stock/batch_trade/600519.SH", headers={"apiKey": TOKEN})
            assert r.status_code == 200 and r.json()["ret"] == 200
            seen.append(r.text + json.dumps(dict(r.headers)))
            st = await http.get("/relay/status", headers={"apiKey": TOKEN})
            seen.append(st.text)
            assert st.json()["relay"] is True
            assert (await http.get("/relay/status")).status_code == 401
        c = await RawClient(relay.ws_url, token=TOKEN).open()
        await c.send(10000, {"codes": "600519.SH"})
        await c.send(10001, {"codes": "x"})  # an error frame, for completeness
        await until(lambda: len(c.by_key) >= 1 and len(c.controls) >= 4, 10, "frames")
        # the Feed sends the token as its api key
        feed = iw.connect(api_key=TOKEN, base_url=relay.url, speed=SPEED, new=True, history=10)
        try:
            feed.watch("000001.SZ", intervals=["1m"])
            await until(lambda: feed.tape_store("000001.SZ").total > 0, 10, "feed trades")
            assert feed.status == "relay"  # the welcome says "(relay)"
        finally:
            await feed.aclose()
        await until(lambda: len(lines) >= 2, 5, "status lines")
        seen += c.frames
        await c.close()
    finally:
        await relay.stop()
    seen += [*lines, repr(relay.cfg), relay.status_line(), json.dumps(relay.status())]
    seen += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert seen and not [s for s in seen if UPSTREAM_KEY in s]
    assert "relay" in lines[0] and "clients=" in lines[0]
