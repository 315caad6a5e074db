"""IntradayChart (分时图) on the real feed and simulated server: frames, deltas, data."""

import asyncio

import numpy as np

import infoway_widgets as iw
from infoway_widgets.sim import serve

from ..feed.conftest import wait_for


async def test_intraday_frames_follow_the_session_axis(sent):
    async with serve(port=0, seed=31, speed=120.0) as server:
        feed = iw.connect(base_url=server.url, speed=120.0, new=True)
        try:
            w = iw.IntradayChart("600519.SH", feed=feed, locale="zh")
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            start = server.market.now_ms("600519.SH")
            await wait_for(
                lambda: (
                    server.market.now_ms("600519.SH") > start + 8 * 60_000
                    and len(sent.frames(w)) > 5
                ),
                40,
                "8 simulated minutes of frames",
                ev,
            )
            frames = sent.frames(w)
            head, _cols = frames[-1]
            assert head["kind"] == "intraday" and head["slots"] == 240
            assert [lbl for _, lbl in head["ticks"]] == [
                "09:30",
                "10:30",
                "11:30/13:00",
                "14:00",
                "15:00",
            ]
            # live deltas carry the tail of the day, not the whole axis
            live = [h for h, _ in frames if not h.get("reset")]
            assert live and max(h["n"] for h in live[-3:]) < 20
            assert all(h["offset"] + h["n"] <= 240 for h in live)
            d = w.data
            assert len(d) == 240 and str(d.index.tz) == "Asia/Shanghai"
            filled = d["close"].notna().sum()
            assert (
                filled >= head["filled"] >= 8
            )  # the market may have moved on since the last frame
            m1 = feed.bar_store("600519.SH", "1m").to_pandas()
            today = m1[m1.index.date == d.index[0].date()]
            np.testing.assert_allclose(
                d["close"].dropna().iloc[: len(today)].to_numpy(), today["close"].to_numpy()
            )
            # 均价 is cumulative turnover over cumulative volume
            np.testing.assert_allclose(
                d["avg"].iloc[len(today) - 1], today["turnover"].sum() / today["volume"].sum()
            )
            assert head["prev_close"] and head["limit_up"] > head["prev_close"] > head["limit_down"]
            assert w._snapshot["header"]["kind"] == "intraday"
            assert "IntradayChart('600519.SH'" in repr(w)
            w.close()
            assert feed.watched() == {}
        finally:
            await feed.aclose()
