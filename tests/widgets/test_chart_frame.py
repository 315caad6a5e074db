"""A live chart's per-frame shortcuts: the frame of a forming bar built from floats equals the
general path's, the store's touch log read right, and what is cached (the levels, the studies'
state) follows what it was read from."""

from __future__ import annotations

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.feed.feed import Feed
from infoway_widgets.feed.stores import BarStore
from infoway_widgets.market import parse_symbol
from infoway_widgets.widgets import CandleChart
from infoway_widgets.widgets.candle import newest_only

from .test_chart_studies import assert_same, reference, shown
from .test_sync import SYM, settle

STUDIES = ["macd", "kdj", "rsi", "dmi"]
BAR_FIELDS = ("open", "high", "low", "close", "volume", "turnover")


def test_newest_only_agrees_with_changed_since() -> None:
    store = BarStore(parse_symbol("BTCUSDT"), "1m", capacity=50)
    rng = np.random.default_rng(4)
    t0 = 1_795_570_200_000
    t = t0 + 60_000 * np.arange(40)
    c = 100 + rng.normal(0, 1, 40).cumsum()
    store.merge(t, c, c + 1, c - 1, c, np.full(40, 10.0), c * 10, settled=True)
    hits = misses = 0
    for step in range(300):
        since = store.version
        kind = rng.integers(0, 10)
        last_t = int(store.t[-1])
        if kind < 6:  # trades into the forming bar (most frames)
            p = float(c[-1] + rng.normal())
            store.fold(last_t, p, p + 0.1, p - 0.1, p, 1.0, p, last_t + step + 1)
        elif kind < 8:  # a new bar opens
            p = float(c[-1])
            nt = last_t + 60_000
            store.fold(nt, p, p, p, p, 1.0, p, nt + 1)
        elif kind == 8:  # a correction of an older bar, then a trade into the forming one
            old = int(store.t[-int(rng.integers(2, 10))])
            store.upsert(old, 1.0, 2.0, 0.5, 1.5, 3.0, 4.0, settled=True)
            p = float(c[-1])
            store.fold(last_t, p, p, p, p, 1.0, p, last_t + step + 1)
        else:  # nothing changed
            pass
        got = newest_only(store, since)
        ch = store.changed_since(since)
        if got is None:
            misses += 1
            # None only where changed_since has more (a corrected bar) or nothing
            assert ch["t"].tolist() != [int(store.t[-1])]
            continue
        hits += 1
        bar_t, before, row = got
        assert ch["t"].tolist() == [bar_t] == [int(store.t[-1])]
        assert before == (int(store.t[-2]) if len(store) > 1 else -1)
        assert row == [float(ch[k][0]) for k in BAR_FIELDS]
    assert hits > 100 and misses > 20


async def test_the_forming_bar_frame_equals_the_general_path(feed, sent) -> None:
    fast = CandleChart(SYM, feed=feed, studies=STUDIES)
    general = CandleChart(SYM, feed=feed, studies=STUDIES)
    general._newest_delta = lambda store: None  # type: ignore[method-assign]
    taken: list[bool] = []
    real = fast._newest_delta

    def spy(store):
        frame = real(store)
        taken.append(frame is not None)
        return frame

    fast._newest_delta = spy  # type: ignore[method-assign]
    line = fast.add_line(fast.bars.close.iloc[-50:], name="mine")
    line_g = general.add_line(general.bars.close.iloc[-50:], name="mine")
    await settle(fast)
    n_fast, n_general = len(sent.frames(fast)), len(sent.frames(general))
    for k in range(12):  # forming-bar frames, and bars that complete every few frames
        feed.trade(SYM, 2, dt_ms=7_000)
        for ln in (line, line_g):
            ln.append(float(feed.now_ms), float(k))
        await settle(fast, rounds=2)
    frames_fast = [f for f in sent.frames(fast)[n_fast:] if f[0]["kind"] == "bars"]
    frames_general = [f for f in sent.frames(general)[n_general:] if f[0]["kind"] == "bars"]
    assert len(frames_fast) == len(frames_general) >= 12
    for (h1, c1), (h2, c2) in zip(frames_fast, frames_general):
        assert {k: v for k, v in h1.items() if k != "seq"} == {
            k: v for k, v in h2.items() if k != "seq"
        }
        assert c1.keys() == c2.keys()
        for name in c1:
            np.testing.assert_array_equal(c1[name], c2[name])
    assert any(taken) and not all(taken)  # both kinds of frame were met
    for name in STUDIES:
        assert_same(shown(fast, name), reference(fast, name))
    fast.close()
    general.close()


