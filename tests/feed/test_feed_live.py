"""The Feed end to end: real WebSocket + REST over 127.0.0.1 against the simulated server."""

import asyncio

import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve

from .conftest import compare_with_truth, wait_for

SPEED = 60.0  # one simulated minute per real second


async def _run_until_bars(feed, server, symbols, interval, n_new, timeout):
    """Until ``n_new`` more bars of simulated time have passed (woken by the feed's changes)."""
    ev = asyncio.Event()
    off = feed.on_change(lambda changed: ev.set())
    span = iw.parse_interval(interval).ms
    start = server.market.now_ms(symbols[0])
    try:
        await wait_for(
            lambda: server.market.now_ms(symbols[0]) >= start + n_new * span,
            timeout,
            f"{n_new} {interval} of simulated time",
            ev,
        )
    finally:
        off()


async def test_feed_bars_equal_ground_truth():
    async with serve(port=0, seed=11, speed=SPEED) as server:
        feed = iw.connect(base_url=server.url, speed=SPEED, new=True, history=50)
        try:
            syms = ["600519.SH", "000001.SZ", "300750.SZ"]
            watches = [feed.watch(s, depth=True, intervals=["1m", "5m"]) for s in syms]
            await _run_until_bars(feed, server, syms, "1m", 6, timeout=30)
            cut = {s: server.market.now_ms(s) for s in syms}
            await feed.settle()
            for s in syms:
                for iv in ("1m", "5m"):
                    r = compare_with_truth(feed, server, s, iv, complete_by=cut[s])
                    assert r["compared"] >= (5 if iv == "1m" else 1)
                    assert r["lost"] == [] and r["wrong"] == [], (s, iv, r)
                assert feed.book_store(s).snapshot is not None
                assert feed.tape_store(s).total > 0
            for w in watches:
                w.close()
            assert feed.watched() == {}
        finally:
            await feed.aclose()


@pytest.mark.parametrize("faults", ["drop=45", "halfopen=50"])
async def test_no_bar_lost_or_doubled_across_faults(faults):
    async with serve(port=0, seed=5, speed=SPEED, faults=faults) as server:
        feed = iw.connect(base_url=server.url, speed=SPEED, new=True, history=30)
        try:
            syms = ["600519.SH", "688981.SH"]
            for s in syms:
                feed.watch(s, intervals=["1m"])
            await _run_until_bars(feed, server, syms, "1m", 4, timeout=40)
            await wait_for(lambda: feed.stats["reconnects"] >= 1, 40, "a reconnect")
            await _run_until_bars(feed, server, syms, "1m", 3, timeout=40)
            cut = {s: server.market.now_ms(s) for s in syms}
            await feed.settle()
            for s in syms:
                r = compare_with_truth(feed, server, s, "1m", complete_by=cut[s])
                assert r["lost"] == [] and r["wrong"] == [], (s, r)
            assert feed.stats["backfilled_bars"] > 0
        finally:
            await feed.aclose()


async def test_the_days_order_flow_says_it_is_incomplete_after_a_reconnect():
    """Bars missed while away are backfilled exactly; the trades (and their direction) are not:
    外盘 / 内盘 say since when they miss some."""
    async with serve(port=0, seed=5, speed=SPEED, faults="drop=40") as server:
        feed = iw.connect(base_url=server.url, speed=SPEED, new=True, history=0)
        try:
            w = feed.watch("600519.SH", trades=True)
            tape = feed.tape_store("600519.SH")
            await wait_for(lambda: tape.total > 0, 20, "trades")
            assert feed.ashare("600519.SH")["flow_incomplete_since"] is None
            first = tape.last()[0]
            await wait_for(lambda: feed.stats["reconnects"] >= 1, 40, "a reconnect")
            since = feed.ashare("600519.SH")["flow_incomplete_since"]
            assert since is not None and first <= since <= feed.market_ms
            n = tape.total
            await wait_for(lambda: tape.total > n, 20, "trades after the reconnect")
            # it stays marked while the day lasts: the missing trades never come back
            assert feed.ashare("600519.SH")["flow_incomplete_since"] <= since
            w.close()
        finally:
            await feed.aclose()
