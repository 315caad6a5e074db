"""One relay, thirty raw clients and a Feed: one upstream connection, merged subscriptions,
every push delivered unchanged and in order, reference-counted unsubscription."""

from __future__ import annotations

import asyncio

import infoway_widgets as iw
from tests.feed.conftest import compare_with_truth

from .conftest import SPEED, RawClient, relay_config, until
from .helpers import SYMS, Tap, check_every_push, subscribe_raw


async def test_thirty_clients_and_a_feed_share_one_upstream_connection(upstream, relays):
    relay = await relays(relay_config(upstream))
    tap = Tap()
    relay.fanout.taps.append(tap)
    clients = [await RawClient(relay.ws_url).open() for _ in range(30)]
    feed = iw.connect(base_url=relay.url, speed=SPEED, new=True, history=30)
    try:
        keys = await asyncio.gather(*(subscribe_raw(c, i) for i, c in enumerate(clients)))
        fsyms = SYMS[:2]
        for s in fsyms:
            feed.watch(s, depth=True, intervals=["1m"])
        # the upstream sees the union, as one connection
        want_trades = {k[1] for ks in keys for k in ks if k[0] == 10002}
        want_depth = {k[1] for ks in keys for k in ks if k[0] == 10005} | set(fsyms)
        want_k = {k[1] for ks in keys for k in ks if k[0] == 10008}

        def synced() -> bool:
            conns = upstream.connections()
            return (
                len(conns) == 1
                and conns[0].trades == want_trades
                and conns[0].depth == want_depth
                and set(conns[0].klines) == want_k
            )

        await until(synced, 10, "the upstream subscribed to the union")
        since = tap.mark()
        start = upstream.market.now_ms(SYMS[0])
        # four simulated minutes of traffic
        await until(
            lambda: upstream.market.now_ms(SYMS[0]) >= start + 4 * 60_000, 20, "4 simulated minutes"
        )
        checked = await check_every_push(list(zip(clients, keys)), tap, since)
        assert checked > 1000
        assert upstream.stats.connections == 1
        sess = relay.coord.pool.sessions["stock"]
        # 30 clients sent ~60 subscription frames; the upstream got a handful of merged ones
        assert relay.fanout.stats["client_frames"] >= 45
        assert sess.stats["sub_frames"] <= 6, sess.stats
        assert sess.stats["max_frames_in_window"] <= 60
        # the Feed through the relay builds the same bars as the service
        cut = {s: upstream.market.now_ms(s) for s in fsyms}
        await feed.settle()
        for s in fsyms:
            r = compare_with_truth(feed, upstream, s, "1m", complete_by=cut[s])
            assert r["compared"] >= 3 and r["lost"] == [] and r["wrong"] == [], (s, r)
        assert feed.book_store(fsyms[0]).snapshot is not None
        assert feed.status == "relay"
    finally:
        await feed.aclose()
        for c in clients:
            await c.close()
    # reference counting: the last client leaving unsubscribes upstream
    await until(lambda: not relay.fanout.conns, 5, "clients gone")
    conn = upstream.connections()[0]
    await until(
        lambda: not conn.trades and not conn.depth and not conn.klines,
        5,
        "the upstream unsubscribed",
    )
    assert upstream.stats.connections == 1


async def test_reference_counting_and_grace(upstream, relays):
    relay = await relays(relay_config(upstream, unsubscribe_grace_s=30.0))
    a = await RawClient(relay.ws_url).open()
    b = await RawClient(relay.ws_url).open()
    try:
        await a.send(10000, {"codes": "600519.SH,000001.SZ"})
        await b.send(10000, {"codes": "600519.SH"})
        await until(
            lambda: (
                upstream.connections()
                and upstream.connections()[0].trades == {"600519.SH", "000001.SZ"}
            ),
            10,
            "upstream subscribed",
        )
        conn = upstream.connections()[0]
        await a.send(11000, {"codes": "600519.SH,000001.SZ"})
        await a.wait_control(lambda c: '"code":11010' in c)
        # 600519 is still wanted by b; 000001 lingers for its grace (30 s simulated = 0.5 s)
        assert relay.fanout.routes[("stock", "trades", 0, "600519.SH")] == {
            c for c in relay.fanout.conns if c.subs
        }
        assert ("stock", "trades", 0, "000001.SZ") in relay.fanout.lingering
        await until(lambda: conn.trades == {"600519.SH"}, 5, "000001 dropped after the grace")
        await b.send(11000, {"codes": "600519.SH"})
        await until(lambda: conn.trades == set(), 5, "the last unsubscribe reaches upstream")
    finally:
        await a.close()
        await b.close()