async def test_new_parameters_and_an_interval_switch_after_fast_frames(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=STUDIES)
    await settle(chart)
    feed.trade(SYM, 2, dt_ms=1000)
    await settle(chart)
    assert not sent.frames(chart)[-1][0].get("reset")
    # new parameters: a full frame of the new values, and the forming-bar frames after it
    # carry the new study's values (its state is not the old run's)
    chart.add_study("macd", fast=5, slow=30)
    await settle(chart)
    header, cols = sent.frames(chart)[-1]
    assert header["reset"]
    n = len(sent.frames(chart))
    feed.trade(SYM, 2, dt_ms=1000)
    await settle(chart)
    header, cols = sent.frames(chart)[n]
    assert not header.get("reset")
    want = reference(chart, "macd", fast=5, slow=30).iloc[-1].to_numpy()
    packed = cols["studies"].reshape(-1, len(chart._study_set.columns()))
    np.testing.assert_allclose(packed[-1, :3], want, rtol=1e-9)
    # an interval switch: a full frame of the new bars, never a delta of the old store's
    n = len(sent.frames(chart))
    chart.interval = "5m"
    feed.trade(SYM, 2, dt_ms=1000)
    await settle(chart)
    frames = sent.frames(chart)[n:]
    assert frames[0][0]["reset"] and frames[0][0]["interval"] == "5m"
    assert all(h["interval"] == "5m" for h, _ in frames if h["kind"] == "bars")
    assert_same(shown(chart, "kdj"), reference(chart, "kdj"))
    chart.close()


async def test_the_levels_follow_the_previous_close(sent) -> None:
    feed = Feed.detached()
    code = "600519.SH"
    day = feed.bar_store(code, "1d")
    t = 1_795_536_000_000 - 86_400_000 * np.arange(3, 0, -1)  # midnights UTC, oldest first
    closes = np.array([1500.0, 1510.0, 1520.0])
    rows = np.column_stack([t, closes, closes + 5, closes - 5, closes, [1e4] * 3, closes * 1e4])
    feed.apply_bar_rows(day, rows, np.array([True, True, False]))
    minute = feed.bar_store(code, "1m")
    m_t = int(t[-1]) + 90 * 60_000
    feed.apply_bar_rows(
        minute, np.array([[m_t, 1520, 1521, 1519, 1520, 100, 152_000]]), np.array([False])
    )
    chart = iw.CandleChart(code, "1m", feed=feed)
    chart._on_views({"id": "test", "n": 1})
    assert chart._levels["prev_close"] == pytest.approx(1510.0)
    asked: list[str] = []
    real = feed.quote
    feed.quote = lambda s: asked.append(s) or real(s)  # type: ignore[method-assign]
    for k in range(3):  # trades: the forming bars change, the previous close does not
        feed.apply_bar_rows(
            minute,
            np.array([[m_t, 1520, 1522, 1519, 1521 + k, 101 + k, 153_000]]),
            np.array([False]),
        )
        feed.apply_bar_rows(
            day,
            np.array([[t[-1], 1520, 1525, 1515, 1521 + k, 1e4 + k, 1.5e7]]),
            np.array([False]),
        )
        chart._flush()
    assert asked == []
    assert chart._levels["prev_close"] == pytest.approx(1510.0)
    # the previous day settles at another close: the next frame has the new levels
    feed.apply_bar_rows(
        day, np.array([[t[-2], 1510, 1515, 1505, 1512.0, 1e4, 1.5e7]]), np.array([True])
    )
    feed.apply_bar_rows(
        minute, np.array([[m_t, 1520, 1522, 1519, 1525, 110, 160_000]]), np.array([False])
    )
    chart._flush()
    assert asked == [code]
    assert chart._levels["prev_close"] == pytest.approx(1512.0)
    assert chart._levels["limit_up"] == pytest.approx(round(1512.0 * 1.1, 2))
    chart.close()
    await feed.aclose()
