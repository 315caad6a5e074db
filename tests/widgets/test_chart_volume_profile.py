"""A chart with the volume profile: its frames carry the profile's bands, whose totals equal the
day's traded volume, and chart.volume_profile() returns the feed's table."""

import asyncio
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
