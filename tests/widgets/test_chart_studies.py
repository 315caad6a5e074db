"""CandleChart studies: what the chart sends equals the studies package's numbers, live values come
from the tail, settings are checked before they land, a user's function that fails shows its error
and the stream goes on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from jupyter_client.session import json_packer

import infoway_widgets as iw
from infoway_widgets.errors import BadParameterError
from infoway_widgets.widgets import CandleChart

from .test_sync import SYM, settle


def reference(chart: CandleChart, name: str, convention: str = "cn", **params) -> pd.DataFrame:
    return iw.studies.REGISTRY[name].compute(chart.bars, convention, **params)


def shown(chart: CandleChart, name: str) -> pd.DataFrame:
    """What the chart's frames carried of study ``name`` (study_frame computes afresh)."""
    fresh = chart.study_frame(name)
    carried = chart._shown_study_frame(name)
    if name in iw.studies.REGISTRY:  # after a settle the two agree
        assert_same(fresh, carried)
    return carried


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a.index.equals(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)


def unpack(header: dict, cols: dict, chart: CandleChart) -> dict[str, np.ndarray]:
    """A delta's packed 'studies' column as one column per study output."""
    names = chart._study_set.columns()
    packed = cols["studies"].reshape(-1, len(names))
    return {n: packed[:, j] for j, n in enumerate(names)}


