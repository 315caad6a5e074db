"""CandleChart(df): any OHLC[V] DataFrame charted with no feed, key or network; appended bars go
through the same coalescing; studies, lines and markers work the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.errors import BadParameterError
from infoway_widgets.widgets import CandleChart, _base

from .test_sync import settle


def bars(n: int = 120, freq: str = "5min", tz: str | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    close = 10 + np.cumsum(rng.normal(0, 0.05, n))
    return pd.DataFrame(
        {
            "Open": close - 0.01,
            "HIGH": close + 0.05,
            "low": close - 0.05,
            "Close": close,
            "Vol": rng.integers(1, 100, n).astype(float),
        },
        index=pd.date_range("2024-03-01 09:30", periods=n, freq=freq, tz=tz),
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a, **k):
        raise AssertionError("a DataFrame chart must not connect")

    monkeypatch.setattr(_base, "connect", refuse)


async def test_a_dataframe_charts_with_no_feed(no_network, sent) -> None:
    df = bars()
    chart = CandleChart(df, studies=["macd"])
    assert chart.status == "data" and not chart.simulated
    assert chart.symbol == "DATA" and chart.interval == "5m" and chart.intervals == ["5m"]
    assert chart._market["price_decimals"] >= 2
    await settle(chart)
    header, cols = sent.frames(chart)[0]
    assert header["reset"] and header["n"] == len(df)
    # naive times are read in UTC by default; any column case
    assert cols["t"][0] == pd.Timestamp("2024-03-01 09:30", tz="UTC").value // 10**6
    assert np.allclose(cols["close"], df["Close"]) and np.allclose(cols["volume"], df["Vol"])
    ref = iw.studies.macd(chart.bars, convention="intl")
    np.testing.assert_allclose(chart.study_frame("macd").to_numpy(), ref.to_numpy(), equal_nan=True)
    chart.close()


async def test_timezones_names_and_daily_frames(no_network, sent) -> None:
    shanghai = CandleChart(bars(), tz="Asia/Shanghai", name="my factor")
    assert shanghai.bars.index[0] == pd.Timestamp("2024-03-01 09:30", tz="Asia/Shanghai")
    aware = CandleChart(bars(tz="America/New_York"))
    assert aware.bars.index[0] == pd.Timestamp("2024-03-01 09:30", tz="America/New_York")
    daily = bars(freq="B")
    daily.attrs["symbol"] = "600519.SH"  # as iw.history() frames carry it
    moutai = CandleChart(daily)
    assert moutai.interval == "1d" and moutai.symbol == "600519.SH"
    assert moutai._market["red_up"] and moutai._convention() == "cn"
    assert moutai.status == "data"
    for w in (shanghai, aware, moutai):
        w.close()


async def test_append_and_update_last_are_coalesced(no_network, sent) -> None:
    df = bars()
    chart = CandleChart(df, studies=["kdj"], max_fps=20)
    await settle(chart)
    mark = len(sent.frames(chart))
    nxt = df.index[-1] + pd.Timedelta("5min")
    chart.append(
        pd.DataFrame({"open": [10], "high": [10.2], "low": [9.9], "close": [10.1]}, index=[nxt])
    )
    for px in (10.15, 10.3, 10.25):  # three changes in one frame period: one or two frames
        chart.update_last(close=px)
    chart.append(
        {"time": nxt + pd.Timedelta("5min"), "open": 10.2, "high": 10.4, "low": 10.1, "close": 10.3}
    )
    await settle(chart)
    frames = sent.frames(chart)[mark:]
    assert 1 <= len(frames) <= 2 and not any(h.get("reset") for h, _ in frames)
    last = chart.bars.iloc[-2]
    assert last["close"] == 10.25 and last["high"] == 10.3  # the high follows the close
    assert len(chart.bars) == len(df) + 2
    row = pd.Series({"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5}, name=nxt)
    chart.append(row.to_frame().T)
    await settle(chart)
    assert chart.bars.loc[nxt.tz_localize("UTC"), "close"] == 1.5  # a bar at a held time replaced
    k = iw.studies.kdj(chart.bars, convention="intl")
    np.testing.assert_allclose(chart.study_frame("kdj").to_numpy(), k.to_numpy(), equal_nan=True)
    # lines and markers work the same
    line = chart.add_line(chart.bars.close.rolling(5).mean(), name="ma5")
    line.append(nxt, 9.0)
    chart.add_markers(pd.DataFrame({"side": ["buy"]}, index=[nxt]))
    chart.close()


async def test_bad_frames_and_misuse_say_what_to_do(no_network, feed, sent) -> None:
    with pytest.raises(BadParameterError, match="need high, low column"):
        CandleChart(
            pd.DataFrame({"open": [1.0], "close": [1.0]}, index=pd.DatetimeIndex(["2024-01-01"]))
        )
    with pytest.raises(BadParameterError, match="need times"):
        CandleChart(pd.DataFrame({"open": [1], "high": [1], "low": [1], "close": [1]}, index=["x"]))
    by_column = pd.DataFrame(
        {
            "date": ["2024-01-02", "2024-01-03"],
            "open": [1, 2],
            "high": [2, 3],
            "low": [0, 1],
            "close": [1, 2],
        }
    )
    assert len(CandleChart(by_column).bars) == 2
    chart = CandleChart(bars())
    with pytest.raises(BadParameterError, match="a dict needs its 'time'"):
        chart.append({"open": 1, "high": 1, "low": 1, "close": 1})
    with pytest.raises(BadParameterError, match="update_last takes"):
        chart.update_last(price=3)
    with pytest.raises(BadParameterError, match="resample the frame"):
        chart.interval = "1h"
    assert chart.interval == "5m"
    with pytest.raises(BadParameterError, match="has no feed"):
        CandleChart(bars(), feed=feed)
    live = CandleChart("600519.SH", feed=feed)
    with pytest.raises(BadParameterError, match=r"iw\.CandleChart\(df\)"):
        live.append(bars())
    for w in (chart, live):
        w.close()
