"""MoneyFlow widget: its frames carry the feed's money flow for its preset, and the line's tail;
the line's time axis is the trading day's sessions."""

import asyncio

import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve

from ..feed.conftest import wait_for


async def test_money_flow_frames_follow_the_feed(sent):
    async with serve(port=0, seed=4, speed=120.0) as server:
        feed = iw.connect(base_url=server.url, speed=120.0, new=True)
        try:
            w = iw.MoneyFlow("600519.SH", "joinquant", feed=feed, locale="zh")
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(lambda: len(sent.frames(w)) > 20, 60, "20 money-flow frames", ev)
            await wait_for(lambda: w._day().minutes >= 3, 60, "three minutes", ev)
            w._flush()
            frames = sent.frames(w)
            h, cols = frames[-1]
            df = feed.money_flow("600519.SH", "joinquant")
            assert h["kind"] == "moneyflow" and h["preset"] == "joinquant"
            assert h["inflow"] == df["inflow"].tolist() and h["outflow"] == df["outflow"].tolist()
            assert h["main_net_total"] == pytest.approx(df.attrs["main_net"])
            # deltas resend the forming minute only, not the day
            live = [hh for hh, _ in frames if not hh.get("reset")]
            assert live and max(hh["n"] for hh in live[-5:]) <= 2
            line = w.main_net_line
            assert line.iloc[-1] == pytest.approx(df.attrs["main_net"])
            assert cols["main_net"][-1] == pytest.approx(line.iloc[-1])
            assert str(line.index.tz) == "Asia/Shanghai"
            # the line's axis: the counted day's sessions from the calendar (09:30-11:30,
            # 13:00-15:00 Shanghai), holding every minute of the line
            (a0, b0), (a1, b1) = w._sessions
            local = [
                pd.Timestamp(x, unit="ms", tz="UTC").tz_convert("Asia/Shanghai").strftime("%H:%M")
                for x in (a0, b0, a1, b1)
            ]
            assert local == ["09:30", "11:30", "13:00", "15:00"]
            assert a0 <= cols["t"][-1] < b1 and a0 == w._day().day_open + 9.5 * 3_600_000
            w.preset = "tushare"
            assert w.frame.attrs["preset"] == "tushare"
            assert sent.frames(w)[-1][0]["preset"] == "tushare"
            assert "MoneyFlow('600519.SH'" in repr(w)
            w.close()
        finally:
            await feed.aclose()


async def test_quote_board_main_net_column(sent):
    async with serve(port=0, seed=4, speed=120.0) as server:
        feed = iw.connect(base_url=server.url, speed=120.0, new=True)
        try:
            board = iw.QuoteBoard(
                ["600519.SH", "000001.SZ"], feed=feed, columns=["symbol", "last", "main_net"]
            )
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(
                lambda: feed.money_flow_day("600519.SH").version > 5, 60, "some trades", ev
            )
            board._pending |= {"600519.SH", "000001.SZ"}
            board._flush()
            h, cols = sent.frames(board)[-1]
            i = h["symbols"].index("600519.SH")
            assert cols["main_net"][i] == pytest.approx(
                feed.money_flow("600519.SH").attrs["main_net"]
            )
            board.close()
        finally:
            await feed.aclose()
