"""A notebook saved from JupyterLab keeps the order-flow views as they were shown: the chart's
volume profile (the front-end's state holds the last profile sent, since deltas bring it only
when it changes) and the depth heatmap's bins; rendered again with no kernel, both draw."""

from __future__ import annotations

import pytest
from nbconvert import HTMLExporter

from .conftest import KERNEL_READY, TOKEN
from .test_lifetime_browser import saved_snapshots
from .test_widgets_browser import (
    CANVAS_INK,
    attr,
    open_offline,
    wait_attr_at_least,
    write_notebook,
)

pytestmark = pytest.mark.browser

CANDLE = ".iw-root.iw-candle"
HEAT = ".iw-root.iw-heatmap"
CELLS = [
    "import infoway_widgets as iw",
    'chart = iw.CandleChart("BTCUSDT", volume_profile=True)\nchart',
    'heat = iw.DepthHeatmap("BTCUSDT", window="2m")\nheat',
]


def test_a_saved_notebook_keeps_the_volume_profile_and_the_heatmap(lab, page, export_assets):
    settings = lab["tmp"] / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
    settings.mkdir(parents=True, exist_ok=True)
    setting = settings / "plugin.jupyterlab-settings"
    setting.write_text('{"saveState": true}')
    try:
        path = lab["root"] / "orderflow-saved.ipynb"
        write_notebook(path, CELLS)
        page.goto(f"{lab['url']}/lab/tree/orderflow-saved.ipynb?reset&token={TOKEN}")
        page.wait_for_function(KERNEL_READY, timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_attr_at_least(page, CANDLE, "data-vprofile", 2, timeout=90_000)
        wait_attr_at_least(page, HEAT, "data-bins", 10, timeout=90_000)
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
        )
    finally:
        setting.unlink()

    snaps = saved_snapshots(path)
    vp = snaps["bars"]["header"].get("vp")
    assert vp and len(vp["px"]) >= 2 and sum(vp["vol"]) > 0, snaps["bars"]["header"].keys()
    heat = snaps["heatmap"]
    assert heat["header"]["levels"] == 20 and len(heat["cols"]["t"]) >= 10

    html, _ = HTMLExporter(
        require_js_url="http://export.test/require.js",
        widget_renderer_url="http://export.test/html-manager/embed-amd.js",
    ).from_filename(str(path))
    offline = page.context.new_page()
    errors = open_offline(offline, html, export_assets)
    for sel in (CANDLE, HEAT):
        offline.wait_for_selector(f'{sel}[data-link="saved"]', timeout=30_000)
        assert offline.locator(f"{sel} .iw-badge").first.inner_text() == "Saved state"
    wait_attr_at_least(offline, CANDLE, "data-vprofile", len(vp["px"]), timeout=30_000)
    wait_attr_at_least(offline, HEAT, "data-bins", 10, timeout=30_000)
    assert attr(offline, HEAT, "data-levels") == "20"
    assert offline.evaluate(CANVAS_INK, HEAT) > 3000
    assert not errors, errors
    offline.close()
