"""DepthHeatmap on the simulated market: one column per update, bounded bytes and memory, trades
counted once, five levels for A-shares and twenty for crypto."""

import asyncio
import json

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve
from infoway_widgets.widgets.heatmap import HeatmapSettingError, window_ms
from infoway_widgets.widgets.heatring import HeatRing

from ..feed.conftest import wait_for
from .scripted_book import ScriptedBook


def test_window_spans():
    assert window_ms("10m") == 600_000 and window_ms("90s") == 90_000 and window_ms("1h") == 3.6e6
    assert window_ms(30) == 30_000
    with pytest.raises(HeatmapSettingError, match="'10m'"):
        window_ms("ten minutes")
    with pytest.raises(HeatmapSettingError, match="between"):
        window_ms("2s")


def test_ring_repeats_the_book_and_stays_bounded():
    ring = HeatRing(capacity=4, levels=2, bin_ms=1000)
    ring.book(1000, np.array([10.0]), np.array([5.0]), np.array([10.1, 10.2]), np.array([1.0, 2]))
    ring.trades(
        np.array([1500, 1600, 3500]),
        np.array([10.1, 10.1, 10.0]),
        np.array([1.0, 2.0, 3.0]),
        np.array([1, 1, 2]),
    )
    c = ring.columns()
    assert c.t.tolist() == [1000, 2000, 3000]  # bin 2 repeats bin 1's book
    assert c.bid_px.tolist()[::2] == [10.0, 10.0, 10.0] and np.isnan(c.bid_px[1])
    assert list(zip(c.tr_t, c.tr_px, c.tr_vol, c.tr_dir)) == [(1000, 10.1, 3, 1), (3000, 10, 3, 2)]
    ring.book(10_000, np.array([11.0]), np.array([1.0]), np.array([11.1]), np.array([1.0]))
    c = ring.columns()
    assert c.t.tolist() == [7000, 8000, 9000, 10_000] and len(c.tr_t) == 0
    assert c.bid_px.reshape(4, 2)[:, 0].tolist() == [10.0, 10.0, 10.0, 11.0]


def _mirror(frames):
    """Bins, their books and traded volume, as a front-end holding every frame has them."""
    books: dict[int, np.ndarray] = {}
    traded: dict[int, float] = {}
    for h, cols in frames:
        if h.get("kind") != "heatmap":
            continue
        if h.get("reset"):
            books.clear()
            traded.clear()
        L = h["levels"]
        for i, t in enumerate(cols["t"].tolist()):
            books[int(t)] = cols["bid_px"][i * L : (i + 1) * L]
        for t, v in zip(cols["tr_t"].tolist(), cols["tr_vol"].tolist()):
            traded[int(t)] = traded.get(int(t), 0.0) + v
    return books, traded


@pytest.mark.parametrize(("symbol", "levels"), [("600519.SH", 5), ("BTCUSDT", 20)])
async def test_heatmap_frames(sent, symbol, levels):
    async with serve(port=0, seed=9, speed=30.0) as server:
        feed = iw.connect(base_url=server.url, speed=30.0, new=True)
        try:
            trades = []
            feed.on_trade(symbol, trades.append)
            w = iw.DepthHeatmap(symbol, window="2m", feed=feed, columns=120)
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(lambda: len(sent.frames(w)) > 40, 60, "40 heatmap frames", ev)
            w._flush()  # what came since the last frame, sent now: then frames and trades agree
            frames = sent.frames(w)
            deltas = [
                (h, c, b) for (h, b, _), (_, c) in zip(sent.of(w), frames) if not h.get("reset")
            ]
            assert deltas
            for h, cols, bufs in deltas:
                assert h["kind"] == "heatmap" and h["levels"] == levels and h["bin_ms"] == 1000
                assert len(cols["t"]) <= 1  # one new column at most
                size = len(json.dumps(h)) + sum(len(b) for b in bufs)
                assert size <= 1536, (size, h)
            books, traded = _mirror(frames)
            assert len(books) <= 120 and max(books) - min(books) <= 119_000
            snap = feed.book_store(symbol).snapshot
            assert snap is not None and len(snap.bid_px) >= levels
            # every trade once, in the bin of its time (the window holds them all here)
            ring = w._ring
            first_ms = ring.first_bin * ring.bin_ms
            kept = [tr for tr in trades if tr.t >= first_ms and tr.t < (ring.last_bin + 1) * 1000]
            assert sum(traded.values()) == pytest.approx(sum(tr.volume for tr in kept), rel=1e-9)
            # the saved state and a new view's full frame are bounded by the window
            full = w._full()[1]
            assert len(full["t"]) <= 120 and len(full["bid_px"]) == len(full["t"]) * levels
            assert w._snapshot_value()["header"]["kind"] == "heatmap"
            df = w.bins
            assert set(df["side"]) == {"bid", "ask"} and df["level"].max() == levels
            assert str(df.index.tz) == feed.instrument(symbol).tz
            w.close()
        finally:
            await feed.aclose()


async def test_twenty_levels_one_column_per_update_and_the_wall(sent):
    feed = iw.Feed.detached()
    try:
        book = ScriptedBook("BTCUSDT", levels=20)
        w = iw.DepthHeatmap("BTCUSDT", window="30m", feed=feed)
        t0 = 1_790_000_000_000
        for i in range(400):  # 20 Hz for 20 s of frames, 250 ms of exchange time each
            feed.ingest(book.frames(t0 + 250 * i))
            w._flush()
        w._flush()
        assert w.bin_ms == 3000
        out = [(h, b) for h, b, _ in sent.of(w) if h.get("kind") == "heatmap"]
        deltas = [(h, b) for h, b in out if not h.get("reset")]
        assert len(deltas) >= 390 and all(h["levels"] == 20 for h, _ in deltas)
        sizes = [len(json.dumps(h)) + sum(len(x) for x in b) for h, b in deltas]
        assert max(sizes) <= 1536, max(sizes)
        # the wall rests at its price in the bins kept
        df = w.bins
        asks = df[df["side"] == "ask"]
        biggest = asks.loc[asks["size"] == asks["size"].max(), "price"].unique()
        assert biggest.tolist() == [book.wall]
        w.close()
    finally:
        await feed.aclose()


async def test_a_replay_seeking_back_starts_the_heatmap_over(sent):
    feed = iw.Feed.detached()
    try:
        book = ScriptedBook("BTCUSDT", levels=5)
        w = iw.DepthHeatmap("BTCUSDT", window="1m", feed=feed, columns=60)
        t0 = 1_790_000_000_000
        for i in range(30):
            feed.ingest(book.frames(t0 + 60_000 + 1000 * i))
            w._flush()
        assert w._ring.first_bin * 1000 >= t0 + 60_000
        feed.state.reset()  # what a replay seeking backwards does
        for i in range(5):
            feed.ingest(book.frames(t0 + 1000 * i))
            w._flush()
        resets = [h for h, _, _ in sent.of(w) if h.get("reset")]
        assert resets and resets[-1]["now"] <= t0 + 5000
        assert w._ring.last_bin * 1000 == t0 + 4000 and len(w.bins) == 5 * 2 * 5
        w.close()
    finally:
        await feed.aclose()
