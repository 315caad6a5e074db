"""Volume profile: the value area by hand, the incremental day equal to one pass over the same
trades, and a simulated session whose totals equal the traded volume they cover."""

import asyncio
import math

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.feed.volume_profile import ProfileDay, compact, profile_frame, value_area
from infoway_widgets.sim import serve

from .conftest import wait_for


def test_value_area_expands_from_the_poc_by_pairs():
    v = np.array([1, 2, 30, 10, 40, 5, 5, 1, 6.0])
    poc, lo, hi = value_area(v)
    assert poc == 4
    # from 40: above 5+5=10 vs below 10+30=40 -> down two (to index 2); then above 10 vs below 3
    assert (lo, hi) == (2, 4)  # 80 of 100
    assert value_area(v, share=0.9)[1:] == (2, 6)  # then above 5+5 beats below 2+1
    assert value_area(np.zeros(3)) == (-1, -1, -1)


def test_incremental_equals_one_pass():
    rng = np.random.default_rng(3)
    p = np.round(10 + rng.integers(-50, 50, 2000) * 0.01, 2)
    v = rng.integers(1, 50, 2000) * 100.0
    d = rng.integers(0, 3, 2000)
    day = ProfileDay(0.01)
    for a in range(0, 2000, 137):
        day.add(0, p[a : a + 137], v[a : a + 137], d[a : a + 137])
    inc, once = day.frame(), profile_frame(p, v, d, 0.01)
    np.testing.assert_allclose(inc.to_numpy(), once.to_numpy())
    assert inc.attrs["poc"] == once.attrs["poc"] and inc.attrs["total"] == v.sum()
    assert inc["buy"].sum() == v[d == 1].sum() and inc["neutral"].sum() == v[d == 0].sum()
    c = compact(inc, rows=16)
    assert len(c["px"]) <= 16 and math.isclose(sum(c["vol"]), v.sum())


async def test_a_session_profile_covers_every_trade_once():
    async with serve(port=0, seed=8, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True)
        try:
            sym = "600519.SH"
            seen = []
            ev = asyncio.Event()
            feed.on_trade(sym, lambda tr: (seen.append(tr), ev.set()))
            await wait_for(lambda: len(seen) >= 500, 60, "500 trades", ev)
            df, trades = feed.volume_profile(sym), list(seen)
            assert df.attrs["total"] == pytest.approx(
                math.fsum(t.volume for t in trades), rel=1e-12
            )
            assert df["buy"].sum() == pytest.approx(
                math.fsum(t.volume for t in trades if t.direction == 1), rel=1e-12
            )
            by_price = {}
            for t in trades:
                k = round(t.price, 2)
                by_price[k] = by_price.get(k, 0.0) + t.volume
            assert df.index.tolist() == sorted(by_price)
            assert df.attrs["poc"] == max(by_price, key=by_price.get)
            assert df.attrs["value_low"] <= df.attrs["poc"] <= df.attrs["value_high"]
            # a time range of the tape
            mid = trades[len(trades) // 2].t
            part = feed.volume_profile(sym, start=mid)
            assert part.attrs["total"] == pytest.approx(
                math.fsum(t.volume for t in trades if t.t >= mid), rel=1e-12
            )
        finally:
            await feed.aclose()
