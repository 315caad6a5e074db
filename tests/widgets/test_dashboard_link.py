"""A Dashboard's second chart: another interval of the same symbol, linked to the first by time."""

from __future__ import annotations

import pytest

import infoway_widgets as iw
from infoway_widgets.errors import BadParameterError
from infoway_widgets.widgets import CandleChart, Dashboard

from .test_sync import SYM


def _controls(sent, w) -> list[dict]:
    return [m for m, _, _ in sent.of(w) if m.get("kind") == "control"]


async def test_second_chart_follows_the_first_and_the_picker(feed, sent) -> None:
    dash = Dashboard([SYM, "00700.HK"], interval="5m", second_interval="1d", feed=feed)
    main, second = dash.charts
    assert second is dash.second_chart and second.interval == "1d" and main.interval == "5m"
    assert second.height < main.height
    assert "second_interval='1d'" in repr(dash)
    # the main chart's crosshair and range reach the second chart's views, and back
    main._on_front_msg(main, {"type": "crosshair", "t": 1_764_000_000_000}, [])
    assert _controls(sent, second)[-1] == {
        "kind": "control",
        "what": "crosshair",
        "count": 0,
        "before": 0,
        "t": 1.764e12,
    }
    second._on_front_msg(second, {"type": "crosshair", "t": 7.0}, [])
    assert _controls(sent, main)[-1]["t"] == 7.0
    # each keeps its own zoom: a range report goes nowhere
    n = len(_controls(sent, main))
    second._on_front_msg(second, {"type": "range", "from_t": 1.0, "to_t": 2.0}, [])
    assert len(_controls(sent, main)) == n
    # picking a symbol moves both charts
    dash.picker.value = "00700.HK"
    assert main.symbol == second.symbol == "00700.HK"
    dash.close()
    assert main.closed and second.closed and not main._linked


async def test_one_chart_by_default_and_link_takes_a_dashboard(feed, sent) -> None:
    dash = Dashboard(SYM, feed=feed)
    assert dash.second_chart is None and dash.charts == [dash.chart]
    other = CandleChart(SYM, "1d", feed=feed)
    ln = iw.link(dash, other)
    assert ln.charts == [dash.chart, other]
    dash.chart._on_front_msg(dash.chart, {"type": "crosshair", "t": 5.0}, [])
    assert _controls(sent, other)[-1]["t"] == 5.0
    ln.unlink()
    with pytest.raises(BadParameterError, match="crosshair, the range or both"):
        iw.link(dash, other, crosshair=False, range=False)
    other.close()
    dash.close()
