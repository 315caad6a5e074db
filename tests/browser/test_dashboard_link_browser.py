"""A Dashboard with a second, linked chart, in a real JupyterLab: both charts draw side by side
with the book and tape, inside the output area, and the crosshair over the 5-minute chart puts the
daily chart's on the day holding it. A screenshot goes to docs/images/dashboard-linked.png."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot
from .test_widgets_browser import open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "import infoway_widgets as iw",
    'dash = iw.Dashboard(["600519.SH", "000001.SZ"], interval="5m", second_interval="1d")\ndash',
]
MAIN = '.iw-dashboard .iw-root.iw-candle[data-interval="5m"]'
SECOND = '.iw-dashboard .iw-root.iw-candle[data-interval="1d"]'
DAY = 86_400_000


def test_dashboard_second_chart_follows_the_first(lab, page, tmp_path):
    write_notebook(lab["root"] / "dash-linked.ipynb", CELLS)
    open_and_run(page, lab, "dash-linked.ipynb")
    for sel in (MAIN, SECOND):
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=90_000)
        wait_attr_at_least(page, sel, "data-bars", 20)
    main = page.locator(f"{MAIN} .iw-chart").bounding_box()
    second = page.locator(f"{SECOND} .iw-chart").bounding_box()
    out = page.locator(".iw-dashboard").bounding_box()
    assert main and second and out
    assert second["y"] >= main["y"] + main["height"] - 1  # under the first chart
    assert second["x"] + second["width"] <= out["x"] + out["width"] + 1
    page.mouse.move(main["x"] + main["width"] * 0.6, main["y"] + 80)
    page.wait_for_function(
        "([a, b, day]) => { const x = document.querySelector(a), y = document.querySelector(b);"
        " return x && y && x.dataset.legendTime && y.dataset.followedTime &&"
        " Number(y.dataset.followedTime) <= Number(x.dataset.legendTime) &&"
        " Number(x.dataset.legendTime) < Number(y.dataset.followedTime) + day; }",
        arg=[MAIN, SECOND, DAY],
        timeout=30_000,
    )
    shot = tmp_path / "dashboard-linked.png"
    page.locator(".iw-dashboard").first.screenshot(path=str(shot))
    copy_screenshot(shot, "dashboard-linked.png")
