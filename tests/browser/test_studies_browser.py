"""Analysis on the chart in a real JupyterLab + chromium: a live chart with four studies in their
panes (the legend's values are ``study_frame``'s at the hovered bar, and move live), the user's
line, markers and price line added from Python (pixels change, appends arrive), and a chart of a
DataFrame read from a CSV with no feed; an HTML export and a saved notebook show the studies,
the lines and the markers with no kernel.

Waits are on the attributes the chart exposes (``data-panes``, ``data-studies``,
``data-legend-time``, ``data-markers``, ``data-price-lines``, a legend item's ``data-value``).
"""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from .conftest import REPO, copy_screenshot, run_in_kernel
from .test_export_browser import offline
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


PNG_BANDS = """async ([data, tops]) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data; const bg = [d[0], d[1], d[2]];
  const scale = img.height / tops[tops.length - 1]; const ink = [];
  for (let k = 0; k + 1 < tops.length; k++) { let n = 0;
    for (let y = Math.round(tops[k] * scale); y < Math.round(tops[k + 1] * scale); y++)
      for (let x = 0; x < c.width; x++) { const i = (y * c.width + x) * 4;
        if (Math.abs(d[i] - bg[0]) + Math.abs(d[i+1] - bg[1]) + Math.abs(d[i+2] - bg[2]) > 40) n++; }
    ink.push(n); }
  return { w: img.width, h: img.height, ink }; }"""
PANE_TOPS = """(s) => { const r = document.querySelector(s); const h = r.querySelector('.iw-chart');
  const tops = [0, ...[...r.querySelectorAll('.iw-pane-legend')].map((e) => parseFloat(e.style.top) - 2)];
  return { tops: [...tops, h.clientHeight], w: h.clientWidth }; }"""


def check_png(page: Any, png: Any, sel: str) -> None:
    """The PNG ``save_png`` wrote holds every pane of ``sel``: its size is the chart's, and each
    pane's band has ink."""
    deadline = time.monotonic() + 60
    while not png.exists() or png.stat().st_size < 100:  # written when the view's answer comes
        assert time.monotonic() < deadline, "save_png wrote nothing"
        page.wait_for_timeout(200)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    layout = page.evaluate(PANE_TOPS, sel)
    assert abs(width / layout["w"] - height / layout["tops"][-1]) < 0.05  # the chart's shape
    bands = page.evaluate(PNG_BANDS, [base64.b64encode(data).decode(), layout["tops"]])
    assert len(bands["ink"]) == int(attr(page, sel, "data-panes") or 0)
    assert all(n > 200 for n in bands["ink"]), bands["ink"]


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

    # save_png: every pane and the legend, drawn by the browser, written once the call is done
    run_in_kernel(page, "shot = chart.save_png('chart.png')")
    png = lab["root"] / "chart.png"
    check_png(page, png, LIVE)

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


WRITER = """
import asyncio, sys
import nbformat, numpy as np, pandas as pd
import infoway_widgets as iw

VIEW = "application/vnd.jupyter.widget-view+json"


async def main(page, lesson):
    df = pd.read_csv(sys.argv[3], index_col=0, parse_dates=True)
    chart = iw.CandleChart(df, name="MYCSV", studies=["macd", "kdj", "boll"])
    fast, slow = chart.bars.close.rolling(5).mean(), chart.bars.close.rolling(20).mean()
    cross = np.sign(fast - slow).diff()
    sides = cross[cross != 0].dropna().map({2.0: "buy", -2.0: "sell"}).dropna()
    chart.add_markers(pd.DataFrame({"side": sides}))
    chart.add_line((chart.bars.close / chart.bars.close.iloc[0]).rename("equity"), pane="new")
    chart.add_price_line(float(chart.bars.close.iloc[-1]), title="stop")
    await asyncio.sleep(0.3)
    iw.export_html(page, chart, title="Studies offline")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "CandleChart", VIEW: chart.get_view_spec()})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Signals"), cell]
    nbformat.write(nb, lesson + ".ipynb")
    iw.export_html(lesson + ".html", lesson + ".ipynb")
    print(len(sides))


asyncio.run(main(sys.argv[1], sys.argv[2]))
"""
SAVED = '.iw-root.iw-candle[data-status="saved"]'


def test_an_export_and_a_saved_notebook_show_studies_lines_and_markers_offline(page, tmp_path):
    write_csv(tmp_path / "bars.csv")
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    args = [str(tmp_path / "page.html"), str(tmp_path / "lesson"), str(tmp_path / "bars.csv")]
    res = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    signals = int(res.stdout.split()[-1])
    assert signals >= 2
    aborted = offline(page)
    for name in ("page.html", "lesson.html"):
        page.goto((tmp_path / name).as_uri())
        page.wait_for_selector(SAVED, timeout=30_000)
        wait_attr_at_least(page, SAVED, "data-bars", 300)
        # price, volume, MACD, KDJ and the equity line's pane; BOLL on the price pane
        page.wait_for_function(
            "(s) => document.querySelector(s)?.dataset.panes === '5'", arg=SAVED, timeout=20_000
        )
        assert attr(page, SAVED, "data-studies") == "macd,kdj,boll"
        assert int(attr(page, SAVED, "data-markers") or 0) == signals
        assert attr(page, SAVED, "data-price-lines") == "1"
        equity = legend_value(page, SAVED, "[data-line=equity]")
        assert equity and float(equity) > 0
        assert legend_value(page, SAVED, '.iw-study[data-study=macd] [data-output="dif"]')
        assert ink(page, SAVED) > 5000
    assert not aborted, aborted


LINKED = [
    "import infoway_widgets as iw",
    'a = iw.CandleChart("600519.SH", "1m", height=300)\nb = iw.CandleChart("600519.SH", "5m", height=300)\n'
    "link = iw.link(a, b)\na",
    "b",
]
A = '.iw-root.iw-candle[data-interval="1m"]'
B = '.iw-root.iw-candle[data-interval="5m"]'


def test_linked_charts_follow_each_other_by_time(lab, page):
    write_notebook(lab["root"] / "linked.ipynb", LINKED)
    open_and_run(page, lab, "linked.ipynb")
    for sel in (A, B):
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=90_000)
        wait_attr_at_least(page, sel, "data-bars", 100)
    # the crosshair over a minute bar puts b's on the five-minute bar holding it
    box = page.locator(f"{A} .iw-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 80)
    page.wait_for_function(
        "([a, b]) => { const x = document.querySelector(a), y = document.querySelector(b);"
        " return x && y && x.dataset.legendTime && y.dataset.followedTime &&"
        " Number(y.dataset.followedTime) <= Number(x.dataset.legendTime) &&"
        " Number(x.dataset.legendTime) < Number(y.dataset.followedTime) + 300000; }",
        arg=[A, B],
        timeout=30_000,
    )
    # scrolling a back in time scrolls b to the same time
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 80)
    before = float(attr(page, B, "data-visible-to") or 0)
    page.keyboard.down("Shift")
    for _ in range(6):
        page.mouse.wheel(0, -400)
    page.keyboard.up("Shift")
    page.mouse.move(5, 5)
    page.wait_for_function(
        "([a, b, t]) => { const x = document.querySelector(a), y = document.querySelector(b);"
        " const to = Number(y?.dataset.visibleTo); return to < t &&"
        " Math.abs(to - Number(x.dataset.visibleTo)) <= 300000; }",
        arg=[A, B, before],
        timeout=30_000,
    )
