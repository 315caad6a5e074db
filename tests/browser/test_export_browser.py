"""``iw.export_html`` pages in chromium with the network off: every request that is not for a
file is aborted, and the widgets still draw their saved state and say so.

The pages are written by a Python process of their own (a kernel would do the same): it starts
the embedded simulated market, waits until each widget holds data, and exports the widgets, then
a notebook that shows them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO
from .test_widgets_browser import CANVAS_INK, ROOTS, attr, wait_attr_at_least, wait_ink

pytestmark = pytest.mark.browser

BOARD = ["600519.SH", "00700.HK", "AAPL.US"]

WRITER = """
import asyncio, sys, time
import nbformat
import infoway_widgets as iw

VIEW = "application/vnd.jupyter.widget-view+json"


def rows(w, col):
    snap = w.get_state()["_snapshot"] or {}
    return len((snap.get("cols") or {}).get(col) or [])


async def main(page, lesson):
    chart = iw.CandleChart("600519.SH")
    book = iw.OrderBook("600519.SH")
    tape = iw.TradeTape("600519.SH")
    board = iw.QuoteBoard(%(board)r)
    want = {chart: ("t", 100), book: ("bid_px", 5), tape: ("t", 1), board: ("last", %(n)d)}
    deadline = time.monotonic() + 90
    while any(rows(w, c) < n for w, (c, n) in want.items()):
        if time.monotonic() > deadline:
            sys.exit({type(w).__name__: rows(w, c) for w, (c, n) in want.items()})
        await asyncio.sleep(0.2)
    iw.export_html(page, chart, book, tape, board, title="Moutai offline")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "CandleChart", VIEW: chart.get_view_spec()})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Moutai, minute by minute"), cell]
    nbformat.write(nb, lesson + ".ipynb")
    iw.export_html(lesson + ".html", lesson + ".ipynb")


asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, bundles: None) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("export")
    script = tmp / "writer.py"
    script.write_text(WRITER % {"board": BOARD, "n": len(BOARD)}, encoding="utf-8")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    res = subprocess.run(
        [sys.executable, str(script), str(tmp / "page.html"), str(tmp / "lesson")],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    return {"widgets": tmp / "page.html", "notebook": tmp / "lesson.html"}


def offline(page: Any) -> list[str]:
    """Abort every request that is not for a local file; the list of what was aborted."""
    aborted: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    return aborted


def badge(page: Any, sel: str) -> str:
    return str(page.evaluate("(s) => document.querySelector(s + ' .iw-badge')?.textContent", sel))


def test_exported_widgets_draw_their_saved_state_offline(pages, page, tmp_path):
    aborted = offline(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(pages["widgets"].as_uri())
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-status="saved"]', timeout=30_000)
        assert badge(page, sel).startswith("Saved state: simulated, 20"), badge(page, sel)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_attr_at_least(page, ROOTS["book"], "data-levels", 10)
    wait_attr_at_least(page, ROOTS["tape"], "data-rows", 1)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", len(BOARD))
    wait_ink(page, ROOTS["candle"], 3000)
    assert page.evaluate(CANVAS_INK, ROOTS["board"]) > 50  # the sparklines
    assert page.title() == "Moutai offline"
    page.screenshot(path=str(tmp_path / "export-offline.png"), full_page=True)
    assert not aborted, aborted
    assert not errors, errors


def test_an_exported_notebook_shows_its_cells_and_widgets_offline(pages, page):
    aborted = offline(page)
    page.goto(pages["notebook"].as_uri())
    page.wait_for_selector(f'{ROOTS["candle"]}[data-status="saved"]', timeout=30_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_ink(page, ROOTS["candle"], 3000)
    assert page.locator("h1", has_text="Moutai, minute by minute").count() == 1
    assert attr(page, ROOTS["candle"], "data-symbol") == "600519.SH"
    assert not aborted, aborted
