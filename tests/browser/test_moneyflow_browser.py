"""MoneyFlow in JupyterLab + chromium: bars and the 主力净流入 line drawn on the trading day's time
axis, the estimate note with the preset, zh labels; screenshot to docs/images/money-flow.png."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot
from .test_widgets_browser import CANVAS_INK, open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-root.iw-moneyflow"


def test_money_flow_widget(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "moneyflow.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=240, new=True)",
            'flow = iw.MoneyFlow("600519.SH", "joinquant", feed=feed, locale="zh")\nflow',
        ],
    )
    open_and_run(page, lab, "moneyflow.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-minutes", 3, timeout=90_000)
    # the line's time axis is the A-share trading day: 09:30, the lunch break, 15:00
    axis = page.evaluate("(s) => document.querySelector(s).dataset.axis", ROOT)
    assert axis == "09:30 11:30/13:00 15:00", axis
    wait_attr_at_least(page, ROOT, "data-minutes", 60, timeout=90_000)  # for the picture
    assert page.evaluate(CANVAS_INK, ROOT) > 500
    note = page.locator(f"{ROOT} .iw-flow-note").inner_text()
    assert "估算" in note and "joinquant" in note
    assert "主力净流入" in page.locator(f"{ROOT} .iw-flow-legend").inner_text()
    assert page.evaluate("(s) => document.querySelector(s).dataset.mainNet", ROOT) != ""
    shot = tmp_path / "money-flow.png"
    page.locator(ROOT).first.screenshot(path=str(shot))
    copy_screenshot(shot, "money-flow.png")
