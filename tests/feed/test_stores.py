import numpy as np
import pandas as pd

from infoway_widgets.feed.stores import BarStore, BookStore, TapeStore, keep_live_progress
from infoway_widgets.market import parse_symbol

A = parse_symbol("600519.SH")
T0 = 1_764_034_200_000  # 2025-11-25 09:30 Asia/Shanghai


def trades(ts, ps, vs):
    t = np.asarray(ts, dtype=np.int64)
    p = np.asarray(ps, dtype=float)
    v = np.asarray(vs, dtype=float)
    return (t // 60_000) * 60_000, t, p, v, p * v


def test_trades_fold_into_ohlcv_exactly():
    s = BarStore(A, "1m")
    s.apply_trades(
        *trades([T0, T0 + 10, T0 + 59_999, T0 + 60_000], [10, 12, 11, 9], [100, 200, 300, 400])
    )
    df = s.to_pandas()
    assert list(df.index.strftime("%H:%M")) == ["09:30", "09:31"]
    assert df.iloc[0][["open", "high", "low", "close", "volume", "turnover"]].tolist() == [
        10,
        12,
        10,
        11,
        600,
        6700,
    ]
    assert df.iloc[0]["vwap"] == 6700 / 600
    assert str(df.index.tz) == "Asia/Shanghai"


def test_batches_equal_one_batch_and_out_of_order_trade_keeps_close():
    ts = [T0 + i * 1000 for i in range(120)]
    ps = [10 + (i % 7) * 0.01 for i in range(120)]
    vs = [100] * 120
    one = BarStore(A, "1m")
    one.apply_trades(*trades(ts, ps, vs))
    many = BarStore(A, "1m")
    for k in range(0, 120, 13):
        many.apply_trades(*trades(ts[k : k + 13], ps[k : k + 13], vs[k : k + 13]))
    pd.testing.assert_frame_equal(one.to_pandas(), many.to_pandas())
    late = BarStore(A, "1m")
    late.apply_trades(*trades([T0 + 5000], [10.5], [100]))
    late.apply_trades(*trades([T0 + 1000], [99.0], [100]))  # arrives late, earlier time
    assert late.last()["close"] == 10.5 and late.last()["high"] == 99.0


def test_one_bar_per_open_time_whatever_the_source():
    s = BarStore(A, "1m")
    s.apply_trades(*trades([T0 + 1000], [10], [100]))
    s.upsert(T0, 9.9, 10.2, 9.8, 10.1, 500, 5050)  # candle push with earlier trades
    s.merge(
        np.array([T0, T0 - 60_000]),
        [9.9, 9],
        [10.2, 9.5],
        [9.8, 8.8],
        [10.1, 9.2],
        [500, 10],
        [5050, 92],
    )
    assert list(s.t) == [T0 - 60_000, T0]
    assert len(np.unique(s.t)) == len(s)


def test_settled_bar_is_not_double_counted_by_replayed_trades():
    s = BarStore(A, "1m")
    s.merge(np.array([T0]), [10], [11], [9], [10.5], [1000], [10_000], settled=True)
    s.apply_trades(*trades([T0 + 100], [10.2], [100]))
    assert s.last()["volume"] == 1000


def test_candle_push_never_rolls_back_a_live_bar():
    s = BarStore(A, "1m")
    s.apply_trades(*trades([T0 + 1000, T0 + 2000], [10, 10.8], [100, 900]))
    s.upsert(T0, 10, 10.5, 10, 10.5, 100, 1000)  # a stale push
    last = s.last()
    assert last["high"] == 10.8 and last["volume"] == 1000


def test_changed_since_returns_only_touched_bars():
    s = BarStore(A, "1m")
    s.apply_trades(*trades([T0 + i * 60_000 for i in range(10)], [10] * 10, [1] * 10))
    v = s.version
    s.apply_trades(*trades([T0 + 9 * 60_000 + 5], [11], [1]))
    ch = s.changed_since(v)
    assert ch["t"].tolist() == [T0 + 9 * 60_000] and ch["close"].tolist() == [11]
    assert s.changed_since(s.version)["t"].size == 0


def test_memory_is_bounded_and_trimming_is_not_a_reset():
    s = BarStore(A, "1m", capacity=100)
    for k in range(10):
        s.apply_trades(
            *trades([T0 + (k * 50 + i) * 60_000 for i in range(50)], [10] * 50, [1] * 50)
        )
    assert len(s) == 100
    assert s.dropped == 400 and s.epoch == 0  # dropping old bars must not force readers to resend
    assert s.t[-1] == T0 + 499 * 60_000 and np.all(np.diff(s.t) > 0)
    assert s._t.shape[0] <= 2 * 100 + 16


def test_book_ignores_older_snapshot_and_computes_imbalance():
    b = BookStore(A)
    b.update(2, np.array([10.0, 9.99]), np.array([300, 100]), np.array([10.01]), np.array([200]))
    b.update(1, np.array([1.0]), np.array([1]), np.array([2.0]), np.array([1]))
    s = b.snapshot
    assert s.best_bid == 10.0 and s.best_ask == 10.01
    assert abs(s.spread - 0.01) < 1e-12 and abs(s.mid - 10.005) < 1e-12
    assert s.imbalance() == (400 - 200) / 600
    assert s.depth_difference() == 200
    assert list(s.to_pandas().columns) == ["bid_px", "bid_vol", "ask_px", "ask_vol"]


def test_tape_ring_newest_first_and_since():
    tp = TapeStore(A, capacity=3)
    tp.append(
        np.arange(5, dtype=np.int64) + T0,
        np.arange(5.0) + 10,
        np.ones(5),
        np.arange(5.0) + 10,
        np.array([1, 2, 0, 1, 2]),
    )
    df = tp.to_pandas()
    assert df["price"].tolist() == [14, 13, 12]
    assert tp.since(4)["price"].tolist() == [14]
    assert tp.since(0)["price"].tolist() == [12, 13, 14]  # only what the ring still holds
    tp.append(
        np.array([T0 + 9] * 10, dtype=np.int64),
        np.full(10, 20.0),
        np.ones(10),
        np.full(10, 20.0),
        np.zeros(10),
    )
    assert tp.total == 15 and len(tp) == 3


def test_merge_policy_a_settled_bar_only_widens():
    s = BarStore(A, "1m")
    s.merge(np.array([T0]), [10.0], [11.0], [9.0], [10.5], [1000.0], [10_000.0], settled=True)
    s.fold(T0, 7.0, 12.0, 8.0, 7.0, 100.0, 700.0, T0 + 900)
    assert list(s.last().values())[1:] == [10.0, 12.0, 8.0, 10.5, 1000.0, 10_000.0]
    v = s.version
    s.fold(T0, 7.0, 11.5, 8.5, 7.0, 100.0, 700.0, T0 + 900)  # inside the range: nothing moves
    assert list(s.last().values())[1:] == [10.0, 12.0, 8.0, 10.5, 1000.0, 10_000.0]
    assert s.changed_since(v)["t"].tolist() == [T0]  # but readers see it was touched


def test_merge_policy_a_forming_bar_adds_and_a_late_trade_keeps_the_close():
    s = BarStore(A, "1m")
    s.fold(T0, 10.0, 11.0, 9.0, 10.5, 1000.0, 10_000.0, T0 + 500)
    s.fold(T0, 10.2, 10.8, 9.5, 10.2, 100.0, 1020.0, T0 + 400)  # older than the close
    assert list(s.last().values())[1:] == [10.0, 11.0, 9.0, 10.5, 1100.0, 11_020.0]
    s.fold(T0, 11.2, 11.2, 9.5, 11.2, 100.0, 1120.0, T0 + 500)  # same time: the newer wins
    assert list(s.last().values())[1:] == [10.0, 11.2, 9.0, 11.2, 1200.0, 12_140.0]


def test_merge_policy_a_candle_never_rolls_a_live_bar_back():
    live = np.array([10.0, 10.8, 9.9, 10.7, 1000.0, 10_500.0])
    stale = np.array([10.0, 10.5, 10.0, 10.5, 100.0, 1000.0])
    keep_live_progress(stale, live)
    assert stale.tolist() == [10.0, 10.8, 9.9, 10.7, 1000.0, 10_500.0]
    newer = np.array([10.0, 11.0, 9.5, 10.9, 1500.0, 16_000.0])
    keep_live_progress(newer, live)  # the service is ahead: its candle stands
    assert newer.tolist() == [10.0, 11.0, 9.5, 10.9, 1500.0, 16_000.0]


def test_tape_last_is_the_newest_trade():
    tp = TapeStore(A, capacity=3)
    assert tp.last() is None
    tp.append(np.arange(5, dtype=np.int64) + T0, np.arange(5.0) + 10, *np.ones((3, 5)))
    assert tp.last() == (T0 + 4, 14.0)
