"""iw.bqplot.LiveFigure: marks follow the feed, coalesced (not one update per tick) and bounded."""

from __future__ import annotations

import asyncio

import numpy as np
import orjson
import pytest

import infoway_widgets as iw
from infoway_widgets.widgets.bqplot import LiveFigure, depth_figure

from .conftest import until

SYM = "600519.SH"
T0 = 1_795_570_200_000  # a 09:30:00 Asia/Shanghai on a trading day


def trade(t: int, price: float, volume: int = 100, direction: int = 1) -> bytes:
    return orjson.dumps(
        {
            "code": 10002,
            "data": {
                "s": SYM,
                "t": t,
                "p": f"{price:.2f}",
                "v": str(volume),
                "vw": f"{price * volume:.2f}",
                "td": direction,
            },
        }
    )


async def changed(mark, name: str = "y") -> None:
    """Wait for the next change of ``mark.<name>`` (the figure's refresh)."""
    ev = asyncio.Event()

    def poke(_c):
        ev.set()

    mark.observe(poke, names=name)
    try:
        await asyncio.wait_for(ev.wait(), 10)
    finally:
        mark.unobserve(poke, names=name)


async def test_a_burst_of_ticks_is_one_refresh():
    feed = iw.Feed.detached()
    fig = LiveFigure(feed, max_fps=5)
    ohlc = fig.add_ohlc(SYM, "1m")
    fig.add_line(SYM, "1m", "vwap")
    dots = fig.add_trades(SYM)
    base = fig.mark_updates
    n = 1000
    for k in range(n):  # 1000 ingest calls, each a feed change
        feed.ingest([trade(T0 + 10 * k, 1500 + (k % 7) * 0.01)])
    assert feed.stats["trades"] == n
    await changed(ohlc)
    assert fig.refreshes == 1
    assert fig.mark_updates - base == 3  # each mark redrawn once for the whole burst
    assert len(dots.y) == n  # the window (10 x 120) holds them all
    assert ohlc.y[-1][1] == pytest.approx(1500.06) and ohlc.y[-1][2] == pytest.approx(1500.0)

    # a second burst, later: one more refresh
    for k in range(200):
        feed.ingest([trade(T0 + 60_000 + 10 * k, 1501.0)])
    await changed(ohlc)
    assert fig.refreshes == 2 and len(ohlc.y) == 2
    fig.close()
    await feed.aclose()


async def test_marks_are_bounded_to_the_window_and_only_changed_marks_are_redrawn():
    feed = iw.Feed.detached()
    fig = LiveFigure(feed, window=30, x="index")
    ohlc = fig.add_ohlc(SYM, "1m")
    vol = fig.add_bars(SYM, "1m")
    other = fig.add_ohlc("BTCUSDT", "1m")
    frames = [
        trade(T0 + 60_000 * m + 5, 1500 + m * 0.1, 100 * (m + 1), 1 + m % 2) for m in range(90)
    ]
    feed.ingest(frames)  # 90 minutes of the morning session (09:30-11:00)
    await changed(ohlc)
    assert len(ohlc.y) == 30 and len(vol.y) == 30 and len(ohlc.x) == 30
    assert ohlc.x[-1] == 89 and ohlc.x[0] == 60  # index x: bar numbers of the newest 30
    np.testing.assert_allclose(vol.y, [100.0 * (m + 1) for m in range(60, 90)])
    assert len(other.y) == 0  # nothing for BTCUSDT: not redrawn after the first draw
    ups = vol.colors
    assert ups[0] in ("#e53935", "#26a69a")  # red-up on the mainland
    fig.close()
    assert feed.watched() == {}  # the figure's subscriptions are released
    await feed.aclose()


async def test_live_figure_on_the_simulated_market_refreshes_far_less_than_it_ingests():
    feed = iw.connect(new=True, speed=60.0, history=20)
    try:
        await feed.ready()
        fig = LiveFigure(feed, window=60, max_fps=4)
        fig.add_ohlc(SYM, "1m")
        fig.add_trades(SYM)
        depth = depth_figure(feed, SYM)
        t0, f0 = feed.stats["trades"], feed.stats["flushes"]
        await until(feed, lambda: feed.stats["trades"] - t0 >= 150, 30, "150 trades")
        trades, flushes = feed.stats["trades"] - t0, feed.stats["flushes"] - f0
        assert 0 < fig.refreshes < flushes <= trades
        assert fig.refreshes * 5 < trades
        bids, asks = depth.marks
        await until(feed, lambda: len(bids.x) > 0, 10, "a depth chart")
        assert np.all(np.diff(bids.y) <= 0) and np.all(np.diff(asks.y) >= 0)  # cumulative outward
        assert max(bids.x) < min(asks.x)  # the spread between the sides
        fig.close()
        depth.close()
    finally:
        await feed.aclose()


async def test_bad_arguments_say_what_to_do():
    feed = iw.Feed.detached()
    with pytest.raises(iw.BadParameterError, match="x must be"):
        LiveFigure(feed, x="log")
    fig = LiveFigure(feed, x="price")
    with pytest.raises(iw.BadParameterError, match="x='time'"):
        fig.add_ohlc(SYM)
    fig2 = LiveFigure(feed)
    with pytest.raises(iw.BadParameterError, match="x='price'"):
        fig2.add_depth(SYM)
    line = fig2.add_line(SYM, "1m", "nonsense")  # a bad field logs, never breaks the feed
    feed.ingest([trade(T0 + 5, 1500.0)])
    assert feed.stats["trades"] == 1 and len(line.y) == 0
    fig.close()
    fig2.close()
    await feed.aclose()


async def test_live_figure_follows_a_replay_seek_backwards(recording):
    """A backward seek replaces the replay feed's tapes: the figure must follow the new one."""
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rp.replay.pause()
        fig = LiveFigure(rp, max_fps=50)
        dots = fig.add_trades(SYM)
        candles = fig.add_ohlc(SYM, "1m")
        rp.replay.seek(rp.replay.end_ms)
        await changed(dots)
        n_end, bars_end = len(dots.y), len(candles.y)
        assert n_end > 0
        rp.replay.seek((rp.replay.start_ms + rp.replay.end_ms) // 2)
        await changed(dots)
        assert 0 < len(dots.y) < n_end and len(candles.y) <= bars_end
        assert len(dots.y) == len(rp.tape_store(SYM))
        fig.close()
    finally:
        await rp.aclose()
