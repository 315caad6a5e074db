"""Simulated history is as deep as asked: minutes of any past day, drawn from the seed on demand,
add up to that day's daily bar; the archive keeps a bounded number of them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from infoway_widgets.market import BY_KLINE
from infoway_widgets.sim.bars import aggregate_minutes
from infoway_widgets.sim.history import HIST_EPOCH

from .conftest import fake_market, run_to, sh

CODES = ["600519.SH", "00700.HK", "AAPL.US", "BTCUSDT", "XAUUSD", "600200.SH"]
ONE_DAY = BY_KLINE[8]


def _day_bar(bars, i):
    return tuple(int(getattr(bars, k)[i]) for k in ("t", "o", "h", "l", "c", "v", "vw"))


@pytest.mark.parametrize(("kline_type", "codes"), [(1, CODES), (5, CODES), (7, CODES[2:4])])
def test_intraday_history_has_as_many_bars_as_asked(kline_type, codes):
    market, _ = fake_market(sh(10, 0), codes=codes)
    for code in codes:
        got = market.candles(code, kline_type, 500)
        assert len(got) == 500, (code, BY_KLINE[kline_type].name, len(got))
        times = [c[0] for c in got]
        assert times == sorted(times, reverse=True) and len(set(times)) == 500


def test_paging_back_a_1h_chart_keeps_loading_until_the_listing_date():
    market, _ = fake_market(sh(10, 0), codes=["600519.SH"])
    pages = []
    end = None
    while True:
        page = market.candles("600519.SH", 5, 500, end)
        if not page:
            break
        pages.append(len(page))
        end = page[-1][0] - 1
    # 2024-01-02 to 2026-11-24 holds about 700 trading days of four 1h bars
    assert len(pages) >= 5 and all(n == 500 for n in pages[:-1])
    oldest = dt.datetime.fromtimestamp((end + 1) / 1000, dt.timezone(dt.timedelta(hours=8)))
    assert oldest.date() == HIST_EPOCH
    # paging drew hundreds of days, but the archive holds a bounded number of minutes
    archive = market.sim("600519.SH").archive
    assert archive.held <= archive.keep + 1440


@pytest.mark.parametrize("code", CODES)
def test_the_minutes_of_past_days_add_up_to_their_daily_bars(code):
    market, _ = fake_market(sh(10, 0), codes=[code])
    s = market.sim(code)
    daily = s.history.daily
    # the newest days, and some from deep in the history
    for i in [*range(len(daily) - 12, len(daily)), 0, 1, len(daily) // 2]:
        minutes = s.archive.day(i)
        assert len(minutes) >= 240
        agg = aggregate_minutes(s.inst, ONE_DAY, minutes)
        assert len(agg) == 1
        assert _day_bar(agg, 0) == _day_bar(daily, i)
        # every minute is a bar: open and close inside its range, its turnover at a price in it
        assert (minutes.l <= np.minimum(minutes.o, minutes.c)).all()
        assert (minutes.h >= np.maximum(minutes.o, minutes.c)).all()
        traded = minutes.v > 0
        assert (minutes.vw[traded] >= minutes.l[traded] * minutes.v[traded]).all()
        assert (minutes.vw[traded] <= minutes.h[traded] * minutes.v[traded]).all()
        assert (minutes.o[1:] == minutes.c[:-1]).all()


def test_past_minutes_depend_on_the_seed_and_the_day_only():
    a, _ = fake_market(sh(10, 0), codes=["600519.SH"])
    # another start, days later: the same past day has the same minutes, drawn in another order
    b, _ = fake_market(sh(14, 0, day=dt.date(2026, 11, 27)), codes=["600519.SH"])
    c, _ = fake_market(sh(10, 0), seed=2, codes=["600519.SH"])
    sa, sb, sc = (m.sim("600519.SH") for m in (a, b, c))
    day = sa.history.days[-5]
    ia, ib = sa.history.days.index(day), sb.history.days.index(day)
    sb.archive.day(ib - 1)
    ma, mb = sa.archive.day(ia), sb.archive.day(ib)
    for k in ("t", "o", "h", "l", "c", "v", "vw"):
        assert np.array_equal(getattr(ma, k), getattr(mb, k)), k
    assert not np.array_equal(ma.c, sc.archive.day(ia).c)


def test_live_day_continues_the_history():
    market, mono = fake_market(sh(9, 30), codes=["600519.SH"])
    run_to(market, mono, sh(10, 30))
    s = market.sim("600519.SH")
    last_day = s.archive.day(len(s.history.days) - 1)
    minutes = market.candles("600519.SH", 1, 400)[::-1]
    today = [m for m in minutes if m[0] > int(last_day.t[-1])]
    # the first live minute's previous close is the last history minute's close
    assert today and today[0][7] == int(last_day.c[-1]) == market.prev_close("600519.SH")
    # 1m bars across the day boundary are the archive's, the same bars
    older = {m[0]: m for m in minutes if int(last_day.t[0]) <= m[0] <= int(last_day.t[-1])}
    assert list(older) == last_day.t.tolist()
    assert [older[t][4] for t in older] == last_day.c.tolist()


def test_daily_history_starts_at_the_listing_date():
    market, _ = fake_market(sh(10, 0), codes=["600519.SH"])
    days = market.candles("600519.SH", 8, 5000)
    s = market.sim("600519.SH")
    assert len(days) == len(s.history.days) + 1  # every past day, and today's
    first = dt.datetime.fromtimestamp(days[-1][0] / 1000, dt.timezone(dt.timedelta(hours=8)))
    assert first.date() == HIST_EPOCH
    assert market.candles("600519.SH", 8, 10, days[-1][0] - 1) == []
