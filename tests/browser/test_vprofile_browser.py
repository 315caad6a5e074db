"""The volume profile on a candle chart in JupyterLab + chromium: bars appear in the price pane's
right strip, and nowhere else on the overlay."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot
from .test_widgets_browser import open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-root.iw-candle"

# inked pixels of the profile overlay: [in its right quarter, elsewhere]
STRIP_INK = """(s) => { const c = document.querySelector(s + ' canvas.iw-vprofile'); if (!c || !c.width) return [-1, -1];
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const edge = c.width * 0.75; let a = 0, b = 0;
  for (let i = 0; i < d.length; i += 4) { if (d[i + 3] === 0) continue; if ((i / 4) % c.width >= edge) a++; else b++; }
  return [a, b]; }"""


def test_chart_volume_profile_draws_in_the_right_strip(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "vprofile.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=60, new=True)",
            'chart = iw.CandleChart("600519.SH", feed=feed, volume_profile=True)\nchart',
        ],
    )
    open_and_run(page, lab, "vprofile.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-vprofile", 4, timeout=90_000)
    page.wait_for_function(f"() => ({STRIP_INK})({ROOT!r})[0] > 300", timeout=30_000)
    inside, outside = page.evaluate(STRIP_INK, ROOT)
    assert inside > 300 and outside == 0, (inside, outside)
    shot = tmp_path / "candle-vprofile.png"
    page.locator(ROOT).first.screenshot(path=str(shot))
    copy_screenshot(shot, "candle-vprofile.png")
