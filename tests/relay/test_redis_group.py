"""Relays sharing one upstream through Redis: one leader holds the upstream connection, followers
serve their clients from Redis; a dead leader is replaced and clients backfill what they missed."""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio as aioredis

import infoway_widgets as iw
from tests.feed.conftest import compare_with_truth

from .conftest import SPEED, UPSTREAM_KEY, RawClient, relay_config, until
from .helpers import SYMS, Tap, check_every_push, subscribe_raw


def group_config(upstream, redis_url, **kw):
    kw.setdefault("lock_ttl_ms", 1500)
    return relay_config(upstream, redis_url=redis_url, redis_prefix="test-relay", **kw)


async def _redis_recorder(url: str, sink: list[bytes]):
    """Every message published on the test's Redis, to prove what travels there."""
    r = aioredis.Redis.from_url(url)
    ps = r.pubsub()
    await ps.psubscribe("*")

    async def run() -> None:
        while True:
            try:
                m = await ps.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except aioredis.ConnectionError:
                return  # the test failed and its redis-server is gone
            if m is not None:
                sink.append(m["data"] if isinstance(m["data"], bytes) else str(m["data"]).encode())

    task = asyncio.ensure_future(run())

    async def stop() -> list[bytes]:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        values = []
        async for k in r.scan_iter("*"):
            t = (await r.type(k)).decode()
            if t == "string":
                values.append(k + b"=" + (await r.get(k) or b""))
            elif t == "set":
                values.append(k + b"=" + b",".join(await r.smembers(k)))
        await ps.aclose()
        await r.aclose()
        return values

    return stop


async def test_two_relays_share_one_upstream_through_redis(upstream, redis_url, relays):
    published: list[bytes] = []
    stop_rec = await _redis_recorder(redis_url, published)
    # a generous lock: this test is about sharing, not about a leader stalled by the busy test loop
    a = await relays(group_config(upstream, redis_url, lock_ttl_ms=3000))
    await until(lambda: a.coord.role == "leader", 5, "relay A leads")
    b = await relays(group_config(upstream, redis_url, lock_ttl_ms=3000))
    tap = Tap()
    a.fanout.taps.append(tap)
    clients = [await RawClient((a if i % 2 else b).ws_url).open() for i in range(30)]
    feed = iw.connect(base_url=b.url, speed=SPEED, new=True, history=30)  # on the follower
    try:
        keys = await asyncio.gather(*(subscribe_raw(c, i) for i, c in enumerate(clients)))
        fsym = "688981.SH"  # only the follower's Feed wants it: it must reach the leader via Redis
        feed.watch(fsym, intervals=["1m"])
        want = {k[1] for ks in keys for k in ks if k[0] == 10002} | {fsym}

        def synced() -> bool:
            conns = upstream.connections()
            return len(conns) == 1 and conns[0].trades == want

        await until(synced, 10, "the leader subscribed the union of both relays")
        assert b.coord.role == "follower" and not b.coord.pool
        since = tap.mark()
        start = upstream.market.now_ms(SYMS[0])
        await until(
            lambda: upstream.market.now_ms(SYMS[0]) >= start + 4 * 60_000, 20, "4 simulated minutes"
        )
        checked = await check_every_push(list(zip(clients, keys)), tap, since)
        assert checked > 1000
        cut = upstream.market.now_ms(fsym)
        await feed.settle()
        r = compare_with_truth(feed, upstream, fsym, "1m", complete_by=cut)
        diag = (a.coord.stats, b.coord.stats, b.fanout.stats, feed.stats)
        assert r["compared"] >= 3 and r["lost"] == [] and r["wrong"] == [], (r, diag)
        assert upstream.stats.connections == 1
        assert b.coord.stats["gaps"] == 0 and b.fanout.stats["epoch_drops"] == 0
        assert b.status()["role"] == "follower", (a.coord.stats, b.coord.stats)
    finally:
        await feed.aclose()
        for c in clients:
            await c.close()
    # the follower's interest leaves Redis; the leader unsubscribes upstream
    conn = upstream.connections()[0]
    await until(
        lambda: not conn.trades and not conn.depth and not conn.klines,
        10,
        "the upstream unsubscribed",
    )
    stored = await stop_rec()
    assert published and stored
    assert not [m for m in published + stored if UPSTREAM_KEY.encode() in m]


async def test_leader_failover_without_lost_bars(upstream, redis_url, relays):
    a = await relays(group_config(upstream, redis_url))
    await until(lambda: a.coord.role == "leader", 5, "relay A leads")
    port_a = a.cfg.port
    b = await relays(group_config(upstream, redis_url))
    feed_b = iw.connect(base_url=b.url, speed=SPEED, new=True, history=30)
    feed_a = iw.connect(base_url=a.url, speed=SPEED, new=True, history=30)
    syms = ["600519.SH", "000001.SZ"]
    try:
        for s in syms:
            feed_b.watch(s, intervals=["1m"])
        feed_a.watch(syms[0], intervals=["1m"])
        await until(lambda: all(feed_b.tape_store(s).total > 0 for s in syms), 10, "trades on B")
        start = upstream.market.now_ms(syms[0])
        await until(lambda: upstream.market.now_ms(syms[0]) >= start + 2 * 60_000, 20, "2 minutes")
        # kill the leader: no goodbye, its lock must expire
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await asyncio.wait_for(a.crash(), 10)
        await until(lambda: b.coord.role == "leader", 5, "B takes over")
        took = loop.time() - t0
        assert took < 1.5 * 1.5 + 1.0, took  # lock ttl plus one tick
        # a supervisor restarts A on its port: A's Feed reconnects there (a follower now)
        a2 = await asyncio.wait_for(relays(group_config(upstream, redis_url, port=port_a)), 10)
        await until(lambda: feed_b.stats["reconnects"] >= 1, 10, "B's clients reconnect")
        await until(lambda: feed_a.stats["reconnects"] >= 1, 15, "A's clients reconnect to A'")
        t1 = upstream.market.now_ms(syms[0])
        await until(lambda: upstream.market.now_ms(syms[0]) >= t1 + 3 * 60_000, 20, "3 minutes")
        cut = {s: upstream.market.now_ms(s) for s in syms}
        await asyncio.wait_for(feed_b.settle(), 20)
        await asyncio.wait_for(feed_a.settle(), 20)
        for feed, ss in ((feed_b, syms), (feed_a, syms[:1])):
            for s in ss:
                r = compare_with_truth(feed, upstream, s, "1m", complete_by=cut[s])
                assert r["compared"] >= 5 and r["lost"] == [] and r["wrong"] == [], (s, r)
        assert b.fanout.stats["epoch_drops"] >= 1  # B's clients were told to backfill
        assert a2.coord.role == "follower"
        assert upstream.stats.active == 1  # still one upstream connection
    finally:
        await asyncio.wait_for(feed_a.aclose(), 10)
        await asyncio.wait_for(feed_b.aclose(), 10)
