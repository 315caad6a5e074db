"""A chart with the volume profile: its frames carry the profile's bands (full frames always, a
delta only when they changed), whose totals equal the day's traded volume, and
chart.volume_profile() returns the feed's table."""

import asyncio
import json
import math

import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve

from ..feed.conftest import wait_for


async def test_chart_sends_the_profile_and_returns_it(sent):
    async with serve(port=0, seed=12, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True, history=20)
        try:
            sym = "600519.SH"
            seen = []
            ev = asyncio.Event()
            feed.on_trade(sym, lambda tr: (seen.append(tr), ev.set()))
            chart = iw.CandleChart(sym, feed=feed, volume_profile=True)
            plain = iw.CandleChart(sym, feed=feed)
            await wait_for(
                lambda: len(seen) >= 300 and len(sent.frames(chart)) > 5, 60, "trades", ev
            )
            chart._flush()
            head = sent.of(chart)[-1][0]
            df, trades = chart.volume_profile(), list(seen)
            assert chart.show_volume_profile and "vp" in head
            vp = head["vp"]
            assert len(vp["px"]) <= 48 and vp["poc"] == df.attrs["poc"]
            assert math.isclose(sum(vp["vol"]), df.attrs["total"], rel_tol=1e-12)
            assert df.attrs["total"] == pytest.approx(math.fsum(t.volume for t in trades))
            assert all("vp" not in c for c, _, _ in sent.of(plain))
            chart.close()
            plain.close()
        finally:
            await feed.aclose()


T0 = 1_790_000_040_000


def _trade(t: int, px: float, vol: float, td: int) -> str:
    data = {"s": "BTCUSDT", "t": t, "p": f"{px}", "v": f"{vol}", "vw": f"{px * vol}", "td": td}
    return json.dumps({"code": 10002, "data": data})


def _candle(t: int, close: float) -> str:
    data = {"s": "BTCUSDT", "t": str(t // 60_000 * 60), "o": "60000", "h": "60010", "l": "59990",
            "c": f"{close}", "v": "3", "vw": "180000", "pca": "0", "pfr": "0%", "ty": 1}  # fmt: skip
    return json.dumps({"code": 10008, "data": data})


async def test_profile_rides_only_in_frames_where_it_changed_and_in_full_frames(sent):
    feed = iw.Feed.detached()
    chart = iw.CandleChart("BTCUSDT", feed=feed, volume_profile=True)
    try:
        steps = [
            [_trade(T0, 60000.0, 1.0, 1)],
            [_trade(T0 + 100, 60001.0, 2.0, 2)],
            [_candle(T0 + 200, 60005.0)],  # the bar moves, no trade: the profile is the same
            [_candle(T0 + 300, 60006.0)],
            [_trade(T0 + 400, 60001.0, 0.5, 1)],
        ]
        for frames in steps:
            feed.ingest(frames)
            chart._flush()
        heads = [c for c, _ in sent.frames(chart) if c.get("kind") == "bars"]
        deltas = [h for h in heads if not h.get("reset")]
        assert heads[0].get("reset") and "vp" in heads[0]
        assert ["vp" in h for h in deltas] == [True, True, False, False, True]
        # each profile sent is the day's as it stood: the last one holds every trade
        assert math.isclose(sum(deltas[-1]["vp"]["vol"]), 3.5)
        assert deltas[-1]["vp"]["buy"] != deltas[1]["vp"]["buy"]
        # a full frame (a resync, a new page) carries it even though it did not change
        n = len(heads)
        chart._send_full()
        full = [c for c, _ in sent.frames(chart) if c.get("kind") == "bars"][n:]
        assert full and full[0].get("reset") and full[0]["vp"] == deltas[-1]["vp"]
        # so does the saved state, which leaves what the pages were sent alone
        assert chart._snapshot_frame()[2]["vp"] == deltas[-1]["vp"]
        feed.ingest([_candle(T0 + 500, 60007.0)])
        chart._flush()
        last = [c for c, _ in sent.frames(chart) if c.get("kind") == "bars"][-1]
        assert not last.get("reset") and "vp" not in last
        # turned off and on again: the next frame brings it back
        chart.show_volume_profile = False
        feed.ingest([_candle(T0 + 600, 60008.0)])
        chart._flush()
        chart.show_volume_profile = True
        feed.ingest([_candle(T0 + 700, 60009.0)])
        chart._flush()
        last = [c for c, _ in sent.frames(chart) if c.get("kind") == "bars"][-1]
        assert last["vp"] == deltas[-1]["vp"]
    finally:
        chart.close()
