import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from infoway_widgets.errors import BadIntervalError
from infoway_widgets.market import (
    bar_end,
    bar_grid,
    bar_open,
    bar_opens,
    is_trading,
    is_trading_day,
    last_session_day,
    parse_interval,
    parse_symbol,
    phase,
    session_bounds,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
DAY = dt.date(2026, 11, 25)  # a Wednesday, a trading day in Shanghai, Hong Kong and New York


def ms(day, hh, mm, ss=0, tz=SH):
    return int(dt.datetime.combine(day, dt.time(hh, mm, ss), tzinfo=tz).timestamp() * 1000)


def local(t, tz=SH):
    return dt.datetime.fromtimestamp(t / 1000, tz=tz).strftime("%H:%M")


A = parse_symbol("600519.SH")


def test_a_share_sessions_and_lunch():
    b = session_bounds(A, DAY)
    assert [(local(x), local(y)) for x, y in b] == [("09:30", "11:30"), ("13:00", "15:00")]
    assert is_trading(A, ms(DAY, 10, 0)) and is_trading(A, ms(DAY, 14, 59))
    assert not is_trading(A, ms(DAY, 12, 0)) and not is_trading(A, ms(DAY, 9, 20))
    assert phase(A, ms(DAY, 9, 20)) == "auction"
    assert phase(A, ms(DAY, 9, 0)) == "pre-open"
    assert phase(A, ms(DAY, 12, 0)) == "break"
    assert phase(A, ms(DAY, 15, 30)) == "closed"


def test_weekend_and_holiday_are_not_trading_days():
    assert not is_trading_day("XSHG", dt.date(2026, 11, 28))  # Saturday
    assert not is_trading_day("XSHG", dt.date(2026, 10, 1))  # National Day
    assert session_bounds(A, dt.date(2026, 10, 1)) == []
    assert is_trading_day(None, dt.date(2026, 11, 28))  # crypto trades every day
    assert not is_trading_day("24/5", dt.date(2026, 11, 28))


def test_minute_bars_skip_lunch_and_fold_auction_and_close():
    t = np.array(
        [
            ms(DAY, 9, 25),
            ms(DAY, 9, 30),
            ms(DAY, 9, 30, 59),
            ms(DAY, 11, 29, 59),
            ms(DAY, 11, 30),
            ms(DAY, 12, 0),
            ms(DAY, 13, 0),
            ms(DAY, 15, 0),
            ms(DAY, 15, 5),
        ]
    )
    got = bar_opens(A, "1m", t)
    labels = [local(x) if x >= 0 else None for x in got]
    assert labels == ["09:30", "09:30", "09:30", "11:29", "11:29", None, "13:00", "14:59", None]


def test_hour_bars_restart_at_each_session():
    grid = bar_grid(A, "1h", ms(DAY, 0, 0), ms(DAY, 23, 0))
    assert [local(x) for x in grid] == ["09:30", "10:30", "13:00", "14:00"]
    assert len(bar_grid(A, "1m", ms(DAY, 0, 0), ms(DAY, 23, 0))) == 240
    assert len(bar_grid(A, "30m", ms(DAY, 0, 0), ms(DAY, 23, 0))) == 8
    assert local(bar_end(A, "1h", ms(DAY, 10, 30))) == "11:30"


def test_daily_weekly_bars_open_at_local_midnight():
    d = bar_open(A, "1d", ms(DAY, 10, 0))
    assert dt.datetime.fromtimestamp(d / 1000, tz=SH) == dt.datetime(2026, 11, 25, tzinfo=SH)
    w = bar_open(A, "1w", ms(DAY, 10, 0))
    assert dt.datetime.fromtimestamp(w / 1000, tz=SH).date() == dt.date(2026, 11, 23)


def test_hong_kong_closing_auction_and_lunch():
    hk = parse_symbol("00700.HK")
    tz = ZoneInfo("Asia/Hong_Kong")
    t = np.array([ms(DAY, 12, 30, tz=tz), ms(DAY, 16, 8, tz=tz), ms(DAY, 11, 59, tz=tz)])
    got = bar_opens(hk, "1m", t)
    assert got[0] == -1
    assert local(got[1], tz) == "15:59"
    assert local(got[2], tz) == "11:59"


def test_us_session_in_new_york_time_across_dst():
    us = parse_symbol("AAPL.US")
    summer = dt.date(2026, 7, 15)
    for day in (summer, DAY):
        b = session_bounds(us, day)
        assert [(local(x, NY), local(y, NY)) for x, y in b] == [("09:30", "16:00")]
    assert bar_open(us, "1m", ms(summer, 9, 29, tz=NY)) is None


def test_crypto_is_epoch_aligned_every_day():
    c = parse_symbol("BTCUSDT")
    sat = int(dt.datetime(2026, 11, 28, 3, 7, 30, tzinfo=dt.timezone.utc).timestamp() * 1000)
    assert bar_open(c, "5m", sat) == sat - (sat % 300_000)
    assert bar_open(c, "1d", sat) == sat - (sat % 86_400_000)


def test_fx_closed_at_weekend_and_day_rolls_at_5pm_new_york():
    fx = parse_symbol("USDCNY")
    sat = int(dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
    assert bar_open(fx, "1m", sat) is None
    wed_6pm = ms(DAY, 18, 0, tz=NY)
    d = bar_open(fx, "1d", wed_6pm)
    assert dt.datetime.fromtimestamp(d / 1000, tz=NY) == dt.datetime(2026, 11, 25, 17, 0, tzinfo=NY)


def test_last_session_day_before_open_is_previous_day():
    assert last_session_day(A, ms(DAY, 8, 0)) == dt.date(2026, 11, 24)
    assert last_session_day(A, ms(DAY, 20, 0)) == DAY
    assert last_session_day(A, ms(dt.date(2026, 11, 29), 10, 0)) == dt.date(
        2026, 11, 27
    )  # Sunday → Friday


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(1)
    t = ms(DAY, 9, 0) + rng.integers(0, 7 * 3600 * 1000, 500)
    v = bar_opens(A, "5m", t)
    for x, y in zip(t[:50], v[:50]):
        s = bar_open(A, "5m", int(x))
        assert (s if s is not None else -1) == y


@pytest.mark.parametrize(
    "name,kt",
    [
        ("1m", 1),
        ("5min", 2),
        ("15m", 3),
        ("30m", 4),
        ("1h", 5),
        ("60m", 5),
        ("1d", 8),
        ("D", 8),
        ("1w", 9),
        ("1M", 10),
        (8, 8),
    ],
)
def test_intervals(name, kt):
    assert parse_interval(name).kline_type == kt


@pytest.mark.parametrize("bad", ["7m", "", "1x", 13, 0, True])
def test_bad_interval_says_what_works(bad):
    with pytest.raises(BadIntervalError) as ei:
        parse_interval(bad)
    assert "1m" in str(ei.value) or "klineType" in str(ei.value)
