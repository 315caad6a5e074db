"""The widgets on the real Feed and the embedded simulated market (no browser)."""

from __future__ import annotations

import asyncio

import numpy as np

import infoway_widgets as iw

from .test_sync import mirror


async def wait_for(cond, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.05)


async def test_widgets_on_the_embedded_simulated_market(sent):
    feed = await iw.aconnect(new=True)
    ws = []
    try:
        chart = iw.CandleChart("600519.SH", feed=feed)
        book = iw.OrderBook("600519.SH", feed=feed)
        tape = iw.TradeTape("600519.SH", feed=feed)
        board = iw.QuoteBoard(["600519.SH", "00700.HK"], feed=feed)
        ws = [chart, book, tape, board]
        assert all(w.status == "simulated" and w.simulated for w in ws)
        await wait_for(
            lambda: (
                len(mirror(sent.frames(chart))) >= 100
                and book.state is not None
                and tape.trades.shape[0] > 0
            )
        )
        # what the front-end holds equals the feed's bars
        await asyncio.sleep(0.2)
        got = mirror(sent.frames(chart))
        a = feed.bar_store("600519.SH", "1m").arrays()
        assert sorted(got) == a["t"].tolist()
        assert np.allclose([got[t][3] for t in a["t"].tolist()], a["close"])
        # the previous close and A-share limits come from the feed's quote
        assert set(chart._levels) == {"prev_close", "limit_up", "limit_down"}
        assert chart._levels["limit_up"] > chart._levels["prev_close"] > chart._levels["limit_down"]
        assert len(book.snapshot) == 5
        assert list(board.quotes.index) == ["600519.SH", "00700.HK"]
        watched = feed.watched()
        assert watched.get("depth:600519.SH") == 1
    finally:
        for w in ws:
            w.close()
        assert not any(k.startswith(("depth:", "trades:")) for k in feed.watched())
        await feed.aclose()