async def test_live_studies_equal_the_package_and_travel_in_the_frame(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd", "kdj", "rsi", "boll"])
    await settle(chart)
    header, cols = sent.frames(chart)[0]
    assert header["reset"] and {"macd.dif", "kdj.j", "rsi.rsi24", "boll.lower"} <= set(cols)
    for _ in range(4):  # forming bars and new bars, incrementally
        feed.trade(SYM, 40, dt_ms=2000)
        await settle(chart)
    for name in ("macd", "kdj", "rsi", "boll"):
        assert_same(shown(chart, name), reference(chart, name))
    # the last delta's values are those of the bars it carries
    header, cols = sent.frames(chart)[-1]
    assert not header.get("reset") and "studies" in cols
    values = unpack(header, cols, chart)
    last = shown(chart, "macd").iloc[-1]
    assert values["macd.dif"][-1] == pytest.approx(last["dif"], rel=1e-12)
    assert [m["key"] for m in chart._study_meta] == ["macd", "kdj", "rsi", "boll"]
    assert chart._study_meta[0]["label"] == "MACD(12,26,9)"
    assert chart._study_meta[0]["styles"] == ["line", "line", "histogram"]
    assert {m["key"]: m["pane"] for m in chart._study_meta}["boll"] == "main"
    chart.close()


async def test_a_frame_costs_the_tail_not_the_history(feed, sent, monkeypatch) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd", "kdj", "rsi", "boll"])
    await settle(chart)
    taken: list[int] = []
    for s in chart._study_set.active:
        run = s.run
        real = run.extend
        monkeypatch.setattr(
            run, "extend", lambda *a, real=real: taken.append(len(a[0])) or real(*a)
        )
    monkeypatch.setattr(chart._study_set, "restart", lambda a: pytest.fail("restarted"))
    for _ in range(3):
        feed.trade(SYM, 1, dt_ms=30_000)
        await settle(chart)
    # each frame took in at most the one bar that completed, never the history again
    assert taken and max(taken) <= 1
    chart.close()


async def test_a_new_views_full_frame_carries_the_values_drawn_without_a_restart(
    feed, sent, monkeypatch
) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd", "kdj"])
    await settle(chart)
    feed.trade(SYM, 3, dt_ms=2000)
    await settle(chart)
    restarts: list[int] = []
    real = chart._study_set.restart
    monkeypatch.setattr(
        chart._study_set, "restart", lambda a: restarts.append(len(a["t"])) or real(a)
    )
    chart._on_front_msg(chart, {"type": "resync"}, [])  # a new view, nothing changed since
    header, cols = sent.frames(chart)[-1]
    assert header["reset"] and not restarts
    drawn = shown(chart, "macd")
    np.testing.assert_allclose(cols["macd.dif"], drawn["dif"].to_numpy()[-len(cols["t"]) :])
    assert_same(drawn, reference(chart, "macd"))
    # bars that moved since the last frame are not drawn yet: that full frame restarts
    feed.trade(SYM, 1, dt_ms=2000)
    chart._on_front_msg(chart, {"type": "resync"}, [])
    assert restarts and sent.frames(chart)[-1][0]["reset"]
    assert_same(shown(chart, "kdj"), reference(chart, "kdj"))
    chart.close()


async def test_conventions_follow_the_market_and_the_trait(feed, sent) -> None:
    cn = CandleChart(SYM, feed=feed, studies=["macd"])
    us = CandleChart("AAPL.US", feed=feed, studies=["macd"])
    await settle(cn)
    assert_same(shown(cn, "macd"), reference(cn, "macd", "cn"))
    assert_same(shown(us, "macd"), reference(us, "macd", "intl"))
    cn.convention = "intl"
    await settle(cn)
    assert_same(shown(cn, "macd"), reference(cn, "macd", "intl"))
    with pytest.raises(BadParameterError, match="'cn', 'intl'"):
        cn.convention = "us"
    for w in (cn, us):
        w.close()


async def test_studies_set_live_added_changed_and_removed(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    n = len(sent.frames(chart))
    chart.studies = ["kdj"]
    await settle(chart)
    header, cols = sent.frames(chart)[n]
    assert header["reset"] and "kdj.k" in cols
    chart.add_study("rsi", periods=(6, 14))
    assert chart.studies == ["kdj", {"name": "rsi", "periods": (6, 14)}]
    await settle(chart)
    assert_same(shown(chart, "rsi"), reference(chart, "rsi", periods=(6, 14)))
    chart.add_study("rsi", periods=(9,))  # the same study: new parameters, same place
    assert chart.studies == ["kdj", {"name": "rsi", "periods": (9,)}]
    assert list(shown(chart, "rsi").columns) == ["rsi9"]
    chart.remove_study("kdj")
    assert chart.studies == [{"name": "rsi", "periods": (9,)}]
    with pytest.raises(BadParameterError, match="shows no study 'kdj'"):
        chart.remove_study("kdj")
    with pytest.raises(BadParameterError, match="shows no study 'kdj'"):
        shown(chart, "kdj")
    # refused settings never land
    for bad, match in (
        (["nope"], "no study 'nope'"),
        (["macd", "macd"], "each study once"),
        ([{"name": "macd", "fast": 0}], "fast=0"),
        ([{"name": "macd", "speed": 3}], "takes fast, slow, signal"),
        ([3], "a study is a name"),
    ):
        with pytest.raises(BadParameterError, match=match):
            chart.studies = bad
        assert chart.studies == [{"name": "rsi", "periods": (9,)}]
    # from a front-end: refused and put back
    chart.set_state({"studies": ["nope"]})
    assert chart.studies == [{"name": "rsi", "periods": (9,)}]
    chart.set_state({"studies": ["obv", {"name": "cci", "n": 20}]})
    assert chart.studies == ["obv", {"name": "cci", "n": 20}]
    chart.close()


async def test_your_own_study_on_its_tail_and_its_errors(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    seen: list[int] = []

    def momentum(bars: pd.DataFrame) -> pd.Series:
        seen.append(len(bars))
        return bars.close - bars.close.shift(5)

    chart.add_study(momentum, lookback=30)
    assert chart.studies == ["momentum"]
    await settle(chart)
    feed.trade(SYM, 5)
    await settle(chart)
    got = shown(chart, "momentum")
    want = chart.bars.close - chart.bars.close.shift(5)
    np.testing.assert_allclose(got["momentum"].to_numpy(), want.to_numpy(), equal_nan=True)
    assert seen[-1] == 30  # live frames see the declared tail only
    assert chart._study_meta[0]["pane"] == "new"

    broken = {"on": True}

    def factor(bars: pd.DataFrame) -> pd.DataFrame:
        if broken["on"]:
            raise ZeroDivisionError("no volume yet")
        return pd.DataFrame({"a": bars.close * 2, "b": bars.close * 3})

    chart.add_study(factor, name="Factor", pane="main", lookback=5)
    await settle(chart)
    before = chart.frames_sent
    feed.trade(SYM, 3)
    await settle(chart)
    assert chart.frames_sent > before  # the stream goes on
    assert chart.study_errors == {"factor": "ZeroDivisionError: no volume yet"}
    assert chart._study_meta[1]["error"] == "ZeroDivisionError: no volume yet"
    broken["on"] = False
    feed.trade(SYM, 3)
    await settle(chart)
    assert chart.study_errors == {}
    assert shown(chart, "factor")["b"].iloc[-1] == pytest.approx(chart.bars.close.iloc[-1] * 3)
    with pytest.raises(BadParameterError, match="name= of its own"):
        chart.add_study(lambda b: b.close)
    with pytest.raises(BadParameterError, match="'new' or 'main'"):
        chart.add_study(momentum, name="m2", pane="side")
    chart.close()


async def test_history_paged_in_restarts_the_studies(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    await settle(chart)
    first = int(feed.bar_store(SYM, "1m").t[0])
    chart._on_front_msg(chart, {"type": "load_more", "before": first, "count": 200}, [])
    await settle(chart, 6)
    assert len(chart.bars) > 500
    assert_same(shown(chart, "macd"), reference(chart, "macd"))
    header, _cols = [f for f in sent.frames(chart) if not f[0].get("reset")][-1]
    assert header["n"] == len(chart.bars)  # every bar from the first paged in carries new values
    chart.close()


async def test_bytes_of_a_coalesced_update_with_four_studies_and_two_lines(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd", "kdj", "rsi", "boll"])
    bars = chart.bars
    a = chart.add_line(bars.close.iloc[-100:], name="a")
    b = chart.add_line(bars.close.iloc[-100:], name="b", pane="new")
    await settle(chart)
    mark = len(sent.of(chart))
    feed.trade(SYM, 3)
    a.append(bars.index[-1], 1.0)
    b.append(bars.index[-1], 2.0)
    await settle(chart)
    msgs = sent.of(chart)[mark:]
    assert len(msgs) == 1  # one message for the bar, four studies and both lines
    total = sum(len(json_packer(c)) + sum(len(x) for x in bufs) for c, bufs, _ in msgs)
    changed = 4 + 2  # studies and lines
    assert total <= 200 + 40 * changed, total
    chart.close()


async def test_study_frame_is_current_on_a_chart_nobody_views(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    await settle(chart)
    # no settle: bars the chart has not drawn yet (a chart nobody views draws nothing)
    for _ in range(3):
        feed.trade(SYM, 40, dt_ms=20_000)
    fresh = chart.study_frame("macd")
    assert len(fresh) == len(chart.bars)
    assert_same(fresh, reference(chart, "macd"))
    chart.close()
