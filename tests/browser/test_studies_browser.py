"""Analysis on the chart in a real JupyterLab + chromium: a live chart with four studies in their
panes (the legend's values are ``study_frame``'s at the hovered bar, and move live), the user's
line, markers and price line added from Python (pixels change, appends arrive), and a chart of a
DataFrame read from a CSV with no feed.

Waits are on the attributes the chart exposes (``data-panes``, ``data-studies``,
``data-legend-time``, ``data-markers``, ``data-price-lines``, a legend item's ``data-value``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from .conftest import copy_screenshot, run_in_kernel
from .test_widgets_browser import (
    CANVAS_INK,
    attr,
    open_and_run,
    wait_attr_at_least,
    write_notebook,
)

pytestmark = pytest.mark.browser

LIVE = '.iw-root.iw-candle[data-studies="macd,kdj,rsi,boll"]'
CSV = '.iw-root.iw-candle[data-status="data"]'
CELLS = [
    "import infoway_widgets as iw, pandas as pd",
    'chart = iw.CandleChart("600519.SH", studies=["macd", "kdj", "rsi", "boll"], height=360)\n'
    "chart",
    'df = pd.read_csv("bars.csv", index_col=0, parse_dates=True)\n'
    'mine = iw.CandleChart(df, name="MYCSV", studies=["macd"], height=300)\nmine',
]


def write_csv(path: Any, n: int = 300) -> None:
    rng = np.random.default_rng(3)
    close = 20 + np.cumsum(rng.normal(0, 0.2, n))
    open_ = np.r_[close[0], close[:-1]]
    df = pd.DataFrame(
        {
            "Open": open_.round(2),
            "High": (np.maximum(open_, close) + 0.1).round(2),
            "Low": (np.minimum(open_, close) - 0.1).round(2),
            "Close": close.round(2),
            "Volume": rng.integers(100, 1000, n),
        },
        index=pd.date_range("2024-01-02", periods=n, freq="D", name="Date"),
    )
    df.to_csv(path)


def legend_value(page: Any, sel: str, what: str) -> str:
    return str(
        page.evaluate(
            "([s, w]) => document.querySelector(s)?.querySelector(w)?.dataset.value ?? ''",
            [sel, what],
        )
    )


def ink(page: Any, sel: str) -> int:
    return int(page.evaluate(CANVAS_INK, sel))


def test_studies_lines_markers_and_a_csv_chart(lab, page, tmp_path):
    write_csv(lab["root"] / "bars.csv")
    write_notebook(lab["root"] / "studies.ipynb", CELLS)
    open_and_run(page, lab, "studies.ipynb")

    # four studies: price, volume, MACD, KDJ and RSI panes (BOLL is on the price pane)
    page.wait_for_selector(f'{LIVE}[data-status="simulated"]', timeout=90_000)
    wait_attr_at_least(page, LIVE, "data-bars", 100)
    assert attr(page, LIVE, "data-panes") == "5"
    for study in ("macd", "kdj", "rsi", "boll"):
        page.wait_for_function(
            "([s, k]) => !!document.querySelector(s)?.querySelector(`.iw-study[data-study=${k}]`)",
            arg=[LIVE, study],
            timeout=30_000,
        )

    # the legend at a hovered (completed) bar shows study_frame's values there
    box = page.locator(f"{LIVE} .iw-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 60)
    page.wait_for_function(
        "(s) => { const r = document.querySelector(s); return r && r.dataset.legendTime && "
        "r.dataset.legendTime !== r.dataset.latest; }",
        arg=LIVE,
        timeout=20_000,
    )
    t = attr(page, LIVE, "data-legend-time")
    shown = {
        f"{k}.{o}": legend_value(page, LIVE, f'.iw-study[data-study={k}] [data-output="{o}"]')
        for k, o in (
            ("macd", "dif"),
            ("macd", "macd"),
            ("kdj", "j"),
            ("rsi", "rsi6"),
            ("boll", "upper"),
        )
    }
    assert all(shown.values()), shown
    checks = "\n".join(
        f"assert abs(row({k.split('.')[0]!r})[{k.split('.')[1]!r}] - {float(v)!r}) < 1e-9, "
        f"({k!r}, row({k.split('.')[0]!r}))"
        for k, v in shown.items()
    )
    run_in_kernel(
        page,
        f"t = pd.Timestamp({float(t)!r}, unit='ms', tz='UTC')\n"
        "row = lambda k: chart.study_frame(k).loc[t]\n" + checks,
    )

    # away from the chart the legend follows the newest bar, whose values move live
    page.mouse.move(5, 5)
    page.wait_for_function(
        "(s) => { const r = document.querySelector(s); return r && r.dataset.legendTime === r.dataset.latest; }",
        arg=LIVE,
        timeout=20_000,
    )
    first = legend_value(page, LIVE, '.iw-study[data-study=macd] [data-output="dif"]')
    page.wait_for_function(
        "([s, v]) => document.querySelector(s)?.querySelector("
        "'.iw-study[data-study=macd] [data-output=\"dif\"]')?.dataset.value !== v",
        arg=[LIVE, first],
        timeout=60_000,
    )

    # your own line in a new pane, markers and a price line, added from Python: pixels change
    before = ink(page, LIVE)
    run_in_kernel(
        page,
        "bars = chart.bars\n"
        "equity = (bars.close / bars.close.iloc[0]).rename('equity')\n"
        "line = chart.add_line(equity, pane='new', color='#e11d48')\n"
        "marks = chart.add_markers(pd.DataFrame({'side': ['buy', 'sell'], 'text': ['B', 'S']},"
        " index=bars.index[-30:-28]))\n"
        "stop = chart.add_price_line(float(bars.close.iloc[-1]) * 0.99, title='stop')",
    )
    wait_attr_at_least(page, LIVE, "data-panes", 6)
    wait_attr_at_least(page, LIVE, "data-markers", 2)
    wait_attr_at_least(page, LIVE, "data-price-lines", 1)
    page.wait_for_function(
        f"([s, n]) => ({CANVAS_INK})(s) > n + 500", arg=[LIVE, before], timeout=20_000
    )
    # appends travel live: a marker more, and the line's newest value in the legend
    run_in_kernel(
        page,
        "marks.append(pd.DataFrame({'side': ['buy']}, index=chart.bars.index[-5:-4]))\n"
        "line.append(chart.bars.index[-1], 1.2345)",
    )
    wait_attr_at_least(page, LIVE, "data-markers", 3)
    page.wait_for_function(
        "(s) => document.querySelector(s)?.querySelector('[data-line=equity]')?.dataset.value === '1.2345'",
        arg=LIVE,
        timeout=20_000,
    )
    run_in_kernel(page, "stop.remove()")
    page.wait_for_function(
        "(s) => document.querySelector(s)?.dataset.priceLines === '0'", arg=LIVE, timeout=20_000
    )

    # a DataFrame from a CSV: drawn with no feed, saying it is your data
    page.wait_for_selector(CSV, timeout=30_000)
    wait_attr_at_least(page, CSV, "data-bars", 300)
    assert attr(page, CSV, "data-panes") == "3"
    assert page.locator(f"{CSV} .iw-badge").first.inner_text() == "Your data"
    assert ink(page, CSV) > 3000
    run_in_kernel(
        page,
        "mine.append({'time': df.index[-1] + pd.Timedelta('1D'), 'open': 30, 'high': 31,"
        " 'low': 29, 'close': 30.5, 'volume': 500})",
    )
    wait_attr_at_least(page, CSV, "data-bars", 301)

    shot = tmp_path / "studies.png"
    page.locator(LIVE).screenshot(path=str(shot))
    copy_screenshot(shot, "studies.png")
