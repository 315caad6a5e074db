"""DepthHeatmap in JupyterLab + chromium: drawn, scrolling at display rate, a resting wall as a
bright band at its price (a scripted 20-level book), zoom / pan / back to live, the crosshair
read-out, each update painting only its columns; the A-share heatmap on five levels (zh), and a
simulated crypto book on twenty. Screenshots to docs/images/."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot
from .test_widgets_browser import CANVAS_INK, open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-root.iw-heatmap"

# mean brightness (r+g+b) of the plot's pixels on the row of a price, in device pixels
ROW_BRIGHTNESS = """([s, price]) => { const r = document.querySelector(s); const c = r.querySelector('canvas');
  const dpr = c.width / c.clientWidth; const [l, t, w, h] = r.dataset.plot.split(',').map(Number);
  const top = Number(r.dataset.priceTop), bot = Number(r.dataset.priceBottom);
  const y = Math.round((t + (top - price) / (top - bot) * h) * dpr);
  const x0 = Math.round((l + w * 0.8) * dpr), x1 = Math.round((l + w * 0.98) * dpr);
  const d = c.getContext('2d').getImageData(x0, y, x1 - x0, 1).data; let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
  return sum / (d.length / 4); }"""


def _data(page):
    return page.evaluate("(s) => ({...document.querySelector(s).dataset})", ROOT)


def test_heatmap_scripted_wall_scrolls_zooms_and_reads_out(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "heatmap.ipynb",
        [
            "import asyncio\nimport infoway_widgets as iw\n"
            "from tests.widgets.scripted_book import ScriptedBook, drive\n"
            "feed = iw.Feed.detached()\nbook = ScriptedBook('BTCUSDT', levels=20)",
            "heat = iw.DepthHeatmap('BTCUSDT', window='2m', feed=feed, columns=240)\nheat",
            "task = asyncio.ensure_future(drive(feed, book, 1_790_000_000_000, hz=20))",
        ],
    )
    open_and_run(page, lab, "heatmap.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="detached"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-bins", 60, timeout=90_000)
    d = _data(page)
    assert d["levels"] == "20" and d["live"] == "1"
    assert page.evaluate(CANVAS_INK, ROOT) > 5000
    # it scrolls: the live edge moves, also in draws between two frames (at display rate)
    t1, scrolls1 = float(d["tEnd"]), int(d.get("scrolls") or 0)
    page.wait_for_function(
        "([s, t]) => Number(document.querySelector(s).dataset.tEnd) > t + 2000",
        arg=[ROOT, t1],
        timeout=30_000,
    )
    wait_attr_at_least(page, ROOT, "data-scrolls", scrolls1 + 10, timeout=30_000)
    # each update paints its own columns of the plot, not the whole window again
    d = _data(page)
    full0, parts0, n0 = int(d["layerFull"]), int(d["layerParts"]), int(d["updates"])
    wait_attr_at_least(page, ROOT, "data-updates", n0 + 60, timeout=30_000)
    wait_attr_at_least(page, ROOT, "data-layer-parts", parts0 + 40, timeout=30_000)
    d = _data(page)
    full, parts = int(d["layerFull"]) - full0, int(d["layerParts"]) - parts0
    assert parts >= 40 and full * 3 < parts, (full, parts)
    # the wall (400 resting at one price; the rest 0.5 to 4) is a bright band at its price
    wall = 60004.0  # ScriptedBook: mid 60000, wall 8 ticks of 0.5 above
    bright = page.evaluate(ROW_BRIGHTNESS, [ROOT, wall])
    others = [page.evaluate(ROW_BRIGHTNESS, [ROOT, wall - k * 0.5]) for k in (3, 4, 5)]
    shot = tmp_path / "heatmap.png"
    page.locator(ROOT).first.screenshot(path=str(shot))
    copy_screenshot(shot, "heatmap.png")
    assert bright > 450 and all(bright > 2 * o for o in others), (bright, others)
    # the crosshair read-out names time, price, resting size and traded volume
    box = page.locator(f"{ROOT} canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
    page.wait_for_function("(s) => !!document.querySelector(s).dataset.readout", arg=ROOT)
    text = page.locator(f"{ROOT} .iw-heat-readout").inner_text()
    assert all(k in text for k in ("Time", "Price", "Resting", "Traded")), text
    # wheel zooms time; dragging leaves the live edge; the Live button comes back
    span0 = float(_data(page)["tEnd"]) - float(_data(page)["tStart"])
    page.mouse.wheel(0, -300)
    page.wait_for_function(
        "([s, w]) => { const d = document.querySelector(s).dataset; return Number(d.tEnd) - Number(d.tStart) < w * 0.9; }",
        arg=[ROOT, span0],
    )
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3, steps=5)
    page.mouse.up()
    page.wait_for_selector(f'{ROOT}[data-live="0"]')
    page.locator(f"{ROOT} .iw-btn[data-live]").click()
    page.wait_for_selector(f'{ROOT}[data-live="1"]')


def test_heatmap_ashare_five_levels(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "heatmap-ashare.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=30, new=True)",
            'heat = iw.DepthHeatmap("600519.SH", window="3m", feed=feed, locale="zh")\nheat',
        ],
    )
    open_and_run(page, lab, "heatmap-ashare.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-bins", 40, timeout=90_000)
    d = _data(page)
    assert d["levels"] == "5" and float(d["rowStep"]) >= 0.01
    assert page.evaluate(CANVAS_INK, ROOT) > 3000
    box = page.locator(f"{ROOT} canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    page.wait_for_function("(s) => !!document.querySelector(s).dataset.readout", arg=ROOT)
    text = page.locator(f"{ROOT} .iw-heat-readout").inner_text()
    assert "价格" in text and "挂单" in text and "成交" in text
    assert page.locator(f"{ROOT} .iw-btn[data-live]").inner_text() == "实时"
    page.mouse.move(box["x"] - 20, box["y"] - 20)
    shot = tmp_path / "heatmap-ashare.png"
    page.locator(ROOT).first.screenshot(path=str(shot))
    copy_screenshot(shot, "heatmap-ashare.png")


def test_heatmap_simulated_crypto_twenty_levels(lab, page):
    write_notebook(
        lab["root"] / "heatmap-crypto.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=10, new=True)",
            'heat = iw.DepthHeatmap("BTCUSDT", window="2m", feed=feed)\nheat',
        ],
    )
    open_and_run(page, lab, "heatmap-crypto.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOT, "data-bins", 20, timeout=90_000)
    assert _data(page)["levels"] == "20"
    assert page.evaluate(CANVAS_INK, ROOT) > 3000
