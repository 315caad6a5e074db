"""The user's lines, markers and price lines on a CandleChart: only a change travels, the whole set
is in full frames and the saved state, bad input says what to pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from jupyter_client.session import json_packer

from infoway_widgets.errors import BadParameterError
from infoway_widgets.widgets import CandleChart

from .test_sync import SYM, settle


def ms(index: pd.Index) -> list[float]:
    return [float(x) for x in pd.DatetimeIndex(index).tz_convert("UTC").as_unit("ms").asi8]


async def test_a_line_travels_once_then_only_its_new_points(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    bars = chart.bars
    equity = (bars.close / bars.close.iloc[0]).rename("equity")
    line = chart.add_line(equity, pane="new", color="#e11d48", style="dashed")
    assert line.name == "equity" and line.pane == "new"
    await settle(chart)
    header, cols = sent.frames(chart)[-1]
    assert header["kind"] == "line" and header["op"] == "set" and header["name"] == "equity"
    assert header["style"] == "dashed" and header["color"] == "#e11d48"
    assert list(cols["t"]) == ms(bars.index) and np.allclose(cols["value"], equity)
    # one appended point is one small message
    mark = len(sent.of(chart))
    line.append(bars.index[-1], 1.5)
    await settle(chart)
    [(header, bufs, _)] = sent.of(chart)[mark:]
    assert header["op"] == "append" and header["n"] == 1
    assert len(json_packer(header)) + sum(map(len, bufs)) < 130
    assert line.series.iloc[-1] == 1.5 and len(line.series) == len(bars)  # replaced, not added
    # appended with a changing bar: the points ride in the bars frame
    mark = len(sent.of(chart))
    feed.trade(SYM, 2)
    line.append(chart.bars.index[-1], 1.6)
    await settle(chart)
    [(header, _, _)] = sent.of(chart)[mark:]
    assert header["kind"] == "bars"
    assert header["line_points"] == {line.id: [ms(chart.bars.index[-1:])[0], 1.6]}
    # the whole set is in full frames and the saved state
    snap = chart.get_state()["_snapshot"]["header"]
    assert [x["name"] for x in snap["lines"]] == ["equity"] and snap["lines"][0]["v"][-1] == 1.6
    line.set(equity.iloc[-10:])
    await settle(chart)
    assert sent.frames(chart)[-1][0]["op"] == "set" and len(line.series) == 10
    line.remove()
    await settle(chart)
    assert sent.frames(chart)[-1][0] == {**sent.frames(chart)[-1][0], "op": "remove"}
    assert chart.get_state()["_snapshot"]["header"]["lines"] == []
    with pytest.raises(BadParameterError, match="was removed"):
        line.append(bars.index[-1], 1.0)
    chart.close()


async def test_line_panes_styles_and_times(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    bars = chart.bars
    a = chart.add_line(bars.close, name="a", pane="new")
    chart.add_line(bars.close, name="b", pane="a")  # into the pane a opened
    chart.add_line(bars.close, name="c", pane="macd")  # into a study's pane
    chart.add_line(bars.volume, name="d", pane="volume")
    with pytest.raises(BadParameterError, match="pane is 'main', 'new', 'volume'"):
        chart.add_line(bars.close, pane="nowhere")
    with pytest.raises(BadParameterError, match="style must be one of"):
        chart.add_line(bars.close, style="wavy")
    with pytest.raises(BadParameterError, match="pandas Series indexed by time"):
        chart.add_line([1, 2, 3])
    with pytest.raises(BadParameterError, match="give the value too"):
        a.append(bars.index[-1])
    # naive times are the exchange's (Asia/Shanghai here); numbers are UTC epoch ms
    naive = bars.index[-1].tz_localize(None)
    a.append(naive, 7.0)
    assert a.series.index[-1] == bars.index[-1] and a.series.iloc[-1] == 7.0
    a.append(float(ms(bars.index[-2:-1])[0]), 8.0)
    assert a.series.iloc[-2] == 8.0
    chart.close()


async def test_markers_sides_shapes_and_appends(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    bars = chart.bars
    signals = pd.DataFrame(
        {"side": ["buy", "sell", None], "shape": [None, None, "square"], "text": ["B", "", "x"]},
        index=bars.index[-30:-27],
    )
    marks = chart.add_markers(signals)
    await settle(chart)
    header, _cols = sent.frames(chart)[-1]
    assert header["kind"] == "markers" and header["op"] == "set"
    assert header["shape"] == ["arrowUp", "arrowDown", "square"]
    assert header["position"] == ["below", "above", "above"]
    assert header["color"] == ["buy", "sell", ""] and header["text"] == ["B", "", "x"]
    mark = len(sent.of(chart))
    marks.append(pd.DataFrame({"SIDE": ["buy"], "Position": ["inBar"]}, index=bars.index[-2:-1]))
    await settle(chart)
    [(header, _bufs, _)] = sent.of(chart)[mark:]
    assert header["op"] == "append" and header["n"] == 1 and header["position"] == ["inBar"]
    assert len(marks.frame) == 4
    assert chart.get_state()["_snapshot"]["header"]["markers"][0]["shape"][-1] == "arrowUp"
    for bad, match in (
        (pd.DataFrame({"x": [1]}, index=bars.index[:1]), "need a 'side' column"),
        (pd.DataFrame({"side": ["hold"]}, index=bars.index[:1]), "'buy' or 'sell'"),
        (pd.DataFrame({"shape": ["star"]}, index=bars.index[:1]), "shape must be one of"),
        (pd.DataFrame({"side": ["buy"], "position": ["top"]}, index=bars.index[:1]), "position"),
        ([1, 2], "DataFrame indexed by time"),
    ):
        with pytest.raises(BadParameterError, match=match):
            chart.add_markers(bad)
    marks.remove()
    await settle(chart)
    assert sent.frames(chart)[-1][0]["op"] == "remove"
    assert chart.get_state()["_snapshot"]["header"]["markers"] == []
    chart.close()


async def test_price_lines_move_restyle_and_go(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    stop = chart.add_price_line(1490.5, title="stop", color="#ef4444")
    target = chart.add_price_line(1600, title="target")
    assert chart._price_lines == {
        stop.id: {"price": 1490.5, "title": "stop", "color": "#ef4444"},
        target.id: {"price": 1600.0, "title": "target", "color": ""},
    }
    stop.price = 1495
    assert stop.move(1497) is stop
    target.title = "tp"
    assert chart._price_lines[stop.id]["price"] == 1497.0
    assert chart._price_lines[target.id]["title"] == "tp"
    stop.remove()
    assert list(chart._price_lines) == [target.id]
    with pytest.raises(BadParameterError, match="was removed"):
        stop.price = 1
    with pytest.raises(BadParameterError, match="finite price"):
        chart.add_price_line(float("nan"))
    chart.close()


async def test_lines_and_markers_resent_whole_on_a_resync(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    bars = chart.bars
    chart.add_line(bars.close.iloc[-5:], name="x")
    chart.add_markers(pd.DataFrame({"side": ["buy"]}, index=bars.index[-3:-2]))
    await settle(chart)
    chart._on_front_msg(chart, {"type": "resync"}, [])
    await settle(chart)
    header, _ = [f for f in sent.frames(chart) if f[0].get("reset")][-1]
    assert [x["name"] for x in header["lines"]] == ["x"] and len(header["markers"]) == 1
    chart.close()


async def test_save_png_asks_the_views_and_writes_the_first_answer(feed, sent, tmp_path) -> None:
    import asyncio
    import base64

    from infoway_widgets.errors import InfowayTimeoutError

    chart = CandleChart(SYM, feed=feed)
    fut = chart.save_png(tmp_path / "out" / "chart.png")
    [ask] = [c for c, _, _ in sent.of(chart) if c.get("what") == "screenshot"]
    png = b"\x89PNG\r\n\x1a\n" + b"picture"
    answer = {"type": "screenshot", "id": ask["id"], "png": base64.b64encode(png).decode()}
    chart._on_front_msg(chart, answer, [])
    chart._on_front_msg(chart, {**answer, "png": "bm90IGEgcG5n"}, [])  # a second view: ignored
    assert await fut == tmp_path / "out" / "chart.png"
    assert (tmp_path / "out" / "chart.png").read_bytes() == png
    bad = chart.save_png(tmp_path / "bad.png")
    [_, ask] = [c for c, _, _ in sent.of(chart) if c.get("what") == "screenshot"]
    chart._on_front_msg(chart, {"type": "screenshot", "id": ask["id"], "png": "bm90IGEgcG5n"}, [])
    with pytest.raises(BadParameterError, match="no PNG"):
        await bad
    with pytest.raises(BadParameterError, match=r"\.png file"):
        chart.save_png(tmp_path / "chart.jpg")
    _rid, lonely = chart._shots.request(tmp_path / "never.png", timeout=0.01)
    with pytest.raises(InfowayTimeoutError, match="display the chart"):
        await asyncio.wait_for(lonely, 5)
    chart.close()


async def test_linked_charts_pass_crosshair_and_range_on(feed, sent) -> None:
    import infoway_widgets as iw

    a = CandleChart(SYM, "1m", feed=feed)
    b = CandleChart(SYM, "5m", feed=feed)
    c = CandleChart("00700.HK", feed=feed)
    assert not a._linked
    ln = iw.link(a, b, c)
    assert a._linked and b._linked and c._linked
    a._on_front_msg(a, {"type": "crosshair", "t": 1_764_000_000_000}, [])
    a._on_front_msg(a, {"type": "range", "from_t": 1.0, "to_t": 2.0}, [])
    for w in (b, c):
        got = [m for m, _, _ in sent.of(w) if m.get("kind") == "control"]
        assert got[-2:] == [
            {"kind": "control", "what": "crosshair", "count": 0, "before": 0, "t": 1.764e12},
            {
                "kind": "control",
                "what": "range",
                "count": 0,
                "before": 0,
                "from_t": 1.0,
                "to_t": 2.0,
            },
        ]
    assert not [m for m, _, _ in sent.of(a) if m.get("kind") == "control"]  # never back to it
    ln.unlink()
    assert not a._linked
    a._on_front_msg(a, {"type": "crosshair", "t": None}, [])
    assert [m for m, _, _ in sent.of(b) if m.get("kind") == "control"][-1]["what"] == "range"
    with pytest.raises(BadParameterError, match="two or more CandleCharts"):
        iw.link(a)
    with pytest.raises(BadParameterError, match="each chart once"):
        iw.link(a, a)
    for w in (a, b, c):
        w.close()
