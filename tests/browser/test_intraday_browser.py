"""The 分时图 in a real browser: collapsed lunch axis, centre line at the previous close, the 均价线,
zh labels, limit-up marked; screenshot to docs/images/intraday.png."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot
from .test_widgets_browser import CANVAS_INK, open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-root.iw-intraday"


def test_intraday_chart(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "intraday.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=60, new=True)",
            'chart = iw.IntradayChart("600519.SH", feed=feed, locale="zh")\nchart',
        ],
    )
    open_and_run(page, lab, "intraday.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-filled", 12, timeout=90_000)
    shot = tmp_path / "intraday.png"
    page.locator(ROOT).first.screenshot(path=str(shot))
    copy_screenshot(shot, "intraday.png")
    d = page.evaluate("(s) => ({...document.querySelector(s).dataset})", ROOT)
    assert d["slots"] == "240"
    # the lunch break takes no room: 11:29 and 13:00 are one slot apart, like any two minutes
    assert abs(float(d["breakGapPx"]) - float(d["slotPx"])) < 1e-6
    assert d["breakSlot"] == "120"
    assert float(d["prevClose"]) > 0 and int(d["centerY"]) > 0
    # the centre line is drawn at the previous close's height (dashed, muted): pixels on that row
    row_ink = page.evaluate(
        """(s) => { const r = document.querySelector(s); const c = r.querySelector('canvas');
           const dpr = c.width / c.clientWidth; const y = Math.round(Number(r.dataset.centerY) * dpr);
           const d = c.getContext('2d').getImageData(0, y, c.width, 1).data; const bg = [d[0], d[1], d[2]];
           let n = 0; for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]-bg[0]) + Math.abs(d[i+1]-bg[1]) + Math.abs(d[i+2]-bg[2]) > 30) n++;
           return n; }""",
        ROOT,
    )
    assert row_ink > 100
    assert page.evaluate(CANVAS_INK, ROOT) > 3000
    legend = page.locator(f"{ROOT} .iw-legend").inner_text()
    assert "均价" in legend and "成交量" in legend
    assert "分时" in page.locator(f"{ROOT} .iw-sub").inner_text()
