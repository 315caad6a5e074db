"""A-share views: the formulas on hand-computed examples and on a simulated day vs ground truth."""

import asyncio
import datetime as dt

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.feed.ashare import (
    amplitude,
    ashare_stats,
    bid_ask_diff,
    bid_ask_ratio,
    intraday,
    intraday_slots,
    intraday_ticks,
    minutes_elapsed,
    outer_inner,
    running_vwap,
    trading_minutes,
    volume_ratio,
)
from infoway_widgets.market import parse_symbol
from infoway_widgets.sim import serve

from .conftest import wait_for

A = parse_symbol("600519.SH")
DAY = dt.date(2026, 11, 25)


def test_average_price_line_by_hand():
    # minute 1: 100 sh @ 10.00 + 300 @ 10.20; minute 2: 600 @ 10.50
    v = np.array([400.0, 600.0])
    w = np.array([100 * 10.00 + 300 * 10.20, 600 * 10.50])
    np.testing.assert_allclose(running_vwap(v, w), [4060 / 400, (4060 + 6300) / 1000])
    assert np.isnan(running_vwap(np.array([0.0]), np.array([0.0]))[0])


def test_bid_ask_ratio_and_difference_by_hand():
    bids = [500, 400, 300, 200, 100, 9999]  # the sixth level is not counted
    asks = [100, 100, 100, 100, 100]
    assert bid_ask_ratio(bids, asks) == pytest.approx((1500 - 500) / 2000 * 100)  # +50 %
    assert bid_ask_diff(bids, asks) == 1000
    assert bid_ask_ratio([], []) is None
    assert bid_ask_ratio([0], [300]) == -100.0  # limit-down: nobody bids


def test_outer_inner_by_hand():
    buy, sell, ratio = outer_inner(np.array([100, 200, 300, 400.0]), np.array([1, 2, 1, 0]))
    assert (buy, sell, ratio) == (400.0, 200.0, 2.0)
    assert outer_inner(np.array([100.0]), np.array([1]))[2] is None


def test_amplitude_and_volume_ratio_by_hand():
    assert amplitude(11.0, 9.9, 10.0) == pytest.approx(11.0)
    assert amplitude(11.0, 9.9, 0) is None
    # 60 minutes in, 1.2 M shares today; past five days averaged 2.4 M over 240 minutes (10 000/min)
    assert volume_ratio(1_200_000, 60, [2.4e6] * 5, 240) == pytest.approx(2.0)
    assert volume_ratio(1_200_000, 59.2, [2.4e6] * 5, 240) == pytest.approx(2.0)  # whole minutes
    assert volume_ratio(50_000, 0.05, [2.4e6] * 5, 240) == pytest.approx(5.0)  # at least one minute
    assert volume_ratio(1_200_000, 60, [2.4e6] * 4, 240) is None  # fewer than five past days
    assert volume_ratio(1, 0, [1], 240) is None


