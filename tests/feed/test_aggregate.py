"""Trades into bar rows, pure: the aggregator against a group-by written here from the A-share
rules (auction prints fold into the first bar, the minute after a session's end into its last bar,
nothing in the lunch break), across bar boundaries, days, batch splits and out-of-order trades."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from infoway_widgets.feed.aggregate import Aggregator, DayFlow, SpanCache, Watched
from infoway_widgets.feed.stores import BarStore
from infoway_widgets.market import parse_interval, parse_symbol
from infoway_widgets.protocol.decode import TradeColumns

SH = ZoneInfo("Asia/Shanghai")
SYMS = ["600519.SH", "000001.SZ"]
INSTS = {s: parse_symbol(s) for s in SYMS}
IVS = [parse_interval(x) for x in ("1m", "5m", "1d")]
DAYS = [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]  # Tuesday, Wednesday: trading days


def ms(day: dt.date, hh: int, mm: int, ss: float = 0.0) -> int:
    base = dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SH)
    return int(base.timestamp() * 1000 + ss * 1000)


def tod(h: int, m: int) -> int:
    return (h * 60 + m) * 60_000


def expected_open(t: int, step_min: int | None) -> int | None:
    """The bar a print belongs to, from the rules (not from the calendar code): ``step_min``
    minutes, or None for the daily bar."""
    local = dt.datetime.fromtimestamp(t / 1000, tz=SH)
    day = local.date()
    midnight = int(dt.datetime.combine(day, dt.time(), tzinfo=SH).timestamp() * 1000)
    x = t - midnight
    sessions = [(tod(9, 30), tod(11, 30)), (tod(13, 0), tod(15, 0))]
    if tod(9, 15) <= x < tod(9, 30):
        x = tod(9, 30)  # the opening call auction belongs to the first bar
    where = None
    for start, end in sessions:
        if start <= x < end:
            where = (start, x)
        elif end <= x < end + 60_000:
            where = (start, end - 1)  # the closing print belongs to the session's last bar
    if where is None:
        return None
    if step_min is None:
        return midnight
    start, x = where
    step = step_min * 60_000
    return midnight + start + (x - start) // step * step


def make_trades(seed: int) -> list[tuple[str, int, float, float, int]]:
    """(symbol, t, price, volume, direction) in arrival order: two days of prints in every place
    the rules care about, a few of them out of order."""
    rng = np.random.default_rng(seed)
    spots = []
    for day in DAYS:
        spots += [ms(day, 9, 0)]  # pre-open: no bar
        spots += sorted(ms(day, 9, 15, s) for s in rng.uniform(0, 600, 6))  # auction
        spots += sorted(ms(day, 9, 30, s) for s in rng.uniform(0, 7200, 70))  # morning
        spots += [ms(day, 11, 30, 0.0), ms(day, 11, 30, 30.0)]  # closing grace of the morning
        spots += [ms(day, 12, 0)]  # lunch: no bar
        spots += sorted(ms(day, 13, 0, s) for s in rng.uniform(0, 7200, 70))  # afternoon
        spots += [ms(day, 15, 0, 0.0)]  # the closing auction's print
        spots += [ms(day, 15, 30)]  # after the close: no bar
    out = []
    px = {s: 10.0 + 5 * i for i, s in enumerate(SYMS)}
    for t in spots:
        for s in SYMS:
            if rng.random() < 0.8:
                px[s] = round(px[s] + rng.choice([-0.01, 0.0, 0.01]), 2)
                out.append((s, t, px[s], float(rng.integers(1, 20) * 100), int(rng.integers(0, 3))))
    # out of order: some neighbours swapped, and a few prints arrive well after their time
    for i in rng.choice(len(out) - 1, 25, replace=False):
        out[i], out[i + 1] = out[i + 1], out[i]
    for i in rng.choice(len(out) - 40, 5, replace=False):
        out.insert(i + 30, out.pop(i))
    # equal times: the later arrival is the later print
    out.insert(100, (out[99][0], out[99][1], out[99][2] + 0.05, 100.0, 1))
    return out


def columns(trades: list[tuple[str, int, float, float, int]]) -> TradeColumns:
    return TradeColumns(
        np.array([x[0] for x in trades], dtype=object),
        np.array([x[1] for x in trades], dtype=np.int64),
        np.array([x[2] for x in trades], dtype=np.float64),
        np.array([x[3] for x in trades], dtype=np.float64),
        np.array([x[2] * x[3] for x in trades], dtype=np.float64),
        np.array([x[4] for x in trades], dtype=np.int8),
    )


def split(n: int, rng: np.random.Generator, mean: int) -> list[slice]:
    cuts = sorted(set(rng.integers(1, n, max(1, n // mean)).tolist()))
    edges = [0, *cuts, n]
    return [slice(a, b) for a, b in itertools.pairwise(edges) if b > a]


def group_by(trades, batches, step_min):
    """The independent group-by: per (symbol, bar open) the OHLCV the feed must hold. A bar opens
    at the earliest print of the first batch that reaches it (a later, older print cannot reopen
    it); it closes at its latest print by time, the later arrival of equal times winning."""
    bars: dict[tuple[str, int], list[float]] = {}
    latest: dict[tuple[str, int], tuple[int, int]] = {}
    for sl in batches:
        firsts: dict[tuple[str, int], tuple[int, int, float]] = {}
        for idx in range(sl.start, sl.stop):
            s, t, p, v, _ = trades[idx]
            op = expected_open(t, step_min)
            if op is None:
                continue
            key = (s, op)
            if key not in bars:
                f = firsts.get(key)
                if f is None or (t, idx) < f[:2]:
                    firsts[key] = (t, idx, p)
        for idx in range(sl.start, sl.stop):
            s, t, p, v, _ = trades[idx]
            op = expected_open(t, step_min)
            if op is None:
                continue
            key = (s, op)
            b = bars.get(key)
            if b is None:
                o = firsts[key][2]
                b = bars[key] = [o, p, p, o, 0.0, 0.0]
            b[1], b[2] = max(b[1], p), min(b[2], p)
            b[4] += v
            b[5] += p * v
            if key not in latest or (t, idx) >= latest[key]:
                latest[key] = (t, idx)
                b[3] = p
    return bars


def run(trades, batches):
    agg = Aggregator()
    stores = {(s, iv.name): BarStore(INSTS[s], iv) for s in SYMS for iv in IVS}
    watched = {s: Watched(INSTS[s], tuple(IVS)) for s in SYMS}
    flows = {s: DayFlow() for s in SYMS}
    rollovers = []
    cols = columns(trades)
    for sl in batches:
        idx = np.arange(sl.start, sl.stop)
        batch = agg.fold(cols.take(np.isin(np.arange(len(cols)), idx)), watched)
        rollovers.append(batch.rollovers)
        for r in batch.runs:
            flows[r.symbol].add(r.day_open, r.buy, r.sell, r.neutral)
            for row in r.rows:
                stores[(r.symbol, row.interval)].fold(*row[1:])
    return stores, flows, rollovers


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("mean_batch", [1, 25, 100_000])
def test_bars_equal_the_group_by_whatever_the_batches(seed, mean_batch):
    trades = make_trades(seed)
    batches = split(len(trades), np.random.default_rng(seed + 100), mean_batch)
    stores, _, _ = run(trades, batches)
    for iv, step in (("1m", 1), ("5m", 5), ("1d", None)):
        want = group_by(trades, batches, step)
        for s in SYMS:
            st = stores[(s, iv)]
            got = {
                int(t): [
                    st.column(k)[i] for k in ("open", "high", "low", "close", "volume", "turnover")
                ]
                for i, t in enumerate(st.t)
            }
            exp = {op: b for (sym, op), b in want.items() if sym == s}
            assert sorted(got) == sorted(exp), (s, iv)
            for op, b in exp.items():
                np.testing.assert_allclose(got[op], b, rtol=1e-12, err_msg=f"{s} {iv} {op}")
    # the places the rules care about really were exercised
    m1 = stores[("600519.SH", "1m")]
    lunch_end = ms(DAYS[0], 11, 29)
    assert lunch_end in m1.t and ms(DAYS[0], 14, 59) in m1.t and ms(DAYS[0], 9, 30) in m1.t
    assert not ((m1.t >= ms(DAYS[0], 11, 30)) & (m1.t < ms(DAYS[0], 13, 0))).any()
    assert len(stores[("600519.SH", "1d")]) == 2


def test_one_batch_gives_one_row_per_bar_touched():
    trades = make_trades(5)
    agg = Aggregator()
    watched = {s: Watched(INSTS[s], tuple(IVS)) for s in SYMS}
    batch = agg.fold(columns(trades), watched)
    want = group_by(trades, [slice(0, len(trades))], 5)
    for r in batch.runs:
        rows = {row.open_ms: row for row in r.rows if row.interval == "5m"}
        exp = {op: b for (s, op), b in want.items() if s == r.symbol}
        assert sorted(rows) == sorted(exp)
        for op, b in exp.items():
            row = rows[op]
            got = [row.first, row.high, row.low, row.last, row.volume, row.turnover]
            np.testing.assert_allclose(got, b, rtol=1e-12)
    assert batch.trades == len(trades)
    assert batch.t_max == max(t for _, t, *_ in trades)


def test_rollovers_name_each_series_whose_newest_bar_moved_on():
    trades = sorted(make_trades(7), key=lambda x: x[1])  # in time order: bars only move forward
    batches = split(len(trades), np.random.default_rng(8), 9)
    _, _, rolled = run(trades, batches)
    newest: dict[tuple[str, str], int] = {}
    for sl, got in zip(batches, rolled):
        want = []
        for s in SYMS:
            for iv, step in (("1m", 1), ("5m", 5), ("1d", None)):
                opens = [expected_open(t, step) for sym, t, *_ in trades[sl] if sym == s]
                opens = [o for o in opens if o is not None]
                if not opens:
                    continue
                top, prev = max(opens), newest.get((s, iv))
                if prev is not None and top > prev:
                    want.append((s, iv))
                if prev is None or top > prev:
                    newest[(s, iv)] = top
        assert sorted(got) == sorted(want)
    assert sum(len(r) for r in rolled) > 50  # minute bars rolled over all day


def test_day_flow_counts_each_trading_day_afresh():
    trades = sorted(make_trades(9), key=lambda x: x[1])
    batches = split(len(trades), np.random.default_rng(10), 30)
    _, flows, _ = run(trades, batches)
    # a batch counts toward the trading day of its latest print; a print outside any trading day
    # (before the auction, after the close) counts toward the day being counted
    for s in SYMS:
        day, want = None, [0.0, 0.0, 0.0]
        for sl in batches:
            mine = [x for x in trades[sl] if x[0] == s]
            if not mine:
                continue
            d = expected_open(max(x[1] for x in mine), None)
            if d is not None and d != day:
                day, want = d, [0.0, 0.0, 0.0]
            for x in mine:
                want[[2, 0, 1][x[4]]] += x[3]
        f = flows[s]
        assert day == f.day_open == ms(DAYS[1], 0, 0)
        assert [f.buy, f.sell, f.neutral] == pytest.approx(want)
        assert 0 < f.buy < sum(x[3] for x in trades if x[0] == s and x[4] == 1)


def test_unwatched_symbols_and_intervals_make_nothing():
    trades = make_trades(11)
    agg = Aggregator()
    only = {"600519.SH": Watched(INSTS["600519.SH"], ())}  # a tape, no bars; 000001.SZ unwatched
    batch = agg.fold(columns(trades), only)
    assert [r.symbol for r in batch.runs] == ["600519.SH"]
    run_ = batch.runs[0]
    assert run_.rows == [] and batch.rollovers == []
    mine = [x for x in trades if x[0] == "600519.SH"]
    assert len(run_.t) == len(mine)
    assert sorted(run_.t.tolist()) == sorted(x[1] for x in mine)
    assert batch.trades == len(trades)


def test_span_cache_answers_inside_the_bar_and_recomputes_outside():
    inst, iv = INSTS["600519.SH"], parse_interval("5m")
    spans = SpanCache()
    key = ("600519.SH", "5m")
    assert spans.inside(key, 0, 0) is None
    t = np.array([ms(DAYS[0], 10, 1), ms(DAYS[0], 10, 3)], dtype=np.int64)
    assert spans.opens(inst, iv, t).tolist() == [ms(DAYS[0], 10, 0)] * 2
    assert spans.inside(key, ms(DAYS[0], 10, 0), ms(DAYS[0], 10, 4, 59.999)) == ms(DAYS[0], 10, 0)
    assert spans.inside(key, ms(DAYS[0], 10, 0), ms(DAYS[0], 10, 5)) is None
    # a print in the lunch break belongs to no bar and leaves the cache alone
    assert spans.open_of(inst, iv, ms(DAYS[0], 12, 0)) is None
    assert spans.inside(key, ms(DAYS[0], 10, 2), ms(DAYS[0], 10, 2)) == ms(DAYS[0], 10, 0)
