"""What the widgets show, in a real JupyterLab at a narrow (700 px) and a wide (1280 px) window.

Nothing is clipped: every part of every widget (the chart's price axis, the book's columns and
panel, the badges, the buttons) lies inside its output area; the Dashboard stacks its chart over
book and tape when narrow and sets them side by side when wide; the chart legend ends left of the
price axis and its lines' row sits under the OHLC row; a long status message elides on one row
(the whole text on hover) and leaves the interval buttons on one row. Volumes carry their
market's unit (手 for A-shares in zh, BTC for a crypto pair), sizes their instrument's decimals.
Control icons are SVG, not glyphs; the 分时图 draws its price line in the first minute; a cut
time-axis label is masked. Screenshots of every output (pytest's tmp_path); the Dashboard's go to
docs/images/dashboard-700.png and docs/images/dashboard-1280.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import KERNEL_READY, TOKEN, copy_screenshot, run_in_kernel
from .test_widgets_browser import attr, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

# cells flash on every change; a screenshot shows the steady look
NO_FLASH = ".iw-flash-up, .iw-flash-down, .iw-flash { animation: none !important; }"

CELLS = [
    # the simulated A-share day starts at 09:30: at half speed the 分时图 spends two real
    # minutes in its first one
    "import infoway_widgets as iw\n"
    "from infoway_widgets.widgets.controls.icon_button import IconButton\n"
    "feed = await iw.aconnect(new=True, speed=0.5)",
    'dash = iw.Dashboard(["600519.SH", "00700.HK", "BTCUSDT"], feed=feed)\ndash',
    'chart = iw.CandleChart("600519.SH", "1d", feed=feed, ma=(5, 10, 20, 60), vwap=True)\nchart',
    'book = iw.OrderBook("600519.SH", feed=feed, locale="zh")\nbook',
    'tape = iw.TradeTape("BTCUSDT", feed=feed)\ntape',
    'intraday = iw.IntradayChart("600519.SH", feed=feed, locale="zh")\nintraday',
    "panel = iw.LessonPanel(feed, 'AAPL.US')\n"
    "display(panel, IconButton(icon='restart', description='Restart'))",
]
DASH, CHART, BOOK, TAPE, INTRADAY, CONTROLS = range(1, 7)

# every box that must lie inside its cell's output area, and the ones that say what it shows
OUTSIDE = """([i, sels]) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
  const out = cell.querySelector('.jp-OutputArea-output').getBoundingClientRect();
  const bad = [];
  for (const sel of sels) for (const e of cell.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).display === 'none') continue;
    if (r.left < out.left - 1 || r.right > out.right + 1 || r.right > window.innerWidth)
      bad.push(`${sel}: ${Math.round(r.left)}..${Math.round(r.right)} outside ${Math.round(out.left)}..${Math.round(out.right)}`);
  }
  return bad; }"""
PARTS = [
    ".iw-root",
    ".iw-head > *",
    ".iw-btns button",
    ".iw-chart table tr:first-child td:last-child",  # the price axis
    ".iw-ladder th",
    ".iw-ladder td",
    ".iw-stats > span",
    ".iw-candle-legends",
    ".widget-toggle-button",
    ".iw-dash-message",
]
BOX = """([i, sel]) => { const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
  const e = c.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; }"""
CENTRES = """([i, sel]) => [...document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelectorAll(sel)]
  .filter(e => e.getBoundingClientRect().height > 0)
  .map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; })"""
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))"
TOPS = """([i, sel]) => [...document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelectorAll(sel)]
  .map(e => Math.round(e.getBoundingClientRect().top))"""
# pixels of the 分时图's price-line colour (#2f6fdf)
PRICE_INK = """(i) => { const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelector('canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k]-0x2f) + Math.abs(d[k+1]-0x6f) + Math.abs(d[k+2]-0xdf) < 60) n++;
  return n; }"""


def cell_sel(i: int, sel: str) -> str:
    return f".jp-Notebook .jp-Cell:nth-child({i + 1}) {sel}"


def box(page: Any, i: int, sel: str) -> dict[str, float]:
    b = page.evaluate(BOX, [i, sel])
    assert b is not None, (i, sel)
    return b


def check_nothing_clipped(page: Any) -> None:
    for i in (DASH, CHART, BOOK, TAPE, INTRADAY):
        assert page.evaluate(OUTSIDE, [i, PARTS]) == [], i


def check_chart(page: Any, i: int) -> None:
    """Price axis shown, legend left of it, lines' row under the OHLC row, head on one row."""
    # looked at: a view off screen leaves its legend where it was until it is back on screen
    page.locator(cell_sel(i, ".iw-root.iw-candle")).first.scroll_into_view_if_needed()
    page.evaluate(FRAMES)
    axis = box(page, i, ".iw-chart table tr:first-child td:last-child")
    assert axis["width"] > 30, axis
    assert int(attr(page, cell_sel(i, ".iw-root.iw-candle"), "data-price-axis-w") or 0) > 30
    legends = box(page, i, ".iw-candle-legends")
    assert legends["right"] <= axis["left"] + 1, (legends, axis)
    ohlc, lines = box(page, i, ".iw-candle-legend"), box(page, i, ".iw-candle-lines")
    assert lines["top"] >= ohlc["bottom"] - 0.5, (ohlc, lines)
    centres = page.evaluate(CENTRES, [i, ".iw-candle > .iw-head > *:not(.iw-spacer)"])
    assert max(centres) - min(centres) <= 2, centres  # one row


def run_layout(lab: Any, page: Any, tmp_path: Any, width: int) -> None:
    # tall enough for the stacked Dashboard to fit (an element screenshot needs it on screen)
    page.set_viewport_size({"width": width, "height": 1600})
    name = f"layout{width}.ipynb"
    write_notebook(lab["root"] / name, CELLS)
    page.goto(f"{lab['url']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    # the file browser would take a third of a narrow window
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed", timeout=10_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    for i, kind in ((DASH, "candle"), (CHART, "candle"), (BOOK, "book"), (TAPE, "tape")):
        page.wait_for_selector(cell_sel(i, f'.iw-{kind}[data-status="simulated"]'), timeout=60_000)
    wait_attr_at_least(page, cell_sel(DASH, ".iw-candle"), "data-bars", 30)
    wait_attr_at_least(page, cell_sel(CHART, ".iw-candle"), "data-bars", 30)
    wait_attr_at_least(page, cell_sel(BOOK, ".iw-book"), "data-levels", 10)
    wait_attr_at_least(page, cell_sel(TAPE, ".iw-tape"), "data-rows", 5)
    page.wait_for_selector(cell_sel(BOOK, '.iw-book[data-stats="1"]'), timeout=30_000)

    # the 分时图 in its first minute: one slot filled, and a price line drawn
    wait_attr_at_least(page, cell_sel(INTRADAY, ".iw-intraday"), "data-filled", 1)
    assert attr(page, cell_sel(INTRADAY, ".iw-intraday"), "data-filled") == "1"
    page.wait_for_function(f"() => ({PRICE_INK})({INTRADAY}) > 6", timeout=10_000)

    check_nothing_clipped(page)
    check_chart(page, CHART)
    check_chart(page, DASH)
    # the board's compact columns fit (tighter padding, no sparkline when narrow); wider column
    # sets scroll sideways under the pinned symbol column
    fit = page.evaluate(
        "(s) => { const e = document.querySelector(s); return [e.scrollWidth, e.clientWidth]; }",
        cell_sel(DASH, ".iw-board .iw-scroller"),
    )
    assert fit[0] <= fit[1] + 1, fit

    # the Dashboard stacks when narrow, sets book and tape beside the chart when wide
    chart, side = box(page, DASH, ".iw-dash-chart"), box(page, DASH, ".iw-dash-side")
    if width <= 800:
        assert side["top"] >= chart["bottom"] - 1, (chart, side)
    else:
        assert side["left"] >= chart["right"] - 1, (chart, side)
    # the Dashboard as it first shows, for the README
    out = page.locator(".jp-Notebook .jp-Cell").nth(DASH).locator(".jp-OutputArea").first
    out.scroll_into_view_if_needed()
    shot = tmp_path / f"dashboard-{width}.png"
    out.screenshot(path=str(shot), animations="disabled", style=NO_FLASH)
    copy_screenshot(shot, f"dashboard-{width}.png")
    # a long message elides on its own row; the interval buttons stay on one
    run_in_kernel(page, "dash.picker.value = '600519'")
    page.wait_for_function(
        f"() => document.querySelector('{cell_sel(DASH, '.iw-dash-message')}').textContent.includes('600519.SH')",
        timeout=10_000,
    )
    msg = page.evaluate(
        "(s) => { const e = document.querySelector(s); return {title: e.querySelector('[title]')?.title, h: e.getBoundingClientRect().height, text: e.textContent}; }",
        cell_sel(DASH, ".iw-dash-message"),
    )
    assert msg["h"] < 30 and msg["title"] == msg["text"], msg
    assert len(set(page.evaluate(TOPS, [DASH, ".widget-toggle-button"]))) == 1
    # a long status on a widget's badge: one row, elided, the whole text on hover
    long = "688999.SH: no data for 688999.SH: check the code, the plan's markets, or the suffix"
    run_in_kernel(page, f"chart.status = 'error'; chart.status_message = {long!r}")
    badge = cell_sel(CHART, ".iw-badge")
    page.wait_for_selector(f'{badge}[data-status="error"]', timeout=10_000)
    assert page.locator(badge).get_attribute("title") == long
    assert len(set(page.evaluate(TOPS, [CHART, ".iw-candle .iw-btns button"]))) == 1
    check_chart(page, CHART)
    check_nothing_clipped(page)

    # units: 手 in the zh book's panel and ladder header, BTC sizes at their decimals
    for key in ("volume", "buy_volume", "sell_volume", "bid_ask_diff"):
        text = page.locator(cell_sel(BOOK, f'.iw-stats [data-key="{key}"]')).inner_text()
        assert text.endswith("手"), (key, text)
    assert page.locator(cell_sel(BOOK, ".iw-ladder th")).nth(2).inner_text() == "数量(手)"
    assert page.locator(cell_sel(TAPE, "thead th")).nth(2).inner_text() == "Size (BTC)"
    sizes = page.locator(cell_sel(TAPE, "tbody tr td:nth-child(3)")).all_inner_texts()
    assert sizes and "0" not in sizes, sizes
    assert page.locator(cell_sel(DASH, ".iw-candle-legend")).inner_text().count(" lots") == 1

    # icons are SVG; no ⏮ / ⏸ glyph anywhere on the page
    icons = page.locator(cell_sel(CONTROLS, "button.iw-icon-btn svg.iw-icon"))
    assert icons.count() == 2
    for k in range(2):
        b = icons.nth(k).bounding_box()
        assert b is not None and b["width"] >= 8 and b["height"] >= 8
    assert not any(g in page.inner_text(".jp-Notebook") for g in ("⏮", "⏸"))

    # the time axis never shows a label cut by its edge: drag the 1d chart a few pixels at a
    # time; whenever a label touches an edge, it is masked
    area = page.locator(cell_sel(CHART, ".iw-chart"))
    area.scroll_into_view_if_needed()
    b = area.bounding_box()
    assert b is not None
    for _ in range(12):
        y = b["y"] + b["height"] * 0.4
        page.mouse.move(b["x"] + 100, y)
        page.mouse.down()
        page.mouse.move(b["x"] + 107, y, steps=2)
        page.mouse.up()
        page.evaluate(FRAMES)  # the chart paints, then the view looks at the axis
        cut = page.evaluate(
            """(s) => { const r = document.querySelector(s); const c = r.querySelector('table tr:last-child td:nth-child(2) canvas');
               const m = r.querySelector('.iw-axis-mask-left'); const d = c.getContext('2d').getImageData(0, 3, 2, c.height - 3).data;
               let ink = false; for (let k = 0; k < d.length; k += 4) if (d[k] + d[k+1] + d[k+2] < 600) ink = true;
               return {ink, masked: !!m && m.style.display !== 'none' && m.getBoundingClientRect().width > 2}; }""",
            cell_sel(CHART, ".iw-candle"),
        )
        assert cut["masked"] == cut["ink"], cut

    run_in_kernel(page, "chart.status = 'simulated'; chart.status_message = ''")
    # every cell's output, looked at
    for i, name in (
        (DASH, "dashboard-message"),
        (CHART, "chart-1d"),
        (BOOK, "book"),
        (TAPE, "tape"),
        (INTRADAY, "intraday"),
        (CONTROLS, "controls"),
    ):
        out = page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".jp-OutputArea").first
        out.scroll_into_view_if_needed()
        shot = tmp_path / f"layout-{width}-{name}.png"
        out.screenshot(path=str(shot), animations="disabled", style=NO_FLASH)


def test_layout_at_700_px(lab, page, tmp_path):
    run_layout(lab, page, tmp_path, 700)


def test_layout_at_1280_px(lab, page, tmp_path):
    run_layout(lab, page, tmp_path, 1280)