def ms(hh, mm):
    return int(
        dt.datetime(2026, 11, 25, hh, mm, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
        * 1000
    )


def test_minutes_elapsed_skip_lunch():
    assert trading_minutes(A, DAY) == 240
    assert minutes_elapsed(A, ms(9, 0)) == 0
    assert minutes_elapsed(A, ms(10, 30)) == 60
    assert minutes_elapsed(A, ms(12, 15)) == 120
    assert minutes_elapsed(A, ms(14, 0)) == 180
    assert minutes_elapsed(A, ms(16, 0)) == 240


def test_intraday_axis_collapses_lunch():
    slots = intraday_slots(A, DAY)
    assert len(slots) == 240
    gaps = np.diff(slots)
    assert set(gaps.tolist()) == {60_000, 90 * 60_000 + 60_000}  # one jump: 11:29 → 13:00
    assert intraday_ticks(A, DAY) == [
        (0, "09:30"),
        (60, "10:30"),
        (120, "11:30/13:00"),
        (180, "14:00"),
        (240, "15:00"),
    ]
    us = parse_symbol("AAPL.US")
    assert len(intraday_slots(us, DAY)) == 390
    assert intraday_ticks(us, DAY)[0] == (0, "09:30") and intraday_ticks(us, DAY)[-1] == (
        390,
        "16:00",
    )


async def test_a_simulated_day_against_ground_truth():
    async with serve(port=0, seed=21, speed=120.0) as server:
        feed = iw.connect(base_url=server.url, speed=120.0, new=True, history=300)
        try:
            sym = "600519.SH"
            feed.watch(sym, depth=True, intervals=["1m", "1d"], history=300)
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            start = server.market.now_ms(sym)
            await wait_for(
                lambda: (
                    server.market.now_ms(sym) > start + 20 * 60_000
                    and len(feed.bar_store(sym, "1d")) >= 6
                ),
                60,
                "20 simulated minutes and daily history",
                ev,
            )
            cut = server.market.now_ms(sym)  # the bars complete before settle() are confirmed
            await feed.settle()
            gt = server.ground_truth.trades(sym)
            # 均价 at each settled minute equals Σ turnover / Σ volume of every trade up to that minute
            day = intraday(feed, sym)
            gbars = server.ground_truth.bars(sym, "1m").iloc[:-1]
            gbars = gbars[gbars.t + 60_000 <= cut]
            for row in gbars.itertuples(index=False):
                i = int(np.searchsorted(day["t"], row.t))
                upto = gt[gt.t < row.t + 60_000]
                upto = upto[upto.t >= day["t"][0] - 20 * 60_000]  # include the 09:25 auction print
                assert day["avg"][i] == pytest.approx(upto.vw.sum() / upto.v.sum(), rel=1e-9)
                assert day["close"][i] == pytest.approx(row.c)
            # 外盘 / 内盘 since the feed started watching equal the ground truth's over the same trades
            tape = feed.tape_store(sym).to_pandas()
            assert len(tape) < feed.tape_store(sym).capacity
            seen = gt[
                (gt.t >= tape.index.min().value // 1_000_000)
                & (gt.t <= tape.index.max().value // 1_000_000)
            ]
            st = ashare_stats(feed, sym)
            if feed.stats["reconnects"]:
                # the trades of a disconnect are gone (bars carry no direction): said, not hidden
                assert st["flow_incomplete_since"] is not None, feed.stats
            else:
                assert st["flow_incomplete_since"] is None
                assert st["buy_volume"] == pytest.approx(seen[seen.td == 1].v.sum())
                assert st["sell_volume"] == pytest.approx(seen[seen.td == 2].v.sum())
            # 委比 from the book the feed holds
            snap = feed.book_store(sym).snapshot
            b, a = snap.bid_vol[:5].sum(), snap.ask_vol[:5].sum()
            assert st["bid_ask_ratio"] == pytest.approx((b - a) / (b + a) * 100)
            # 振幅 and 量比 from the daily bars
            d = feed.bar_store(sym, "1d").to_pandas()
            pc = d["close"].iloc[-2]
            assert st["prev_close"] == pytest.approx(pc)
            assert st["amplitude"] == pytest.approx(
                (d["high"].iloc[-1] - d["low"].iloc[-1]) / pc * 100
            )
            assert st["volume_ratio"] is not None and st["volume_ratio"] > 0
            lo, hi = A.price_limits(pc)
            assert (st["limit_down"], st["limit_up"]) == (lo, hi)
            assert st["volume_lots"] == pytest.approx(d["volume"].iloc[-1] / 100)
        finally:
            await feed.aclose()


def test_buy_sell_volume_restarts_each_trading_day():
    async def go():
        from infoway_widgets.feed import Feed

        feed = Feed.detached()
        feed.watch("600519.SH", trades=True)

        def trade(day, hh, mm, td, v):
            t = int(
                dt.datetime(
                    2026, 11, day, hh, mm, tzinfo=dt.timezone(dt.timedelta(hours=8))
                ).timestamp()
                * 1000
            )
            return f'{{"code":10002,"data":{{"s":"600519.SH","t":{t},"p":"10.00","v":"{v}","vw":"{10 * v}.00","td":{td}}}}}'

        feed.ingest([trade(24, 10, 0, 1, 500), trade(24, 14, 0, 2, 300)])
        assert feed.ashare("600519.SH")["buy_volume"] == 500
        feed.ingest([trade(25, 9, 31, 1, 100)])  # the next trading day
        st = feed.ashare("600519.SH")
        assert (st["buy_volume"], st["sell_volume"]) == (100, 0)
        await feed.aclose()

    asyncio.run(go())


def test_day_flow_marks_a_gap_from_its_earliest_until_a_new_day():
    from infoway_widgets.feed.aggregate import DayFlow

    flow = DayFlow()
    flow.add(1_000, 100.0, 50.0, 0.0)
    assert flow.gap_since is None
    flow.missed_since(5_000)
    flow.missed_since(7_000)  # a later gap: incomplete since the first one still
    flow.add(1_000, 10.0, 0.0, 0.0)
    assert flow.gap_since == 5_000 and flow.buy == 110.0
    flow.missed_since(3_000)
    assert flow.gap_since == 3_000
    flow.add(2_000, 1.0, 1.0, 0.0)  # a new trading day counts afresh, complete
    assert flow.gap_since is None and flow.buy == 1.0


async def test_a_reconnect_marks_the_flow_of_its_channel_only():
    feed = iw.Feed.detached()
    try:
        for code in ("600519.SH", "BTCUSDT"):
            feed.watch(code, trades=True)
        feed.ingest(
            [
                '{"code":10002,"data":{"p":"1500","s":"600519.SH","t":1764034200000,'
                '"td":1,"v":"100","vw":"150000"}}',
                '{"code":10002,"data":{"p":"90000","s":"BTCUSDT","t":1764034201000,'
                '"td":2,"v":"1","vw":"90000"}}',
            ]
        )
        feed._on_reconnect("stock", 0, 1)
        assert feed.ashare("600519.SH")["flow_incomplete_since"] == 1764034200000
        assert feed.ashare("BTCUSDT")["flow_incomplete_since"] is None
    finally:
        await feed.aclose()
