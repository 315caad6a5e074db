"""Widgets nobody sees stop sending, and views whose kernel is gone say so, in a real JupyterLab.

A chart cell is run twenty-one times (the first run and twenty re-runs): each run replaces the
output, so the earlier charts lose their views but stay alive in the kernel. Once they have
paused, ten seconds of the page's comm messages come from one widget only, the chart on screen.
Then the kernel restarts: the view stays on the page, frozen, and says Disconnected.

A notebook saved from JupyterLab keeps what its views showed (the front-end's state, not one
Python pushed earlier): seven trades of seven, the newest bars; rendered again with no kernel, it
shows those, the chart at its newest bar, and says Saved state.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import HTMLExporter

from .conftest import KERNEL_READY, TOKEN, run_in_kernel
from .test_views_browser import run_cells
from .test_widgets_browser import attr, open_offline, wait_attr_at_least, wait_live, write_notebook

pytestmark = pytest.mark.browser

CANDLE = ".iw-root.iw-candle"
CELLS = ["import infoway_widgets as iw", 'chart = iw.CandleChart("600519.SH")\nchart']
RUNS = 21
# the charts of this kernel still sending frames; an assert, so run_in_kernel raises until true
ONE_SENDING = """import ipywidgets
_charts = [w for w in list(ipywidgets.widgets.widget._instances.values()) if isinstance(w, iw.CandleChart)]
assert len(_charts) == {runs}, len(_charts)
_sending = [w for w in _charts if w._lifetime.sending]
assert _sending == [chart], len(_sending)"""
# counts the comm messages (trait updates and custom frames) the page receives, per comm
COUNT_COMM = """() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const counts = {}; window.__iwComm = counts;
  const slot = (_k, m) => { if (m.header.msg_type === 'comm_msg') {
    const id = m.content.comm_id; counts[id] = (counts[id] || 0) + 1; } };
  k.iopubMessage.connect(slot); window.__iwCommStop = () => k.iopubMessage.disconnect(slot); }"""


def wait_in_kernel(page: Any, code: str, timeout: float = 30.0) -> None:
    """Run ``code`` (an assert) in the kernel until it passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            run_in_kernel(page, code)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise


def test_rerun_chart_cells_stop_sending_and_a_restart_disconnects(lab, page):
    write_notebook(lab["root"] / "lifetime.ipynb", CELLS)
    page.goto(f"{lab['url']}/lab/tree/lifetime.ipynb?reset&token={TOKEN}")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    run_cells(page, "notebook:run-cell", 0)
    for _ in range(RUNS):
        run_cells(page, "notebook:run-cell", 1)  # resolves once the kernel replied
    page.wait_for_selector(f'{CANDLE}[data-status="simulated"]', timeout=60_000)
    assert page.locator(CANDLE).count() == 1
    wait_live(page, CANDLE)

    # the twenty charts off screen have paused (pause_after), the one on screen has not
    wait_in_kernel(page, ONE_SENDING.format(runs=RUNS))
    page.evaluate(COUNT_COMM)
    wait_live(page, CANDLE)  # frames keep coming while we count
    page.wait_for_timeout(10_000)  # the measurement window itself, not a wait for an event
    counts: dict[str, int] = page.evaluate(
        "() => { window.__iwCommStop(); return window.__iwComm; }"
    )
    assert len(counts) == 1, counts  # one widget's worth of messages, not twenty-one
    assert sum(counts.values()) >= 5, counts

    # a kernel restart: the view stays, frozen, and says so
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    page.wait_for_selector(f'{CANDLE}[data-status="disconnected"]', timeout=30_000)
    badge = page.locator(f"{CANDLE} .iw-badge").first
    assert badge.inner_text() == "Disconnected"
    assert badge.get_attribute("data-status") == "disconnected"
    page.wait_for_function(KERNEL_READY, timeout=60_000)  # the new kernel does not revive it
    assert page.locator(f'{CANDLE}[data-status="disconnected"]').count() == 1


SAVED_CELLS = [
    "import infoway_widgets as iw",
    'tape = iw.TradeTape("600519.SH", max_rows=7)\ntape',
    'chart = iw.CandleChart("600519.SH")\nchart',
]
TAPE = ".iw-root.iw-tape"


def saved_snapshots(path: Path) -> dict[str, dict[str, Any]]:
    """The ``_snapshot`` of every widget a saved notebook holds, by its frame kind."""
    nb = nbformat.read(path, as_version=4)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    snaps = [m["state"].get("_snapshot") for m in state.values()]
    return {s["header"]["kind"]: s for s in snaps if s and "header" in s}


def test_a_saved_notebook_keeps_what_the_views_showed(lab, page, export_assets):
    # JupyterLab saves widget state into the notebook only with this setting (off by default)
    settings = lab["tmp"] / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
    settings.mkdir(parents=True, exist_ok=True)
    setting = settings / "plugin.jupyterlab-settings"
    setting.write_text('{"saveState": true}')
    try:
        path = lab["root"] / "saved.ipynb"
        write_notebook(path, SAVED_CELLS)
        page.goto(f"{lab['url']}/lab/tree/saved.ipynb?reset&token={TOKEN}")
        page.wait_for_function(KERNEL_READY, timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_attr_at_least(page, TAPE, "data-rows", 7)
        wait_attr_at_least(page, CANDLE, "data-bars", 100)
        wait_live(page, CANDLE)
        shown_latest = int(attr(page, CANDLE, "data-latest") or 0)
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
        )
    finally:
        setting.unlink()

    # the saved state is what the views showed then: seven trades of seven, the newest bars
    snaps = saved_snapshots(path)
    tape, bars = snaps["tape"], snaps["bars"]
    assert tape["header"]["n"] == 7 and len(tape["cols"]["t"]) == 7, tape["header"]
    assert bars["cols"]["t"][-1] >= shown_latest > 0
    assert 100 <= bars["header"]["n"] <= 500  # bounded by snapshot_bars
    saved_latest = bars["cols"]["t"][-1]

    # reopened with no kernel: the same rows, the chart at its newest bar, saved state said
    html, _ = HTMLExporter(
        require_js_url="http://export.test/require.js",
        widget_renderer_url="http://export.test/html-manager/embed-amd.js",
    ).from_filename(str(path))
    offline = page.context.new_page()
    errors = open_offline(offline, html, export_assets)
    offline.wait_for_selector(f'{TAPE}[data-rows="7"]', timeout=30_000)
    offline.wait_for_selector(f'{CANDLE}[data-latest="{saved_latest}"]', timeout=30_000)
    offline.wait_for_function(
        "([s, t]) => document.querySelector(s).dataset.visibleTo === t",
        arg=[CANDLE, str(saved_latest)],
        timeout=30_000,
    )
    for sel in (TAPE, CANDLE):
        assert offline.locator(f"{sel} .iw-badge").first.inner_text() == "Saved state"
    assert not errors, errors
    offline.close()
