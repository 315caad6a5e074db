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


async def test_an_unknown_code_beside_a_valid_one_each_widget_its_own_problem(sent):
    feed = await iw.aconnect(new=True, speed=30.0)
    ws = []
    try:
        bad_chart = iw.CandleChart("999999.SH", feed=feed)
        bad_book = iw.OrderBook("688999.SH", feed=feed)
        good = iw.CandleChart("600519.SH", feed=feed)
        ws = [bad_chart, bad_book, good]
        await wait_for(lambda: bad_chart.status == "error" and bad_book.status == "error")
        assert bad_chart.status_message == "no data for 999999.SH: check the code"
        assert bad_book.status_message == "no data for 688999.SH: check the code"
        assert bad_chart.symbol_errors == {"999999.SH": bad_chart.status_message}
        n = len(sent.frames(good))
        await wait_for(lambda: len(sent.frames(good)) > n + 3)  # live, untouched
        assert (good.status, good.symbol_errors) == ("simulated", {})
        assert good.status_message == feed.status_message == "simulated market (no API key)"
        assert "688999" not in bad_chart.status_message and "999999" not in bad_book.status_message
    finally:
        for w in ws:
            w.close()
        await feed.aclose()


async def test_a_plan_of_three_codes_flags_the_fourth_widget_and_the_three_stream_on(sent):
    from infoway_widgets.sim import serve

    async with serve(port=0, seed=6, speed=30.0, max_codes=3) as server:
        feed = iw.connect(base_url=server.url, speed=30.0, new=True, history=50)
        ws = []
        try:
            await feed.ready()
            ws = [iw.CandleChart(c, feed=feed) for c in ("600519.SH", "000001.SZ", "300750.SZ")]
            await wait_for(lambda: all(feed.tape_store(w.symbol).total for w in ws))
            fourth = iw.TradeTape("600200.SH", feed=feed)
            ws.append(fourth)
            await wait_for(lambda: fourth.status == "error")
            assert fourth.status_message.startswith("600200.SH: trades refused by the service.")
            assert "505" in fourth.status_message and "upgrade the plan" in fourth.status_message
            counts = [len(sent.frames(w)) for w in ws[:3]]
            await wait_for(lambda: all(len(sent.frames(w)) > n + 2 for w, n in zip(ws, counts)))
            assert [w.status for w in ws[:3]] == [
                "simulated"
            ] * 3  # the server says it is simulated
            assert feed.source.sessions["stock"].stats["reconnects"] == 0
        finally:
            for w in ws:
                w.close()
            await feed.aclose()
