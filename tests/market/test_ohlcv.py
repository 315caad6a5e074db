"""The one OHLCV reducer, against a dictionary group-by written here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from infoway_widgets.market import bar_span, parse_symbol, session_bounds
from infoway_widgets.market.ohlcv import OHLCV, group_ohlcv, trade_bars


def by_dict(keys, o, h, lo, c, v, vw):
    out: dict[int, list] = {}
    for k, *row in zip(keys.tolist(), o, h, lo, c, v, vw):
        b = out.get(k)
        if b is None:
            out[k] = list(row)
        else:
            b[1], b[2], b[3] = max(b[1], row[1]), min(b[2], row[2]), row[3]
            b[4] += row[4]
            b[5] += row[5]
    return out


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_group_ohlcv_equals_a_dict_group_by_and_keeps_the_dtype(dtype):
    rng = np.random.default_rng(3)
    n = 500
    keys = np.sort(rng.integers(0, 40, n))
    c = rng.integers(100, 200, n).astype(dtype)
    o = (c + rng.integers(-3, 4, n)).astype(dtype)
    h = np.maximum(o, c) + 2
    lo = np.minimum(o, c) - 2
    v = rng.integers(1, 10, n).astype(dtype)
    vw = v * c
    got_keys, got = group_ohlcv(keys, OHLCV(o, h, lo, c, v, vw))
    want = by_dict(keys, o, h, lo, c, v, vw)
    assert got_keys.tolist() == sorted(want)
    for i, k in enumerate(got_keys.tolist()):
        assert [x[i] for x in got] == want[k]
    assert all(x.dtype == dtype for x in got)
    empty_keys, empty = group_ohlcv(keys[:0], OHLCV(o[:0], h[:0], lo[:0], c[:0], v[:0], vw[:0]))
    assert len(empty_keys) == 0 and all(len(x) == 0 for x in empty)


def test_trade_bars_first_and_last_by_time_then_arrival():
    # arrival order; bar 60 has an early print arriving last and two prints at its latest time
    opens = np.array([0, 60, 0, 60, 60, 60, 0], dtype=np.int64)
    t = np.array([5, 70, 1, 90, 90, 61, 59], dtype=np.int64)
    p = np.array([10.0, 20.0, 11.0, 21.0, 22.0, 19.0, 12.0])
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    tb = trade_bars(opens, t, p, v, p * v)
    assert tb.open_ms.tolist() == [0, 60]
    b = tb.bars
    assert b.open.tolist() == [11.0, 19.0]  # earliest by time, whatever the arrival
    assert b.close.tolist() == [12.0, 22.0]  # latest by time; of equal times the later arrival
    assert b.high.tolist() == [12.0, 22.0] and b.low.tolist() == [10.0, 19.0]
    assert b.volume.tolist() == [11.0, 17.0]
    assert tb.t_last.tolist() == [59, 90]


def test_trade_bars_one_bar_shortcut_agrees_with_the_sort():
    rng = np.random.default_rng(4)
    t = rng.integers(0, 50, 200).astype(np.int64)  # many equal times, out of order
    p = rng.integers(100, 120, 200).astype(np.float64)
    v = rng.integers(1, 5, 200).astype(np.float64)
    one = trade_bars(np.zeros(200, dtype=np.int64), t, p, v, p * v)
    # the same trades with a second, later bar appended take the sorting path
    opens2 = np.r_[np.zeros(200, dtype=np.int64), [100]]
    two = trade_bars(opens2, np.r_[t, [100]], np.r_[p, [1.0]], np.r_[v, [1.0]], np.r_[p * v, [1.0]])
    assert [x[0] for x in one.bars] == [x[0] for x in two.bars]
    assert one.t_last[0] == two.t_last[0]


def test_daily_bar_span_leaves_out_the_lunch_break():
    a = parse_symbol("600519.SH")
    day = dt.date(2026, 11, 25)
    (m0, m1), (a0, a1) = session_bounds(a, day)
    midnight = int(dt.datetime(2026, 11, 25, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    op = midnight * 1000
    assert bar_span(a, "1d", op) == (m0, m1)
    assert bar_span(a, "1d", op, m0 - 600_000) == (m0, m1)  # the auction: the morning comes next
    assert bar_span(a, "1d", op, m0 + 1) == (m0, m1)
    assert bar_span(a, "1d", op, m1 + 30_000) == (a0, a1)  # lunch: the afternoon comes next
    assert bar_span(a, "1d", op, a1 + 30_000) == (a0, a1)  # the closing print: still the last part
    assert bar_span(a, "5m", m0 + 300_000) == (m0 + 300_000, m0 + 600_000)
