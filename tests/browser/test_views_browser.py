"""Two views of one widget in a real JupyterLab: the model's store serves both.

A chart and a tape are displayed, the chart scrolled back, then both are displayed a second
time. The second views show the data at once; the first views are not reset (their update count
goes on rising, no full frame reaches them, the chart keeps its scroll position); and the kernel
received one resync per model, not one per view. A full frame Python sends later (another
front-end's resync) keeps the scrolled-back chart where it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import KERNEL_READY, TOKEN, copy_screenshot, run_in_kernel
from .test_widgets_browser import attr, wait_attr_at_least, wait_live, write_notebook

pytestmark = pytest.mark.browser

CANDLE = ".iw-root.iw-candle"
TAPE = ".iw-root.iw-tape"
# counts the front-end's requests per widget class: wrapped before any widget exists
SETUP = """import collections
import infoway_widgets as iw
REQUESTS = collections.Counter()

def counting(cls):
    handle = cls._on_front_msg
    def on_front_msg(self, widget, content, buffers):
        if isinstance(content, dict):
            REQUESTS[(cls.__name__, content.get("type"))] += 1
        return handle(self, widget, content, buffers)
    cls._on_front_msg = on_front_msg

for cls in (iw.CandleChart, iw.TradeTape):
    counting(cls)"""
CELLS = [
    SETUP,
    'chart = iw.CandleChart("600519.SH")\nchart',
    'tape = iw.TradeTape("600519.SH")\ntape',
    "display(chart, tape)  # second views of the same two models",
]


def run_cells(page: Any, command: str, index: int) -> None:
    page.evaluate(
        """([cmd, i]) => { const nb = window.jupyterapp.shell.currentWidget;
           nb.content.activeCellIndex = i; return window.jupyterapp.commands.execute(cmd); }""",
        [command, index],
    )


def data(page: Any, sel: str, nth: int) -> dict[str, str]:
    return page.evaluate("([s, i]) => ({...document.querySelectorAll(s)[i].dataset})", [sel, nth])


def test_a_second_view_reads_the_models_store(lab, page, tmp_path):
    write_notebook(lab["root"] / "views.ipynb", CELLS)
    page.goto(f"{lab['url']}/lab/tree/views.ipynb?reset&token={TOKEN}")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    run_cells(page, "notebook:run-all-above", 3)  # everything but the second views
    for sel in (CANDLE, TAPE):
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, CANDLE, "data-bars", 100)
    wait_attr_at_least(page, TAPE, "data-rows", 1)
    wait_live(page, CANDLE)
    wait_live(page, TAPE)

    # scroll the chart back, away from the latest bar
    area = page.locator(f"{CANDLE} .iw-chart").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.4
    page.mouse.move(box["x"] + 60, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 120, y, steps=8)
    page.mouse.up()
    # the right edge shows a bar at least 50 minutes older than the newest one
    page.wait_for_function(
        "(s) => { const d = document.querySelector(s).dataset; return Number(d.latest) - Number(d.visibleTo) >= 50 * 60000; }",
        arg=CANDLE,
        timeout=10_000,
    )
    before = {sel: data(page, sel, 0) for sel in (CANDLE, TAPE)}

    # the second views
    run_cells(page, "notebook:run-cell", 3)
    page.wait_for_function(
        "([a, b]) => document.querySelectorAll(a).length === 2 && document.querySelectorAll(b).length === 2",
        arg=[CANDLE, TAPE],
        timeout=30_000,
    )
    for sel, key in ((CANDLE, "bars"), (TAPE, "rows")):
        wait_attr_at_least(page, sel, f"data-{key}", 1, nth=1, timeout=10_000)
        second = data(page, sel, 1)
        # drawn from the store: no full frame came for it
        assert second["resets"] == "0", (sel, second)
        assert int(second["updates"]) >= 1
    # both views go on updating; the first one is not reset
    for sel in (CANDLE, TAPE):
        wait_live(page, sel)
        wait_attr_at_least(page, sel, "data-updates", int(before[sel]["updates"]) + 2)
        now = data(page, sel, 0)
        assert now["resets"] == before[sel]["resets"], (sel, before[sel], now)
    page.wait_for_function(
        "(s) => { const [a, b] = document.querySelectorAll(s); return a.dataset.seq === b.dataset.seq && a.dataset.bars === b.dataset.bars; }",
        arg=CANDLE,
        timeout=20_000,
    )
    # the scrolled-back chart stays where it was
    assert attr(page, CANDLE, "data-visible-to") == before[CANDLE]["visibleTo"]
    # our styles come once per widget class from `_css`, none from the views (the chart
    # library keeps its own small style for its attribution logo)
    styles = page.evaluate(
        """() => ({inViews: [...document.querySelectorAll('.iw-root style')].filter(s => s.textContent.includes('.iw-')).length,
                   inHead: [...document.head.querySelectorAll('style')].filter(s => s.textContent.includes('.iw-root')).length})"""
    )
    assert styles == {"inViews": 0, "inHead": 2}, styles
    # one resync per model (the one at start), not one per view
    run_in_kernel(
        page,
        "assert REQUESTS[('CandleChart', 'resync')] == 1, REQUESTS\n"
        "assert REQUESTS[('TradeTape', 'resync')] == 1, REQUESTS",
    )
    for nth, name in ((0, "candle-first-view.png"), (1, "candle-second-view.png")):
        shot = tmp_path / name
        page.locator(CANDLE).nth(nth).screenshot(path=str(shot))
        copy_screenshot(shot, name)

    # Python sends a full frame of the same series (as for another front-end's resync): both
    # views take it, and the scrolled-back one keeps its place
    resets = int(attr(page, CANDLE, "data-resets") or 0)
    run_in_kernel(page, "chart._send_full()")
    wait_attr_at_least(page, CANDLE, "data-resets", resets + 1, timeout=20_000)
    wait_attr_at_least(page, CANDLE, "data-resets", 1, nth=1, timeout=20_000)
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).dataset.visibleTo === t",
        arg=[CANDLE, before[CANDLE]["visibleTo"]],
        timeout=10_000,
    )
    # the second view was following the latest bar, and still does
    second = data(page, CANDLE, 1)
    assert second["visibleTo"] == second["latest"], second
